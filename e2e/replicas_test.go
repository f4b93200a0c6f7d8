//go:build e2e

package e2e

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Timings of the generated project that the key rotation below is planned around.
const (
	// keysDirPoll is how often a gateway re-reads GATEWAY_SIGNING_KEYS_DIR
	// (services/gateway/internal/keys.DirPollInterval).
	keysDirPoll = 10 * time.Second
	// jwksRefetch is the least time between two JWKS fetches of a service's verifier on
	// an unknown kid (libs/gatewayauth.MinRefetch).
	jwksRefetch = 30 * time.Second
	// keyRetireAfter: an old key leaves the JWKS this long after the next one activates,
	// GATEWAY_ACCESS_TTL plus the gateway's 60 s verification leeway.
	keyRetireAfter = accessTTLSeconds*time.Second + 60*time.Second
	// keyFileLayout names a key file of GATEWAY_SIGNING_KEYS_DIR by its activation time.
	keyFileLayout = "20060102T150405Z.pem"
	// replicaHeader is set by the test's proxy on every answer: the replica (0 or 1) that
	// served it.
	replicaHeader = "X-E2E-Replica"
)

// checkReplicas runs the project's gateway as two replicas over one Redis, sharing a
// signing-key directory, encryption keys and the internal secret, behind a round-robin
// proxy on the gateway's usual address (http://localhost:8080, which .env.local gives the
// web app as GATEWAY_URL and the users service uses for its JWKS). The first replica is
// the one `pnpm start` runs, configured through the environment as an operator would;
// the second is the binary dev.mjs built from services/gateway, started by the test.
// In Chromium: sign in, reload past the access token's expiry, sign out. Then a key
// rotation through the directory while a client keeps refreshing and calling
// /api/users/me: no request is refused, the new key signs from its activation on both
// replicas, and the old one leaves both JWKS on schedule.
func checkReplicas(t *testing.T, root, pnpm, chromium, artifacts string, dotenv map[string]string) {
	redisURL := startRedis(t, filepath.Join(artifacts, "redis.log"))
	keysDir := t.TempDir()
	oldKey := writeSigningKey(t, keysDir, time.Now().Add(-time.Hour).Truncate(time.Second))
	encryption := make([]byte, 32)
	if _, err := rand.Read(encryption); err != nil {
		t.Fatal(err)
	}
	shared := []string{
		"REDIS_URL=" + redisURL,
		"GATEWAY_SIGNING_KEYS_DIR=" + keysDir,
		"GATEWAY_ENCRYPTION_KEYS=" + base64.StdEncoding.EncodeToString(encryption),
		"GATEWAY_ACCESS_TTL=" + accessTTL,
	}
	addrs := freeLoopbackAddrs(t, 2)
	replicas := []string{"http://" + addrs[0], "http://" + addrs[1]}
	rr := startRoundRobin(t, replicas)

	stk := startStack(t, root, pnpm, "start", filepath.Join(artifacts, "pnpm-start.log"),
		[]string{webURL + "/", mockURL + "/healthz", usersURL + "/healthz", replicas[0] + "/healthz"},
		append(slices.Clone(shared), "GATEWAY_ADDR="+addrs[0]))
	// Replica 0 serves /metrics on the default :9090; the second one must not take it too.
	second := startGateway(t, "gateway-2", filepath.Join(root, ".bin", "gateway"), root, filepath.Join(artifacts, "gateway-2.log"),
		append(dotenvList(dotenv), append(shared, "GATEWAY_ADDR="+addrs[1], "GATEWAY_METRICS_ADDR=127.0.0.1:0")...))
	stk.attach(second.name, second.out)
	waitHealthy(t, stk, replicas[1]+"/healthz", gatewayURL+"/healthz")

	// The browser: the session starts on one replica and rotates on the other.
	b := newBrowser(t, chromium, artifacts, filepath.Join(root, "apps", "web"), dotenv, stk)
	ok := t.Run("browser", func(t *testing.T) {
		b.t = t
		sess := b.signIn("google", true)
		before, after := b.checkRotation("google", sess.User.ID)
		b.signOutRevokes("google", dotenv["GATEWAY_INTERNAL_SECRET"], after, before)
		exchanged := rr.replicas("POST", "/auth/exchange", http.StatusOK)
		rotated := rr.replicas("POST", "/auth/refresh", http.StatusOK)
		if len(exchanged) == 0 || !slices.ContainsFunc(rotated, func(r int) bool { return r != exchanged[0] }) {
			t.Errorf("the session did not cross replicas: exchanged on %v, refreshed on %v", exchanged, rotated)
		}
		if refused := rr.replicas("POST", "/auth/refresh", http.StatusUnauthorized); !slices.Contains(refused, 0) || !slices.Contains(refused, 1) {
			t.Errorf("after the sign-out, the refresh tokens were refused by replicas %v, want both", refused)
		}
	})
	b.t = t
	if !ok {
		t.FailNow()
	}

	t.Run("key-rotation", func(t *testing.T) { checkKeyRotation(t, dotenv, replicas, keysDir, oldKey) })

	stk.stop()
	second.stop(t)
}

