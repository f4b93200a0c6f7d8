//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tailLines is how much of a failing command's output (or of next's log) a failure shows.
const tailLines = 60

// verbose streams every command's output to the test output as it runs
// (NEXTMSA_E2E_VERBOSE=1); by default output goes to artifacts/<scenario>/<step>.log and
// only the tail of a failing step is printed.
var verbose = os.Getenv("NEXTMSA_E2E_VERBOSE") != ""

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// mustLookPath finds a program the suite cannot run without.
func mustLookPath(t *testing.T, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found in PATH (%s): %v", name, why, err)
	}
	return p
}

// commandContext bounds a command by the test deadline (minus a margin for cleanup),
// or by limit, whichever comes first.
func commandContext(t *testing.T, limit time.Duration) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(limit)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(deadline) {
		deadline = d.Add(-30 * time.Second)
	}
	return context.WithDeadline(context.Background(), deadline)
}

// run runs one step of a scenario in dir. Its combined output goes to logPath (and to
// the test output with NEXTMSA_E2E_VERBOSE=1). On failure the test stops with the last
// 60 lines of the output. It returns the wall time of the command.
func run(t *testing.T, logPath, dir string, env []string, name string, args ...string) time.Duration {
	t.Helper()
	ctx, cancel := commandContext(t, 15*time.Minute)
	defer cancel()

	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	var out syncBuffer
	var w io.Writer = io.MultiWriter(logFile, &out)
	if verbose {
		w = io.MultiWriter(w, os.Stderr)
	}

	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = w, w
	// Own process group: a timeout kills the whole tree (pnpm → node → workers).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second

	line := name + " " + strings.Join(args, " ")
	fmt.Fprintf(logFile, "$ %s   (in %s)\n", line, dir)
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", err, ctx.Err())
		}
		t.Fatalf("`%s` in %s failed after %s: %v\n--- last %d lines (full log: %s) ---\n%s",
			line, dir, took.Round(time.Millisecond), err, tailLines, logPath, tail(out.String(), tailLines))
	}
	t.Logf("%-40s %6.1fs", line, took.Seconds())
	return took
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// nextServer is a running `next start`.
type nextServer struct {
	URL     string // NEXTAUTH_URL: http://localhost:PORT
	port    int
	logPath string
	out     *syncBuffer
	done    chan struct{} // closed when the process exited
	waitErr error
}

// tail is the end of next's output, for failure messages.
func (s *nextServer) tail() string {
	return fmt.Sprintf("--- last %d lines of next start (full log: %s) ---\n%s",
		tailLines, s.logPath, tail(s.out.String(), tailLines))
}

// probe says whether the server answers on 127.0.0.1 right now, for failure messages.
func (s *nextServer) probe() string {
	select {
	case <-s.done:
		return fmt.Sprintf("exited: %v", s.waitErr)
	default:
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/oauth/login", s.port))
	if err != nil {
		return fmt.Sprintf("running, but GET /oauth/login: %v", err)
	}
	resp.Body.Close()
	return "running, GET /oauth/login: " + resp.Status
}

// startNext starts `next start` in webDir on a free port and waits until it answers.
//
// `next start` forks a next-server child (web-stack.md P7): killing the parent leaves
// the child on the port. So it runs in its own process group, and the cleanup signals
// the whole group.
func startNext(t *testing.T, webDir, logPath string, env func(appURL string) []string) *nextServer {
	t.Helper()
	port := freePort(t)
	s := &nextServer{
		URL:     fmt.Sprintf("http://localhost:%d", port),
		port:    port,
		logPath: logPath,
		out:     &syncBuffer{},
		done:    make(chan struct{}),
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var w io.Writer = io.MultiWriter(logFile, s.out)
	if verbose {
		w = io.MultiWriter(w, os.Stderr)
	}

	bin := filepath.Join(webDir, "node_modules", ".bin", "next")
	cmd := exec.Command(bin, "start", "-p", fmt.Sprint(port), "-H", "127.0.0.1")
	cmd.Dir = webDir
	cmd.Env = append(os.Environ(), env(s.URL)...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", bin, err)
	}
	pgid := cmd.Process.Pid
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Logf("next start (pgid %d) ignored SIGTERM for 10s; sending SIGKILL", pgid)
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.done
		}
		// The group may outlive its leader for a moment; make sure it is gone.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still answers after next start's process group was killed", port)
		}
	})

	// Wait until it serves the (static) login page.
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	probe := fmt.Sprintf("http://127.0.0.1:%d/oauth/login", port)
	for {
		select {
		case <-s.done:
			t.Fatalf("next start exited before it answered: %v\n%s", s.waitErr, s.tail())
		default:
		}
		resp, err := client.Get(probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("next start did not answer %s within 90s: %v\n%s", probe, err, s.tail())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// copyFile copies src to dst, creating dst's directory.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// timings collects the wall time of every step of every scenario for the summary.
type timings struct {
	mu    sync.Mutex
	order []string
	rows  map[string]map[string]time.Duration
}

var stepNames = []string{"generate", "install", "lint", "build", "test", "next-start", "browser"}

func (tm *timings) add(scenario, step string, d time.Duration) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if tm.rows == nil {
		tm.rows = map[string]map[string]time.Duration{}
	}
	if tm.rows[scenario] == nil {
		tm.rows[scenario] = map[string]time.Duration{}
		tm.order = append(tm.order, scenario)
	}
	tm.rows[scenario][step] = d
}

// table renders the timings as a fixed-width table, seconds with one decimal.
func (tm *timings) table() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s", "scenario")
	for _, s := range stepNames {
		fmt.Fprintf(&b, " %10s", s)
	}
	fmt.Fprintf(&b, " %10s\n", "total")
	for _, sc := range tm.order {
		fmt.Fprintf(&b, "%-20s", sc)
		var total time.Duration
		for _, s := range stepNames {
			d, ok := tm.rows[sc][s]
			if !ok {
				fmt.Fprintf(&b, " %10s", "-")
				continue
			}
			total += d
			fmt.Fprintf(&b, " %9.1fs", d.Seconds())
		}
		fmt.Fprintf(&b, " %9.1fs\n", total.Seconds())
	}
	return b.String()
}
