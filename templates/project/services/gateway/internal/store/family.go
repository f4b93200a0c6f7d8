package store

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"time"
)

// record is the state of one family as the memory and bolt backends keep it
// (Redis keeps the same fields in a hash and applies the same rules in Lua).
// Times are Unix milliseconds; hashes are SHA-256 of raw tokens.
type record struct {
	UserID     string `json:"uid"`
	Provider   string `json:"prov"`
	Email      string `json:"email,omitempty"`
	Name       string `json:"name,omitempty"`
	Image      string `json:"image,omitempty"`
	ProviderRT []byte `json:"prt,omitempty"`
	Expiry     int64  `json:"abs,omitempty"` // 0 = no absolute limit
	Revoked    bool   `json:"rev,omitempty"`
	Cur        []byte `json:"cur"`    // the one token that may be rotated
	CurAt      int64  `json:"cur_at"` // its issue time
	Prev       []byte `json:"prev,omitempty"`
	PrevAt     int64  `json:"prev_at,omitempty"` // when Prev was rotated (= Cur's issue time)
	PrevSucc   []byte `json:"prev_succ,omitempty"`
	NextTrim   int64  `json:"next_trim,omitempty"` // see trimUsed
}

// usedLog remembers consumed token hashes with their consumption time, for reuse
// detection. Memory keeps a map, bolt a bucket.
type usedLog interface {
	consumedAt(h []byte) (at int64, ok bool, err error)
	add(h []byte, at int64) error
	// trim deletes entries consumed at or before cutoff and returns the oldest
	// remaining consumption time (0 if none).
	trim(cutoff int64) (oldest int64, err error)
}

func newRecord(f Family, hash []byte, now int64) *record {
	r := &record{
		UserID: f.UserID, Provider: f.Provider, Email: f.Email, Name: f.Name, Image: f.Image,
		ProviderRT: bytes.Clone(f.ProviderRT),
		Cur:        hash, CurAt: now,
	}
	if !f.Expiry.IsZero() {
		r.Expiry = f.Expiry.UnixMilli()
	}
	return r
}

func (r *record) family() Family {
	f := Family{
		UserID: r.UserID, Provider: r.Provider, Email: r.Email, Name: r.Name, Image: r.Image,
		ProviderRT: bytes.Clone(r.ProviderRT),
	}
	if r.Expiry != 0 {
		f.Expiry = time.UnixMilli(r.Expiry)
	}
	return f
}

// dead reports whether no token of the family can be valid at now: the newest
// one is the last to expire.
func (r *record) dead(now, ttl int64) bool {
	return (r.Expiry != 0 && now >= r.Expiry) || now >= r.CurAt+ttl
}

// rotation is one Rotate call, prepared outside any lock or transaction.
type rotation struct {
	raw, fid   string
	hash       []byte
	now        int64
	grace, ttl int64
	succ       string // successor to issue if this call really rotates
	succHash   []byte
	sealedSucc []byte
}

func newRotation(raw string, now time.Time, grace, ttl time.Duration) (*rotation, error) {
	if ttl < time.Millisecond || grace < 0 {
		return nil, errors.New("store: ttl must be at least 1ms and grace must not be negative")
	}
	fid, h, ok := parseToken(raw)
	if !ok {
		return nil, ErrNotFound
	}
	succ := newToken(fid)
	return &rotation{
		raw: raw, fid: fid, hash: h,
		now: now.UnixMilli(), grace: grace.Milliseconds(), ttl: ttl.Milliseconds(),
		succ: succ, succHash: hashToken(succ), sealedSucc: sealSuccessor(raw, fid, succ),
	}, nil
}

type tokenKind int

const (
	kindUnknown tokenKind = iota
	kindCur
	kindPrev
	kindUsed
)

