package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSweeper records each Sweep call.
type fakeSweeper struct {
	calls chan time.Duration
}

func (f *fakeSweeper) Sweep(_ context.Context, _ time.Time, ttl time.Duration) (int, error) {
	f.calls <- ttl
	return 3, nil
}

// syncBuffer is a log sink safe for the sweeper goroutine and the test.
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

// The sweeper runs once at start, then every interval with the refresh TTL,
// logs the count at debug level, and stops with its context.
func TestSweepRunsAtStartAndPeriodically(t *testing.T) {
	const ttl = 336 * time.Hour
	sw := &fakeSweeper{calls: make(chan time.Duration, 16)}
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sweep(ctx, sw, ttl, 20*time.Millisecond, logger)
	}()
	for i := range 3 {
		select {
		case got := <-sw.calls:
			if got != ttl {
				t.Fatalf("sweep %d: ttl %v, want %v", i, got, ttl)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("sweep %d did not run", i)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("sweep did not stop with its context")
	}
	if out := logs.String(); !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "count=3") {
		t.Fatalf("log = %q, want a debug line with count=3", out)
	}
}

// The first sweep does not wait for the first tick.
func TestSweepRunsImmediately(t *testing.T) {
	sw := &fakeSweeper{calls: make(chan time.Duration, 1)}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go sweep(ctx, sw, time.Hour, time.Hour, slog.New(slog.DiscardHandler))
	select {
	case <-sw.calls:
	case <-time.After(5 * time.Second):
		t.Fatal("no sweep at start")
	}
}