// checkKeyRotation adds a signing key to the shared directory and follows the rotation
// with a client that refreshes through the proxy and calls /api/users/me with each new
// access token, until the old key has left both replicas' JWKS.
func checkKeyRotation(t *testing.T, env map[string]string, replicas []string, keysDir string, oldKey *rsa.PrivateKey) {
	secret := env["GATEWAY_INTERNAL_SECRET"]
	oldKid := kidOf(fetchJWKS(t, replicas[0]), oldKey)
	if oldKid == "" {
		t.Fatalf("replica 0's JWKS does not publish the key of %s", keysDir)
	}
	jwks := fetchJWKS(t, gatewayURL)
	resp, body := gatewayPost(t, "/auth/exchange", secret, googleExchange(t, env))
	session := checkTokenAnswer(t, "POST /auth/exchange", resp, body, env, jwks, hongClaims)

	// The new key activates once both replicas have read the directory (one poll) and once
	// the users service may refetch the JWKS for the new kid: its last fetch was during
	// the browser's sign-in, before now. Production leaves 15 minutes; the order of events
	// is the same.
	activation := time.Now().Add(max(keysDirPoll, jwksRefetch) + 2*time.Second).Truncate(time.Second)
	newKey := writeSigningKey(t, keysDir, activation)
	retire := activation.Add(keyRetireAfter)
	t.Logf("new signing key activates at %s; the old one (%s) leaves the JWKS at %s", activation.Format(time.TimeOnly), oldKid, retire.Format(time.TimeOnly))

	var newKid string
	publishedEarly := map[int]bool{} // the new key was in the replica's JWKS before its activation
	retired := map[int]time.Time{}   // when the old key was first seen gone
	minted := map[string]int{}       // "replica kid" → access tokens signed
	var refused []string
	calls := 0
	deadline := retire.Add(15 * time.Second)
	for len(retired) < len(replicas) {
		if time.Now().After(deadline) {
			t.Fatalf("the old key %s was still published at %s, 15 s after its retirement (%s); gone from: %v", oldKid, time.Now().Format(time.TimeOnly), retire.Format(time.TimeOnly), retired)
		}
		// Each replica's JWKS, straight from the replica.
		jwks = map[string]*rsa.PublicKey{}
		for i, base := range replicas {
			asked := time.Now()
			keys := fetchJWKS(t, base)
			answered := time.Now()
			for kid, k := range keys {
				jwks[kid] = k
			}
			if kid := kidOf(keys, newKey); kid != "" {
				newKid = kid
				if answered.Before(activation) {
					publishedEarly[i] = true
				}
			}
			_, hasOld := keys[oldKid]
			switch {
			case !hasOld && answered.Before(retire):
				t.Errorf("replica %d dropped the old key at %s, before its retirement at %s", i, answered.Format(time.TimeOnly), retire.Format(time.TimeOnly))
			case hasOld && !asked.Before(retire):
				t.Errorf("replica %d still published the old key at %s, after its retirement at %s", i, asked.Format(time.TimeOnly), retire.Format(time.TimeOnly))
			case !hasOld:
				if _, seen := retired[i]; !seen {
					retired[i] = answered
				}
			}
		}

		// The client: a fresh access token from /auth/refresh, then the API with it.
		resp, body := gatewayPost(t, "/auth/refresh", secret, map[string]string{"refresh_token": session.RefreshToken})
		replica := resp.Header.Get(replicaHeader)
		session = checkTokenAnswer(t, "POST /auth/refresh (replica "+replica+") during the key rotation", resp, body, env, jwks, hongClaims)
		wantKid := oldKid
		if session.IssuedAt >= activation.Unix() {
			wantKid = newKid
		}
		if session.Kid != wantKid {
			t.Errorf("replica %s signed an access token issued at %s with kid %s, want %s (the new key activates at %s)",
				replica, time.Unix(session.IssuedAt, 0).Format(time.TimeOnly), session.Kid, wantKid, activation.Format(time.TimeOnly))
		}
		minted[replica+" "+session.Kid]++
		resp, body = get(t, gatewayURL+"/api/users/me", session.AccessToken)
		calls++
		if resp.StatusCode != http.StatusOK {
			refused = append(refused, fmt.Sprintf("%s: HTTP %d via replica %s (token kid %s): %s %s",
				time.Now().Format(time.TimeOnly), resp.StatusCode, resp.Header.Get(replicaHeader), session.Kid, resp.Header.Get("WWW-Authenticate"), body))
		}
		time.Sleep(250 * time.Millisecond)
	}

	t.Logf("%d calls of /api/users/me with fresh tokens; tokens minted by replica and kid: %v; old key gone at %v", calls, minted, retired)
	if len(refused) > 0 {
		t.Errorf("%d of %d calls of /api/users/me across the key rotation were refused, want none:\n  %s", len(refused), calls, strings.Join(refused[:min(len(refused), 10)], "\n  "))
	}
	for i := range replicas {
		if !publishedEarly[i] {
			t.Errorf("replica %d did not publish the new key before its activation at %s", i, activation.Format(time.TimeOnly))
		}
		for _, kid := range []string{oldKid, newKid} {
			if minted[strconv.Itoa(i)+" "+kid] == 0 {
				t.Errorf("replica %d signed no access token with %s (tokens by replica and kid: %v)", i, kid, minted)
			}
		}
	}
}