// classify says which token of r the hash is. A consumed token is forgotten once
// it could no longer be valid anyway (consumed + ttl), because that is when the
// used log may trim it; before trimming the answer is the same.
func (r *record) classify(h []byte, now, ttl int64, used usedLog) (tokenKind, error) {
	// Constant-time compares cost nothing here, so no timing question arises.
	switch {
	case subtle.ConstantTimeCompare(h, r.Cur) == 1:
		return kindCur, nil
	case r.Prev != nil && subtle.ConstantTimeCompare(h, r.Prev) == 1:
		if now < r.PrevAt+ttl {
			return kindPrev, nil
		}
		return kindUnknown, nil
	}
	at, ok, err := used.consumedAt(h)
	if err != nil || !ok || now >= at+ttl {
		return kindUnknown, err
	}
	return kindUsed, nil
}

// rotate applies the rotation rules (the Lua script in redis.go is the same
// logic). dirty reports that r or used changed and must be written back, which
// also holds when err is ErrReuseDetected.
func (r *record) rotate(p *rotation, used usedLog) (res RotateResult, dirty bool, err error) {
	kind, err := r.classify(p.hash, p.now, p.ttl, used)
	switch {
	case err != nil:
		return res, false, err
	case kind == kindUnknown:
		// Garbage carrying a valid fid must not revoke: fids may leak in logs.
		return res, false, ErrNotFound
	case r.Revoked:
		return res, false, ErrFamilyRevoked
	case r.Expiry != 0 && p.now >= r.Expiry:
		return res, false, ErrExpired
	case kind == kindCur:
		if p.now >= r.CurAt+p.ttl {
			return res, false, ErrExpired
		}
		if err := used.add(r.Cur, p.now); err != nil {
			return res, false, err
		}
		r.Prev, r.PrevAt, r.PrevSucc = r.Cur, p.now, p.sealedSucc
		r.Cur, r.CurAt = p.succHash, p.now
		if err := r.trimUsed(p.now, p.ttl, used); err != nil {
			return res, false, err
		}
		return r.result(p.succ, p.now, p.ttl), true, nil
	case kind == kindPrev && p.now-r.PrevAt <= p.grace:
		// A parallel or retried refresh: hand out the same successor again.
		succ, err := openSuccessor(p.raw, p.fid, r.PrevSucc)
		if err != nil {
			return res, false, err
		}
		res = r.result(succ, r.PrevAt, p.ttl)
		res.Reissued = true
		return res, false, nil
	default:
		// A rotated token came back after its grace window (or after a later
		// rotation): someone else holds a copy. RFC 9700, section 4.14: revoke the family.
		r.revoke()
		return res, true, ErrReuseDetected
	}
}

// trimUsed drops consumed hashes that can no longer matter. A scan of the log
// runs at most once per ttl/16 per family, so a busy family's log is not scanned
// on every rotation; entries may live that much longer, which classify ignores.
func (r *record) trimUsed(now, ttl int64, used usedLog) error {
	if now < r.NextTrim {
		return nil
	}
	oldest, err := used.trim(now - ttl)
	if err != nil {
		return err
	}
	r.NextTrim = max(oldest+ttl, now+ttl/16)
	return nil
}

func (r *record) result(succ string, issued, ttl int64) RotateResult {
	exp := issued + ttl
	if r.Expiry != 0 && r.Expiry < exp {
		exp = r.Expiry
	}
	return RotateResult{Family: r.family(), Successor: succ, ExpiresAt: time.UnixMilli(exp)}
}

// knows reports whether h is any token of the family, however old; logout
// accepts any of them but, like Rotate, never revokes on garbage.
func (r *record) knows(h []byte, used usedLog) (bool, error) {
	if subtle.ConstantTimeCompare(h, r.Cur) == 1 ||
		(r.Prev != nil && subtle.ConstantTimeCompare(h, r.Prev) == 1) {
		return true, nil
	}
	_, ok, err := used.consumedAt(h)
	return ok, err
}

// revoke marks the family revoked and forgets the provider refresh token, which
// is useless from now on and must not outlive the session (README.md).
func (r *record) revoke() {
	r.Revoked = true
	r.ProviderRT = nil
	r.PrevSucc = nil
}
