package token

import (
	"hash/maphash"
	"sync"
	"time"
)

// DefaultCacheSize bounds the verified-token cache.
const DefaultCacheSize = 8192

const cacheShards = 16

// Cache remembers verified tokens until they expire. It is bounded: when a
// shard is full an expired entry is dropped, or else an arbitrary one.
type Cache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
	limit  int // per shard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]cacheEntry
}

type cacheEntry struct {
	claims  *Claims
	expires time.Time
}

// NewCache returns a cache holding at most size tokens.
func NewCache(size int) *Cache {
	c := &Cache{seed: maphash.MakeSeed(), limit: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]cacheEntry)
	}
	return c
}

func (c *Cache) shard(raw string) *cacheShard {
	return &c.shards[maphash.String(c.seed, raw)%cacheShards]
}

// Get returns the claims of raw if it is cached and expires after now.
func (c *Cache) Get(raw string, now time.Time) (*Claims, bool) {
	s := c.shard(raw)
	s.mu.RLock()
	e, ok := s.m[raw]
	s.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	return e.claims, true
}

// Put caches claims for raw until expires.
func (c *Cache) Put(raw string, claims *Claims, expires time.Time) {
	s := c.shard(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[raw]; !ok && len(s.m) >= c.limit {
		now := time.Now()
		victim, scanned := "", 0
		for k, e := range s.m {
			if victim == "" || !now.Before(e.expires) {
				victim = k
				if !now.Before(e.expires) {
					break
				}
			}
			if scanned++; scanned >= 8 {
				break
			}
		}
		delete(s.m, victim)
	}
	s.m[raw] = cacheEntry{claims: claims, expires: expires}
}

// Len is the number of cached tokens.
func (c *Cache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
