package store_test

import (
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

// Backends that do not expire data themselves: memory and bolt.
var embedded = []struct {
	name string
	new  func(testing.TB) store.Store
}{
	{"memory", newMemory},
	{"bolt", newBolt},
}

// Logout and reuse detection must delete the provider refresh token (README.md:
// deleted at logout), not merely hide it behind the revoked flag.
func TestRevokeDeletesProviderRT(t *testing.T) {
	for _, b := range embedded {
		t.Run(b.name, func(t *testing.T) {
			ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
			s := b.new(t)
			defer s.Close()

			logout, _ := s.CreateFamily(ctx, testFamily(now), now)
			if prt, ok := store.ProviderRTOf(s, logout); !ok || string(prt) != "sealed" {
				t.Fatalf("before logout: %q, %v", prt, ok)
			}
			s.RevokeToken(ctx, logout)
			if prt, ok := store.ProviderRTOf(s, logout); !ok || prt != nil {
				t.Fatalf("after logout: %q, %v; want a revoked family without provider token", prt, ok)
			}

			reused, _ := s.CreateFamily(ctx, testFamily(now), now)
			s.Rotate(ctx, reused, now, 0, time.Hour)
			s.Rotate(ctx, reused, now.Add(time.Second), 0, time.Hour)
			if prt, ok := store.ProviderRTOf(s, reused); !ok || prt != nil {
				t.Fatalf("after reuse: %q, %v", prt, ok)
			}
		})
	}
}

// The log of consumed tokens must not grow without bound for a long-lived
// family: entries older than ttl are trimmed (at most once per ttl/16).
func TestUsedLogIsTrimmed(t *testing.T) {
	const ttl = time.Hour
	for _, b := range embedded {
		t.Run(b.name, func(t *testing.T) {
			ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
			s := b.new(t)
			defer s.Close()
			f := testFamily(now)
			f.Expiry = time.Time{}
			raw, _ := s.CreateFamily(ctx, f, now)
			for i := range 200 {
				res, err := s.Rotate(ctx, raw, now.Add(time.Duration(i)*ttl/8), 0, ttl)
				if err != nil {
					t.Fatalf("rotation %d: %v", i, err)
				}
				raw = res.Successor
			}
			// 8 rotations per ttl are live, plus at most ttl/16 of slack.
			if n := store.UsedCount(s, raw); n < 8 || n > 10 {
				t.Fatalf("used log holds %d entries, want 8..10", n)
			}
		})
	}
}

func TestSweep(t *testing.T) {
	const ttl = time.Hour
	for _, b := range embedded {
		t.Run(b.name, func(t *testing.T) {
			ctx, now := t.Context(), time.UnixMilli(time.Now().UnixMilli())
			s := b.new(t)
			defer s.Close()
			sw := s.(store.Sweeper)

			idle, _ := s.CreateFamily(ctx, testFamily(now), now) // never used: dead at +ttl
			active, _ := s.CreateFamily(ctx, testFamily(now), now)
			res, _ := s.Rotate(ctx, active, now.Add(50*time.Minute), 0, ttl)
			short := testFamily(now)
			short.Expiry = now.Add(10 * time.Minute) // dead at its absolute expiry
			s.CreateFamily(ctx, short, now)

			if n, err := sw.Sweep(ctx, now.Add(ttl-time.Millisecond), ttl); err != nil || n != 1 {
				t.Fatalf("first sweep = %d, %v; want 1 (the short family)", n, err)
			}
			if n, err := sw.Sweep(ctx, now.Add(ttl), ttl); err != nil || n != 1 {
				t.Fatalf("second sweep = %d, %v; want 1 (the idle family)", n, err)
			}
			if _, ok := store.ProviderRTOf(s, idle); ok {
				t.Fatal("the idle family is still stored")
			}
			if n := store.UsedCount(s, active); n != 1 {
				t.Fatalf("the active family's used log has %d entries, want 1", n)
			}
			if _, err := s.Rotate(ctx, res.Successor, now.Add(ttl), 0, ttl); err != nil {
				t.Fatalf("the active family did not survive the sweep: %v", err)
			}
		})
	}
}
