package store

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	bolt "go.etcd.io/bbolt"
)

// ProviderRTOf peeks at the stored provider refresh token of raw's family in a
// memory or bolt store, for tests of what the interface cannot show.
func ProviderRTOf(s Store, raw string) (prt []byte, found bool) {
	fid, _, ok := parseToken(raw)
	if !ok {
		return nil, false
	}
	switch s := s.(type) {
	case *memory:
		s.mu.Lock()
		defer s.mu.Unlock()
		if fam, ok := s.fams[fid]; ok {
			return fam.rec.ProviderRT, true
		}
	case *boltStore:
		s.db.View(func(tx *bolt.Tx) error {
			if v := tx.Bucket(bucketFamilies).Get([]byte(fid)); v != nil {
				var r record
				found = json.Unmarshal(v, &r) == nil
				prt = r.ProviderRT
			}
			return nil
		})
	}
	return prt, found
}

// UsedCount is the number of consumed hashes a memory or bolt store keeps for
// raw's family.
func UsedCount(s Store, raw string) int {
	fid, _, _ := parseToken(raw)
	switch s := s.(type) {
	case *memory:
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.fams[fid].used)
	case *boltStore:
		n := 0
		s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketUsed).Cursor()
			for k, _ := c.Seek([]byte(fid)); k != nil && strings.HasPrefix(string(k), fid); k, _ = c.Next() {
				n++
			}
			return nil
		})
		return n
	}
	return -1
}

// SetBoltLockTimeout shortens the wait for a locked bolt file in tests.
func SetBoltLockTimeout(d time.Duration) (restore func()) {
	old := boltLockTimeout
	boltLockTimeout = d
	return func() { boltLockTimeout = old }
}

// BoltCommits is how many write transactions a bolt store's writer has run.
func BoltCommits(s Store) int64 { return s.(*boltStore).commits.Load() }

// BoltWrite runs fn through a bolt store's group commit, as its methods do.
func BoltWrite(s Store, fn func(tx *bolt.Tx) error) error { return s.(*boltStore).batch(fn) }

// HoldBoltWriter keeps bbolt's write lock until release is called, as a slow
// fsync would: writes sent meanwhile queue up for the next group.
func HoldBoltWriter(s Store) (release func()) {
	held, rel, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s.(*boltStore).db.Update(func(*bolt.Tx) error {
			close(held)
			<-rel
			return errNoWrite
		})
	}()
	<-held
	return func() { close(rel); <-done }
}

// NewRedisCallerClock is NewRedis with rotations timed by the caller's now, for
// the store test suite, which moves time by hand.
func NewRedisCallerClock(client redis.UniversalClient) Store {
	return &redisStore{c: client, callerClock: true}
}

// RedisClientForURL is the client NewRedisURL builds for url.
func RedisClientForURL(url string) (redis.UniversalClient, error) { return newRedisClient(url) }
