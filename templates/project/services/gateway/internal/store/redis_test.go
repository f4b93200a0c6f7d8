package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

// The key layout of redis.go: both keys hash-tagged by fid, expiring when the
// newest token does; once Redis drops them the token is ErrNotFound.
func TestRedisKeys(t *testing.T) {
	ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
	s, mr := newMiniredis(t)
	defer s.Close()
	f := testFamily(now)
	raw, _ := s.CreateFamily(ctx, f, now)
	fid := raw[:22]
	fam, used := "gw:rt:{"+fid+"}:fam", "gw:rt:{"+fid+"}:used"
	if ttl := mr.TTL(fam); ttl <= 23*time.Hour || ttl > 24*time.Hour {
		t.Fatalf("TTL of %s after create = %v, want the family expiry (24h)", fam, ttl)
	}
	if got := mr.HGet(fam, "prt"); got != "sealed" {
		t.Fatalf("prt = %q", got)
	}

	res, err := s.Rotate(ctx, raw, now, 0, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{fam, used} {
		if ttl := mr.TTL(k); ttl <= 59*time.Minute || ttl > time.Hour {
			t.Fatalf("TTL of %s after rotate = %v, want the successor's ttl (1h)", k, ttl)
		}
	}
	if keys := mr.Keys(); len(keys) != 2 {
		t.Fatalf("keys = %v, want exactly the family's two", keys)
	}

	if err := s.RevokeToken(ctx, res.Successor); err != nil {
		t.Fatal(err)
	}
	if mr.HGet(fam, "st") != "revoked" || mr.HGet(fam, "prt") != "" {
		t.Fatalf("after logout: st=%q prt=%q", mr.HGet(fam, "st"), mr.HGet(fam, "prt"))
	}

	mr.FastForward(time.Hour)
	if _, err := s.Rotate(ctx, res.Successor, now.Add(time.Hour), 0, time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after the keys expired: %v, want ErrNotFound", err)
	}
}

// With Redis down every call fails with ErrUnavailable (503), and the same
// store works again once Redis is back, also after its script cache was lost.
func TestRedisOutageAndRecovery(t *testing.T) {
	ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
	s, mr := newMiniredis(t)
	defer s.Close()
	raw, err := s.CreateFamily(ctx, testFamily(now), now)
	if err != nil {
		t.Fatal(err)
	}

	mr.Close()
	if _, err := s.CreateFamily(ctx, testFamily(now), now); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("CreateFamily while down: %v", err)
	}
	if _, err := s.Rotate(ctx, raw, now, 0, time.Hour); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Rotate while down: %v", err)
	}
	if err := s.RevokeToken(ctx, raw); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("RevokeToken while down: %v", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping while down: %v", err)
	}

	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	// A real restart also empties the script cache: EVALSHA must fall back.
	admin := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer admin.Close()
	if err := admin.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after restart: %v", err)
	}
	if _, err := s.Rotate(ctx, raw, now, 0, time.Hour); err != nil {
		t.Fatalf("Rotate after restart: %v", err)
	}
}

// A gateway must start with Redis unreachable: constructing the store does not
// dial, and calls fail with ErrUnavailable rather than hanging or panicking.
func TestRedisUnreachableAtStart(t *testing.T) {
	s := store.NewRedis(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1}))
	defer s.Close()
	if err := s.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping = %v, want ErrUnavailable", err)
	}
	s2, err := store.NewRedisURL("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	start := time.Now()
	if err := s2.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Ping = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Ping on a refused port took %v; the 503 should come fast", d)
	}
	if _, err := store.NewRedisURL("not a url"); err == nil {
		t.Fatal("NewRedisURL accepted garbage")
	}
}