// writeSigningKey writes a new RSA key to dir under its activation time, the way an
// operator adds one: complete before it appears (a hidden temporary name, then a rename;
// the gateway skips hidden entries).
func writeSigningKey(t *testing.T, dir string, activation time.Time) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".new-key")
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, activation.UTC().Format(keyFileLayout))); err != nil {
		t.Fatal(err)
	}
	return key
}

// kidOf finds key's kid in a JWKS by its public part ("" when it is not published).
func kidOf(jwks map[string]*rsa.PublicKey, key *rsa.PrivateKey) string {
	for kid, pub := range jwks {
		if pub.Equal(key.Public()) {
			return kid
		}
	}
	return ""
}

// dotenvList is .env.local as KEY=VALUE entries for a process environment.
func dotenvList(dotenv map[string]string) []string {
	var env []string
	for k, v := range dotenv {
		env = append(env, k+"="+v)
	}
	return env
}

// freeLoopbackAddrs picks n free TCP addresses on 127.0.0.1.
func freeLoopbackAddrs(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, l.Addr().String())
		defer l.Close() // held until all are picked, so they differ
	}
	return addrs
}

// waitHealthy waits until every URL answers 200, for at most a minute.
func waitHealthy(t *testing.T, stk *stack, urls ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for _, u := range urls {
		for {
			resp, err := httpClient.Get(u)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
				err = errors.New(resp.Status)
			}
			if time.Now().After(deadline) {
				stk.fatalf("%s did not answer 200 within a minute: %v", u, err)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// startRedis runs a throwaway redis-server on a free loopback port, without persistence,
// and returns its URL. It is stopped (SIGTERM by pid) on cleanup.
func startRedis(t *testing.T, logPath string) string {
	t.Helper()
	bin := mustLookPath(t, "redis-server", "the gateway replicas share a Redis; Debian: apt-get install redis-server")
	addr := freeLoopbackAddrs(t, 1)[0]
	_, port, _ := net.SplitHostPort(addr)
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logFile.Close()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pong(addr) {
			return "redis://" + addr + "/0"
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer PING within 10 s (log: %s)", addr, logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pong reports whether the Redis at addr answers PING.
func pong(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "PING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// process is a program the test runs beside the stack.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// startGateway runs a gateway binary in dir with env added to the environment, its
// output to logPath and to the returned process's buffer. Cleanup kills it if the test
// did not stop it.
func startGateway(t *testing.T, name, bin, dir, logPath string, env []string) *process {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &process{name: name, out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), env...)
	var w io.Writer = io.MultiWriter(logFile, p.out)
	if verbose {
		w = io.MultiWriter(w, os.Stderr)
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// stop sends SIGTERM, as an orchestrator does; the gateway drains for at most 10 s and
// must exit 0.
func (p *process) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s exited with %v after SIGTERM, want 0\n%s", p.name, p.err, tail(p.out.String(), stackTailLines))
		}
	case <-time.After(15 * time.Second):
		t.Errorf("%s was still running 15 s after SIGTERM; killing it", p.name)
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// roundRobin is a reverse proxy in front of the replicas. Each first path segment
// (auth, api, .well-known, …) has its own turn, so consecutive /auth/ calls of one session
// (exchange, refresh, logout) alternate between replicas whatever else is called between
// them. It records which replica answered what.
type roundRobin struct {
	proxies []*httputil.ReverseProxy

	mu     sync.Mutex
	turn   map[string]int
	served []servedRequest
}

type servedRequest struct {
	method, path string
	replica      int
	status       int
}

// startRoundRobin listens where the stack expects the gateway, localhost:8080, on both
// loopback addresses (Node may resolve localhost to ::1), until cleanup.
func startRoundRobin(t *testing.T, replicas []string) *roundRobin {
	t.Helper()
	rr := &roundRobin{turn: map[string]int{}}
	for _, r := range replicas {
		u, err := url.Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		rr.proxies = append(rr.proxies, httputil.NewSingleHostReverseProxy(u))
	}
	gw, err := url.Parse(gatewayURL)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rr, ReadHeaderTimeout: 10 * time.Second}
	for _, host := range []string{"127.0.0.1", "::1"} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, gw.Port()))
		if err != nil {
			t.Fatalf("the round-robin proxy cannot listen on %s: %v (is a gateway still running?)", net.JoinHostPort(host, gw.Port()), err)
		}
		go func() { _ = srv.Serve(l) }()
	}
	t.Cleanup(func() { _ = srv.Close() })
	return rr
}

func (rr *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segment, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	rr.mu.Lock()
	i := rr.turn[segment] % len(rr.proxies)
	rr.turn[segment]++
	rr.mu.Unlock()
	w.Header().Set(replicaHeader, strconv.Itoa(i))
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	rr.proxies[i].ServeHTTP(sw, r)
	rr.mu.Lock()
	rr.served = append(rr.served, servedRequest{method: r.Method, path: r.URL.Path, replica: i, status: sw.status})
	rr.mu.Unlock()
}

// replicas lists, in order, the replica that answered each method path request with status.
func (rr *roundRobin) replicas(method, path string, status int) []int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	var out []int
	for _, s := range rr.served {
		if s.method == method && s.path == path && s.status == status {
			out = append(out, s.replica)
		}
	}
	return out
}

// statusWriter remembers the status an http.Handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
