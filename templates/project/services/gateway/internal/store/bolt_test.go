package store_test

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

func testFamily(now time.Time) store.Family {
	return store.Family{UserID: "u", Provider: "kakao", ProviderRT: []byte("sealed"), Expiry: now.Add(24 * time.Hour)}
}

// The embedded default must keep sessions, grace successors and revocations
// across a gateway restart.
func TestBoltSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "gateway.db")
	now := time.UnixMilli(time.Now().UnixMilli())
	const grace, ttl = 10 * time.Second, time.Hour

	s, err := store.NewBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	t0, _ := s.CreateFamily(ctx, testFamily(now), now)
	first, err := s.Rotate(ctx, t0, now, grace, ttl)
	if err != nil {
		t.Fatal(err)
	}
	revoked, _ := s.CreateFamily(ctx, testFamily(now), now)
	if err := s.RevokeToken(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping after Close = %v, want ErrUnavailable", err)
	}

	s, err = store.NewBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	again, err := s.Rotate(ctx, t0, now.Add(time.Second), grace, ttl)
	if err != nil || again.Successor != first.Successor {
		t.Fatalf("grace retry after restart = (%q, %v), want %q", again.Successor, err, first.Successor)
	}
	if _, err := s.Rotate(ctx, first.Successor, now.Add(time.Minute), grace, ttl); err != nil {
		t.Fatalf("rotating after restart: %v", err)
	}
	if _, err := s.Rotate(ctx, revoked, now, grace, ttl); !errors.Is(err, store.ErrFamilyRevoked) {
		t.Fatalf("revoked family after restart: %v", err)
	}
}

// bbolt locks its file; a second gateway must fail fast, not hang.
func TestBoltLockedFile(t *testing.T) {
	defer store.SetBoltLockTimeout(50 * time.Millisecond)()
	path := filepath.Join(t.TempDir(), "gateway.db")
	s, err := store.NewBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s2, err := store.NewBolt(path); err == nil {
		s2.Close()
		t.Fatal("second NewBolt on a locked file succeeded")
	}
}

// queueBehindHeldWriter starts n writes while the bbolt write lock is held,
// gives them time to queue up, and releases the lock.
func queueBehindHeldWriter(s store.Store, n int, write func(i int)) {
	release := store.HoldBoltWriter(s)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { write(i) })
	}
	time.Sleep(100 * time.Millisecond)
	release()
	wg.Wait()
}

// Concurrent writes share transactions (and fsyncs): N rotations of different
// families commit in fewer than N transactions.
func TestBoltGroupCommit(t *testing.T) {
	ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
	s := newBolt(t)
	defer s.Close()
	const n = 32
	var raws, succs [n]string
	var errs [n]error
	for i := range raws {
		raws[i], _ = s.CreateFamily(ctx, testFamily(now), now)
	}

	before := store.BoltCommits(s)
	queueBehindHeldWriter(s, n, func(i int) {
		var res store.RotateResult
		res, errs[i] = s.Rotate(ctx, raws[i], now, 0, time.Hour)
		succs[i] = res.Successor
	})
	commits := store.BoltCommits(s) - before
	t.Logf("%d rotations in %d transactions", n, commits)
	if commits >= n {
		t.Fatalf("%d rotations took %d transactions, want fewer", n, commits)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("rotation %d: %v", i, errs[i])
		}
		// Committed: the old token is now reuse, the successor rotates.
		if _, err := s.Rotate(ctx, succs[i], now.Add(time.Second), 0, time.Hour); err != nil {
			t.Fatalf("successor %d: %v", i, err)
		}
	}
}

// A storage error in one write rolls back its group's transaction, but its
// neighbours are retried alone and succeed; only the bad write fails.
func TestBoltGroupCommitIsolatesFailure(t *testing.T) {
	ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
	s := newBolt(t)
	defer s.Close()
	const n = 8
	var raws [n]string
	var errs [n + 1]error
	for i := range raws {
		raws[i], _ = s.CreateFamily(ctx, testFamily(now), now)
	}
	broken := errors.New("disk on fire")

	queueBehindHeldWriter(s, n+1, func(i int) {
		if i == n {
			errs[i] = store.BoltWrite(s, func(*bolt.Tx) error { return broken })
			return
		}
		_, errs[i] = s.Rotate(ctx, raws[i], now, 0, time.Hour)
	})
	if !errors.Is(errs[n], store.ErrUnavailable) || !errors.Is(errs[n], broken) {
		t.Fatalf("failing write = %v, want ErrUnavailable wrapping %v", errs[n], broken)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("rotation %d next to a failing write: %v", i, errs[i])
		}
		if _, err := s.Rotate(ctx, raws[i], now.Add(time.Second), 0, time.Hour); !errors.Is(err, store.ErrReuseDetected) {
			t.Fatalf("replaying token %d = %v; its rotation was not committed", i, err)
		}
	}
}

// After Close every write fails with ErrUnavailable instead of blocking.
func TestBoltWriteAfterClose(t *testing.T) {
	ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
	s := newBolt(t)
	raw, _ := s.CreateFamily(ctx, testFamily(now), now)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.CreateFamily(ctx, testFamily(now), now); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("CreateFamily after Close = %v, want ErrUnavailable", err)
	}
	if _, err := s.Rotate(ctx, raw, now, 0, time.Hour); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Rotate after Close = %v, want ErrUnavailable", err)
	}
	if err := s.RevokeToken(ctx, raw); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("RevokeToken after Close = %v, want ErrUnavailable", err)
	}
}
