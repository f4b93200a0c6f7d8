package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store/storetest"
)

func newMemory(t testing.TB) store.Store { return store.NewMemory() }

func newBolt(t testing.TB) store.Store {
	s, err := store.NewBolt(filepath.Join(t.TempDir(), "data", "gateway.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newMiniredis returns a store on a fresh in-process miniredis and the server.
// Its rotations are timed by the caller's now, as the suite needs (the
// server's clock: TestRedisRotationUsesTheServerClock).
func newMiniredis(t testing.TB) (store.Store, *miniredis.Miniredis) {
	mr := miniredis.RunT(t)
	// One dial per attempt, as NewRedisURL sets, keeps the outage test short.
	return store.NewRedisCallerClock(redis.NewClient(&redis.Options{Addr: mr.Addr(), DialerRetries: 1})), mr
}

// newRealRedis returns a store on the redis-server at REDIS_URL. The suite uses
// random family ids and keys expire by PEXPIREAT, so a shared server is fine.
func newRealRedis(t testing.TB) store.Store {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		t.Skip("REDIS_URL not set; start one with\n" +
			"  redis-server --port 16379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes\n" +
			"and run with REDIS_URL=redis://127.0.0.1:16379/0")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	s := store.NewRedisCallerClock(redis.NewClient(opt))
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("REDIS_URL=%s: %v", url, err)
	}
	return s
}

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newMemory(t) })
}

func TestBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newBolt(t) })
}

func TestMiniredis(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { s, _ := newMiniredis(t); return s })
}

func TestRedis(t *testing.T) {
	newRealRedis(t) // skip early, not once per subtest
	storetest.Run(t, func(t *testing.T) store.Store { return newRealRedis(t) })
}
