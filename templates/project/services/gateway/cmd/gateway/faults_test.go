package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider/providertest"
)

// process is a gateway running as its own process: this test binary re-run
// as the real main (TestMain), so signals and exit codes are the real ones.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(inheritedEnv(), "GATEWAY_TEST_RUN_MAIN=1", "GATEWAY_ADDR="+addr)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{cmd: cmd, url: "http://" + addr, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	waitUp(t, p.url)
	return p
}

// inheritedEnv is this process's environment without what configures a gateway, so a
// REDIS_URL or GATEWAY_* of the shell running the tests cannot change the gateway under test.
func inheritedEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(gatewayEnvPrefixes, func(prefix string) bool { return strings.HasPrefix(name, prefix) }) {
			env = append(env, kv)
		}
	}
	return env
}

var gatewayEnvPrefixes = []string{"GATEWAY_", "REDIS_", "GOOGLE_", "NAVER_", "KAKAO_", "OTEL_"}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// client bounds every call, so a hang fails the test instead of stalling it.
var client = &http.Client{Timeout: 6 * time.Second}

// refreshOnce presents rt and returns the status and the successor (if 200).
func refreshOnce(url, rt string) (int, string, error) {
	body, _ := json.Marshal(map[string]string{"refresh_token": rt})
	req, _ := http.NewRequest("POST", url+"/auth/refresh", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var tr struct {
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	return resp.StatusCode, tr.RefreshToken, nil
}

func login(t *testing.T, url string, google *providertest.Issuer, sub string) map[string]any {
	t.Helper()
	a := call(t, "POST", url+"/auth/exchange", secret, map[string]any{
		"provider": "google", "id_token": google.Mint(t, providertest.IDToken{Subject: sub, Audience: googleClient}),
	})
	if a.status != 200 {
		t.Fatalf("exchange %d %v", a.status, a.body)
	}
	return a.body
}

// SIGKILL of a gateway on the embedded store while sessions refresh: after a
// restart on the same data directory every successor that was answered with
// 200 works, and every token presented and answered is refused when replayed
// (the grace is 0, so a replay is a reuse). Half the sessions stop before the
// kill (their last answer is known to be final); the other half are still
// refreshing when it lands.
func TestSIGKILLLosesNoAnsweredRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	env["GATEWAY_REFRESH_REUSE_GRACE"] = "0s"
	p := startProcess(t, env)

	const sessions = 8
	type chain struct {
		last     string   // successor of the last rotation answered 200
		answered []string // tokens presented and answered 200
	}
	chains := make([]*chain, sessions)
	for i := range chains {
		chains[i] = &chain{last: login(t, p.url, google, fmt.Sprint("kill-", i))["refresh_token"].(string)}
	}
	var stopQuiet atomic.Bool
	var wg sync.WaitGroup
	var loaded atomic.Int64
	for i, c := range chains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for (i%2 == 1 || !stopQuiet.Load()) && len(c.answered) < 500 {
				status, next, err := refreshOnce(p.url, c.last)
				if err != nil || status != 200 {
					return // the kill landed (or the answer was lost with it)
				}
				c.answered = append(c.answered, c.last)
				c.last = next
				loaded.Add(1)
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	stopQuiet.Store(true)
	time.Sleep(200 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = p.cmd.Wait()
	if loaded.Load() < sessions {
		t.Fatalf("only %d rotations before the kill; no load to speak of", loaded.Load())
	}

	p = startProcess(t, env)
	for i, c := range chains {
		if len(c.answered) == 0 {
			t.Fatalf("session %d never rotated", i)
		}
		if i%2 == 0 {
			if status, _, err := refreshOnce(p.url, c.last); err != nil || status != 200 {
				t.Errorf("session %d: the successor answered before the kill gets %d %v after the restart", i, status, err)
			}
		}
		replay := c.answered[len(c.answered)-1]
		if status, _, err := refreshOnce(p.url, replay); err != nil || status != 401 {
			t.Errorf("session %d: replaying an answered token gets %d %v, want 401", i, status, err)
		}
	}
	t.Logf("%d rotations answered before the kill", loaded.Load())
}

// startRedis runs a redis-server of its own on a random loopback port, or
// skips when none is installed.
func startRedis(t *testing.T, port string) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH; install it to run the Redis fault test")
	}
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			return cmd
		}
	}
	t.Fatal("redis-server did not come up")
	return nil
}

func statusOf(t *testing.T, method, url, auth string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v (a hang or a dropped connection)", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Redis killed under refresh load: refreshes answer 503 (never 500, never a
// hang), /readyz is 503 within 5 s, valid JWTs keep passing the proxy; when
// Redis is back the gateway is ready within 15 s by itself.
func TestRedisKilledUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	port := strconv.Itoa(mustPort(t))
	rdb := startRedis(t, port)
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	env["REDIS_URL"] = "redis://127.0.0.1:" + port + "/0"
	env["GATEWAY_SIGNING_KEY_FILE"] = writeKeyFile(t)
	env["GATEWAY_ENCRYPTION_KEYS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	g := start(t, env)
	session := login(t, g.url, google, "redis-kill")
	access := session["access_token"].(string)

	// Load: sessions refreshing until the test ends; every answer is 200 or 503.
	done := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Value
	var saw503 atomic.Bool
	for i := range 4 {
		rt := login(t, g.url, google, fmt.Sprint("load-", i))["refresh_token"].(string)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				status, next, err := refreshOnce(g.url, rt)
				switch {
				case err != nil:
					bad.Store(fmt.Sprintf("refresh: %v", err))
					return
				case status == 200:
					rt = next
				case status == 503:
					saw503.Store(true)
					time.Sleep(10 * time.Millisecond)
				case status == 401: // the session was lost with Redis's data: expected after the restart
					return
				default:
					bad.Store(fmt.Sprintf("refresh answered %d", status))
					return
				}
			}
		}()
	}
	defer func() { close(done); wg.Wait() }()
	time.Sleep(200 * time.Millisecond)

	_ = rdb.Process.Kill()
	_ = rdb.Wait()
	killed := time.Now()
	for statusOf(t, "GET", g.url+"/readyz", "") != 503 {
		if time.Since(killed) > 5*time.Second {
			t.Fatal("/readyz still not 503 five seconds after Redis died")
		}
		time.Sleep(50 * time.Millisecond)
	}
	unready := time.Since(killed)
	if s := statusOf(t, "GET", g.url+"/api/users/me", access); s != 200 {
		t.Fatalf("the proxy refused a valid JWT with Redis down: %d", s)
	}
	time.Sleep(300 * time.Millisecond) // let the load meet the outage
	if !saw503.Load() {
		t.Error("no refresh was answered 503 while Redis was down")
	}

	startRedis(t, port)
	back := time.Now()
	for statusOf(t, "GET", g.url+"/readyz", "") != 200 {
		if time.Since(back) > 15*time.Second {
			t.Fatal("not ready 15 s after Redis came back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	login(t, g.url, google, "after-redis-restart")
	if v := bad.Load(); v != nil {
		t.Fatal(v)
	}
	t.Logf("readyz 503 %v after Redis died; ready again %v after it returned", unready, time.Since(back))
}

func mustPort(t *testing.T) int {
	t.Helper()
	_, port, _ := net.SplitHostPort(freeAddr(t))
	n, _ := strconv.Atoi(port)
	return n
}
