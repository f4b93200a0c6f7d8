//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// timings collects the wall time of every step of every scenario for the summary. The
// columns are the step names in the order they were first seen; a scenario that skips a
// step shows "-".
type timings struct {
	mu    sync.Mutex
	order []string // scenarios
	steps []string // step names, first seen first
	rows  map[string]map[string]time.Duration
}

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
	if !slices.Contains(tm.steps, step) {
		tm.steps = append(tm.steps, step)
	}
	tm.rows[scenario][step] += d
}

// since records the time since start under step and returns now, for chaining.
func (tm *timings) since(scenario, step string, start time.Time) time.Time {
	now := time.Now()
	tm.add(scenario, step, now.Sub(start))
	return now
}

// table renders the timings as a fixed-width table, seconds with one decimal, with a
// total per scenario and per step.
func (tm *timings) table() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var b strings.Builder
	w := 10
	for _, s := range tm.steps {
		w = max(w, len(s)+1)
	}
	fmt.Fprintf(&b, "%-18s", "scenario")
	for _, s := range tm.steps {
		fmt.Fprintf(&b, " %*s", w, s)
	}
	fmt.Fprintf(&b, " %*s\n", w, "total")
	colTotal := map[string]time.Duration{}
	var all time.Duration
	for _, sc := range tm.order {
		fmt.Fprintf(&b, "%-18s", sc)
		var total time.Duration
		for _, s := range tm.steps {
			d, ok := tm.rows[sc][s]
			if !ok {
				fmt.Fprintf(&b, " %*s", w, "-")
				continue
			}
			total += d
			colTotal[s] += d
			fmt.Fprintf(&b, " %*.1fs", w-1, d.Seconds())
		}
		all += total
		fmt.Fprintf(&b, " %*.1fs\n", w-1, total.Seconds())
	}
	fmt.Fprintf(&b, "%-18s", "total")
	for _, s := range tm.steps {
		fmt.Fprintf(&b, " %*.1fs", w-1, colTotal[s].Seconds())
	}
	fmt.Fprintf(&b, " %*.1fs\n", w-1, all.Seconds())
	return b.String()
}
