//go:build e2e

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The generated stack listens on fixed ports, as a user's machine would: the web app on
// 3000, the gateway on 8080, the users service on 8081 and mock-oauth on 9400. The
// scenarios therefore run one after the other.
const (
	webURL     = "http://localhost:3000"
	gatewayURL = "http://localhost:8080"
	usersURL   = "http://localhost:8081"
	mockURL    = "http://localhost:9400"

	gatewayMetricsURL = "http://localhost:9090/metrics"
	usersMetricsURL   = "http://localhost:9091/metrics"
)

// stackTailLines is how many lines per process a failure shows.
const stackTailLines = 40

// stack is a running `pnpm start` (or `pnpm dev`) in a generated project: scripts/dev.mjs
// builds the Go programs, then runs web, gateway, users and mock-oauth with their output
// prefixed by "[name] ".
type stack struct {
	t       *testing.T
	mode    string // "start" or "dev"
	logPath string
	out     *syncBuffer
	pgid    int
	done    chan struct{} // closed when pnpm exited
	waitErr error
	ports   []int // of the probe URLs: free before the start, free again after the stop

	mu       sync.Mutex
	known    map[int]procInfo       // every descendant seen, by pid: killed by id if it outlives the stop
	attached map[string]*syncBuffer // output of processes the test started beside the stack, by name
	stopped  bool
	stopTook time.Duration
}

func shorten(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// procInfo identifies a process across pid reuse by its start time (a process may change
// its command line: next start renames itself next-server).
type procInfo struct {
	pgid    int
	start   string // field 22 of /proc/<pid>/stat
	cmdline string
}

// ansi matches the colour codes dev.mjs puts around the prefixes.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// prefixRe is the "[name] " dev.mjs puts before each line of a process.
var prefixRe = regexp.MustCompile(`^\[([a-z][a-z0-9-]*)\] ?(.*)$`)

// startStack runs `pnpm <mode>` in root, in its own process group (as a terminal would),
// with env added to the environment, and waits until every probe URL answers 200.
// The stop (also on cleanup) sends SIGINT to the group, as Ctrl-C does, and checks that
// nothing listens on the stack's ports afterwards.
func startStack(t *testing.T, root, pnpm, mode, logPath string, probes, env []string) *stack {
	t.Helper()
	var ports []int
	for _, u := range probes {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		port, err := strconv.Atoi(parsed.Port())
		if err != nil {
			t.Fatalf("probe %s has no port: %v", u, err)
		}
		ports = append(ports, port)
	}
	for _, p := range ports {
		if listening(p) {
			t.Fatalf("port %d is already in use before `pnpm %s`: the generated stack needs ports %v free (another dev server, or a leftover of an earlier run?)", p, mode, ports)
		}
	}
	s := &stack{t: t, mode: mode, logPath: logPath, out: &syncBuffer{}, done: make(chan struct{}), ports: ports,
		known: map[int]procInfo{}, attached: map[string]*syncBuffer{}}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var w io.Writer = io.MultiWriter(logFile, s.out)
	if verbose {
		w = io.MultiWriter(w, os.Stderr)
	}
	cmd := exec.Command(pnpm, mode)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	fmt.Fprintf(logFile, "$ pnpm %s   (in %s, with %s)\n", mode, root, strings.Join(env, " "))
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start pnpm %s: %v", mode, err)
	}
	s.pgid = cmd.Process.Pid
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	t.Cleanup(s.stop)

	// The first start builds the Go programs (go build, cold cache on a fresh machine),
	// and next dev compiles on the first request.
	deadline := time.Now().Add(4 * time.Minute)
	client := &http.Client{Timeout: 5 * time.Second}
	for _, u := range probes {
		for {
			s.track()
			select {
			case <-s.done:
				s.fatalf("`pnpm %s` exited (%v) before %s answered", mode, s.waitErr, u)
			default:
			}
			resp, err := client.Get(u)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
				err = errors.New(resp.Status)
			}
			if time.Now().After(deadline) {
				s.fatalf("`pnpm %s`: %s did not answer 200 within 4 minutes: %v", mode, u, err)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	s.track()
	return s
}

// track records the process tree below pnpm (pid, process group, command line), so that
// the stop can find whatever outlives it by id.
func (s *stack) track() {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, _, ok := procStat(pid)
		if ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := []int{s.pgid}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if _, pgid, ok := procStat(pid); ok {
			info := procInfo{pgid: pgid, start: procStart(pid), cmdline: cmdline(pid)}
			if old, seen := s.known[pid]; !seen || old.start == info.start {
				s.known[pid] = info // the newest command line, for messages
			}
		}
		queue = append(queue, children[pid]...)
	}
}

// procStat reads the parent pid and the process group of pid from /proc/<pid>/stat.
func procStat(pid int) (ppid, pgid int, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// The command name is in parentheses and may contain spaces.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	pgid, _ = strconv.Atoi(f[2])
	return ppid, pgid, true
}

func cmdline(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(data), "\x00", " "))
}

// procStart is the start time of pid (clock ticks since boot), "" if it is gone.
func procStart(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return ""
	}
	// After the ")": state is field 3 of the stat line, starttime field 22.
	if f := strings.Fields(string(data[i+1:])); len(f) > 19 {
		return f[19]
	}
	return ""
}

// alive reports whether pid is still the process info describes (not a reused pid, not a zombie).
func alive(pid int, info procInfo) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := strings.LastIndexByte(string(data), ')'); i > 0 {
		if f := strings.Fields(string(data[i+1:])); len(f) > 0 && f[0] == "Z" {
			return false
		}
	}
	return procStart(pid) == info.start
}

