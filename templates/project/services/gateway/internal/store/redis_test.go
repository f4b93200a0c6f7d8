package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
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

// Grace and expiry come from the Redis server's clock: the callers' clocks
// (here hours off) do not matter, miniredis's does.
func TestRedisRotationUsesTheServerClock(t *testing.T) {
	ctx := t.Context()
	mr := miniredis.RunT(t)
	serverNow := time.Now().Truncate(time.Millisecond)
	mr.SetTime(serverNow)
	s := store.NewRedis(redis.NewClient(&redis.Options{Addr: mr.Addr()}))
	defer s.Close()
	raw, err := s.CreateFamily(ctx, testFamily(serverNow), serverNow)
	if err != nil {
		t.Fatal(err)
	}
	farFuture := serverNow.Add(48 * time.Hour) // past both the grace and the ttl
	first, err := s.Rotate(ctx, raw, farFuture, 10*time.Second, time.Hour)
	if err != nil {
		t.Fatalf("a caller clock past the ttl expired the token: %v", err)
	}
	mr.SetTime(serverNow.Add(5 * time.Second))
	again, err := s.Rotate(ctx, raw, serverNow.Add(-time.Hour), 10*time.Second, time.Hour)
	if err != nil || again.Successor != first.Successor {
		t.Fatalf("within the server's grace: %v (same successor %v)", err, again.Successor == first.Successor)
	}
	mr.SetTime(serverNow.Add(11 * time.Second))
	if _, err := s.Rotate(ctx, raw, serverNow, 10*time.Second, time.Hour); !errors.Is(err, store.ErrReuseDetected) {
		t.Fatalf("past the server's grace: %v, want ErrReuseDetected", err)
	}
}

// Two replicas whose clocks are 30 s apart (three times the grace) refresh one
// token in parallel, as two tabs of one browser do: both get the same
// successor, and the family stays alive.
func TestRedisReplicaClockSkewNeverRevokes(t *testing.T) {
	ctx := t.Context()
	mr := miniredis.RunT(t)
	now := time.Now()
	mr.SetTime(now)
	a := store.NewRedis(redis.NewClient(&redis.Options{Addr: mr.Addr()}))
	b := store.NewRedis(redis.NewClient(&redis.Options{Addr: mr.Addr()}))
	defer a.Close()
	defer b.Close()
	raw, err := a.CreateFamily(ctx, testFamily(now), now)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var wg sync.WaitGroup
		results := make([]store.RotateResult, 2)
		errs := make([]error, 2)
		for i, st := range []store.Store{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				skewed := now.Add(time.Duration(i) * 30 * time.Second)
				results[i], errs[i] = st.Rotate(ctx, raw, skewed, 10*time.Second, time.Hour)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || results[0].Successor != results[1].Successor {
			t.Fatalf("parallel refresh on skewed replicas: %v / %v (same successor %v)", errs[0], errs[1], results[0].Successor == results[1].Successor)
		}
		raw = results[0].Successor
		now = now.Add(time.Minute) // the next refresh, a minute later
		mr.SetTime(now)
	}
}

// REDIS_URL's three shapes: one server, Sentinel (master_name), cluster (addr).
func TestRedisURLKinds(t *testing.T) {
	for url, want := range map[string]string{
		"redis://127.0.0.1:1/0":                                     "*redis.Client",
		"rediss://user:pw@127.0.0.1:1/0":                            "*redis.Client",
		"redis://127.0.0.1:1?master_name=mymaster&addr=127.0.0.1:2": "*redis.Client", // a failover client is a *redis.Client
		"redis://127.0.0.1:1?addr=127.0.0.1:2&addr=127.0.0.1:3":     "*redis.ClusterClient",
	} {
		c, err := store.RedisClientForURL(url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if got := fmt.Sprintf("%T", c); got != want {
			t.Errorf("%s: %s, want %s", url, got, want)
		}
		c.Close()
	}
	if _, err := store.RedisClientForURL("redis://h:1?master_name=m&bogus=1"); err == nil {
		t.Error("an unknown option was accepted")
	}
}
