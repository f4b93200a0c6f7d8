package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

var errClosed = fmt.Errorf("%w: store closed", ErrUnavailable)

// NewMemory returns a Store that keeps everything in process memory. Sessions are
// lost on restart: use it for tests and throwaway dev runs only.
func NewMemory() Store {
	return &memory{fams: make(map[string]*memFamily)}
}

type memory struct {
	mu     sync.Mutex // one lock for everything: rotations are microseconds
	fams   map[string]*memFamily
	closed bool
}

type memFamily struct {
	rec  record
	used memUsed
}

// memUsed maps string(hash) to its consumption time.
type memUsed map[string]int64

func (u memUsed) consumedAt(h []byte) (int64, bool, error) {
	at, ok := u[string(h)]
	return at, ok, nil
}

func (u memUsed) add(h []byte, at int64) error { u[string(h)] = at; return nil }

func (u memUsed) trim(cutoff int64) (int64, error) {
	var oldest int64
	for h, at := range u {
		if at <= cutoff {
			delete(u, h)
		} else if oldest == 0 || at < oldest {
			oldest = at
		}
	}
	return oldest, nil
}

// checkNewFamily rejects families that could never yield a valid token.
func checkNewFamily(f Family, now time.Time) error {
	if !f.Expiry.IsZero() && !now.Before(f.Expiry) {
		return errors.New("store: family expiry is not after now")
	}
	return nil
}

func (m *memory) CreateFamily(ctx context.Context, f Family, now time.Time) (string, error) {
	if err := checkNewFamily(f, now); err != nil {
		return "", err
	}
	fid := newFID()
	raw := newToken(fid)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return "", errClosed
	}
	m.fams[fid] = &memFamily{rec: *newRecord(f, hashToken(raw), now.UnixMilli()), used: memUsed{}}
	return raw, nil
}

func (m *memory) Rotate(ctx context.Context, raw string, now time.Time, grace, ttl time.Duration) (RotateResult, error) {
	p, err := newRotation(raw, now, grace, ttl)
	if err != nil {
		return RotateResult{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return RotateResult{}, errClosed
	}
	fam, ok := m.fams[p.fid]
	if !ok {
		return RotateResult{}, ErrNotFound
	}
	// The record is mutated in place; rotate only mutates on its final paths.
	res, _, err := fam.rec.rotate(p, fam.used)
	return res, err
}

func (m *memory) RevokeToken(ctx context.Context, raw string) error {
	fid, h, ok := parseToken(raw)
	if !ok {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	fam, ok := m.fams[fid]
	if !ok {
		return nil
	}
	if known, _ := fam.rec.knows(h, fam.used); known {
		fam.rec.revoke()
	}
	return nil
}

func (m *memory) Sweep(ctx context.Context, now time.Time, ttl time.Duration) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, errClosed
	}
	n := 0
	for fid, fam := range m.fams {
		if fam.rec.dead(now.UnixMilli(), ttl.Milliseconds()) {
			delete(m.fams, fid)
			n++
		}
	}
	return n, nil
}

func (m *memory) Ping(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	return nil
}

func (m *memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.fams = nil
	return nil
}