// stop ends the stack as a user does: SIGINT to pnpm's process group (Ctrl-C). Every
// process must be gone within 20 s (the gateway drains for up to 10 s), and no port of
// the stack may answer afterwards. Anything left is reported, then killed by pid.
func (s *stack) stop() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	s.mu.Unlock()
	s.track()
	// Forget what already ended (the go build steps of dev.mjs).
	s.mu.Lock()
	for pid, info := range s.known {
		if !alive(pid, info) {
			delete(s.known, pid)
		}
	}
	s.mu.Unlock()

	sent := time.Now()
	_ = syscall.Kill(-s.pgid, syscall.SIGINT)
	// Watch every process of the stack go away, and note how long each took.
	gone := map[int]time.Duration{}
	deadline := sent.Add(25 * time.Second)
	for {
		s.mu.Lock()
		left := 0
		for pid, info := range s.known {
			if _, ok := gone[pid]; ok {
				continue
			}
			if alive(pid, info) {
				left++
			} else {
				gone[pid] = time.Since(sent)
			}
		}
		s.mu.Unlock()
		pnpmDone := false
		select {
		case <-s.done:
			pnpmDone = true
		default:
		}
		if (left == 0 && pnpmDone) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var slow, left []string
	s.mu.Lock()
	for pid, info := range s.known {
		d, ok := gone[pid]
		switch {
		case !ok:
			left = append(left, fmt.Sprintf("pid %d (pgid %d): %s", pid, info.pgid, info.cmdline))
		default:
			slow = append(slow, fmt.Sprintf("%5.1fs pid %d (pgid %d): %s", d.Seconds(), pid, info.pgid, shorten(info.cmdline)))
		}
	}
	s.mu.Unlock()
	s.stopTook = time.Since(sent)
	if s.stopTook > 3*time.Second {
		slices.Sort(slow)
		s.t.Logf("pnpm %s: Ctrl-C took %.1fs until every process had exited; each process's exit after the SIGINT:\n  %s",
			s.mode, s.stopTook.Seconds(), strings.Join(slow, "\n  "))
	}
	if len(left) > 0 {
		slices.Sort(left)
		s.t.Errorf("after Ctrl-C on `pnpm %s`, these processes were still running 25 s later (now killed):\n  %s\n%s",
			s.mode, strings.Join(left, "\n  "), s.tails())
		s.mu.Lock()
		for pid, info := range s.known {
			if _, ok := gone[pid]; !ok && alive(pid, info) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		s.mu.Unlock()
	}
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.t.Errorf("`pnpm %s` (pgid %d) was still running 30 s after SIGINT (Ctrl-C); killing its group", s.mode, s.pgid)
		_ = syscall.Kill(-s.pgid, syscall.SIGKILL)
		<-s.done
	}
	for _, p := range s.ports {
		if listening(p) {
			s.t.Errorf("after `pnpm %s` stopped, something still listens on port %d", s.mode, p)
		}
	}
}

// listening reports whether anything accepts TCP connections on port (IPv4 or IPv6 loopback).
func listening(port int) bool {
	for _, host := range []string{"127.0.0.1", "::1"} {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), time.Second)
		if err == nil {
			c.Close()
			return true
		}
	}
	return false
}

// lines returns the output lines of one process (by its dev.mjs prefix, without it);
// "pnpm" holds the lines without a prefix (pnpm, go build, dev.mjs itself).
func (s *stack) lines(name string) []string {
	return s.byProcess()[name]
}

func (s *stack) byProcess() map[string][]string {
	out := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(s.out.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := ansi.ReplaceAllString(sc.Text(), "")
		if m := prefixRe.FindStringSubmatch(line); m != nil && m[1] != "dev" {
			out[m[1]] = append(out[m[1]], m[2])
		} else {
			out["pnpm"] = append(out["pnpm"], line)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, buf := range s.attached {
		out[name] = append(out[name], strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")...)
	}
	return out
}

// attach adds the output of a process the test runs beside the stack (a second gateway)
// to the stack's lines and failure tails, under name.
func (s *stack) attach(name string, out *syncBuffer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attached[name] = out
}

// gatewayLines are the output lines of every gateway: dev.mjs's "gateway" and any attached
// "gateway-N".
func (s *stack) gatewayLines() []string {
	var lines []string
	for name, l := range s.byProcess() {
		if name == "gateway" || strings.HasPrefix(name, "gateway-") {
			lines = append(lines, l...)
		}
	}
	return lines
}

// tails is the end of each process's output, for failure messages.
func (s *stack) tails() string {
	if s == nil {
		return ""
	}
	procs := s.byProcess()
	var b strings.Builder
	for _, name := range []string{"web", "gateway", "users", "mock-oauth", "pnpm"} {
		lines, ok := procs[name]
		if !ok {
			continue
		}
		delete(procs, name)
		writeTail(&b, name, lines)
	}
	for name, lines := range procs {
		writeTail(&b, name, lines)
	}
	fmt.Fprintf(&b, "(full output of pnpm %s: %s)", s.mode, s.logPath)
	return b.String()
}

func writeTail(b *strings.Builder, name string, lines []string) {
	n := len(lines)
	if n > stackTailLines {
		lines = lines[n-stackTailLines:]
	}
	fmt.Fprintf(b, "--- [%s] last %d of %d lines ---\n%s\n", name, len(lines), n, strings.Join(lines, "\n"))
}

// fatalf stops the test with msg and the end of every process's output.
func (s *stack) fatalf(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), s.tails())
}

// readDotEnv reads KEY=VALUE lines (no quoting, # comments) of the generated .env.local.
func readDotEnv(t *testing.T, root string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ".env.local"))
	if err != nil {
		t.Fatalf("the generated project has no readable .env.local: %v", err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			env[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return env
}
