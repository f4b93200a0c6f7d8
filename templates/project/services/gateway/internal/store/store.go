// Package store keeps refresh-token families (README.md, token response): opaque rotating refresh
// tokens with reuse detection. Backends: NewMemory (tests, dev), NewBolt (the
// embedded default, survives restarts) and NewRedis (shared, several gateways).
// All backends pass the same conformance suite (package storetest).
//
// Time is always passed in by the caller so grace windows and expiry are testable;
// backends keep times at millisecond precision.
package store

import (
	"context"
	"errors"
	"time"
)

// Family is what a refresh-token family remembers about its session.
type Family struct {
	UserID             string // gateway user id (= access JWT sub)
	Provider           string
	Email, Name, Image string
	ProviderRT         []byte    // provider refresh token, sealed (AES-GCM) by the caller; may be empty
	Expiry             time.Time // absolute expiry of this family; zero means no absolute limit
}

// Store keeps refresh-token families. Implementations are safe for concurrent use.
type Store interface {
	// CreateFamily starts a family and returns its first raw refresh token
	// "<fid>.<secret>" (16 + 32 random bytes, base64url); only SHA-256(token) is stored.
	CreateFamily(ctx context.Context, f Family, now time.Time) (raw string, err error)
	// Rotate consumes raw and returns the family and its successor raw token. Within
	// grace of the first use, presenting raw again returns the same successor. A replay
	// after that revokes the family (ErrReuseDetected); later use of any of its tokens
	// gives ErrFamilyRevoked. Unknown or garbage tokens give ErrNotFound and revoke nothing.
	// Each token is valid for ttl from its own issue (ErrExpired after that).
	Rotate(ctx context.Context, raw string, now time.Time, grace, ttl time.Duration) (RotateResult, error)
	// RevokeToken revokes the family raw belongs to (logout) and deletes its provider
	// refresh token; unknown tokens are not an error.
	RevokeToken(ctx context.Context, raw string) error
	Ping(ctx context.Context) error
	Close() error
}

// RotateResult is the outcome of a successful Rotate.
type RotateResult struct {
	Family    Family
	Successor string    // new raw refresh token
	ExpiresAt time.Time // when Successor stops being valid (issue time + ttl, capped by Family.Expiry)
	// Reissued: the token was rotated moments ago and this is a retry within the grace
	// window, so Successor is the one that rotation issued (the gateway counts it apart).
	Reissued bool
}

var (
	// ErrNotFound: the token is unknown, malformed, or so old that the store forgot it.
	ErrNotFound = errors.New("store: refresh token not found")
	// ErrReuseDetected: a rotated token was presented after the grace window; the
	// family has just been revoked.
	ErrReuseDetected = errors.New("store: refresh token reuse detected; family revoked")
	// ErrFamilyRevoked: the token belongs to a family revoked earlier (reuse or logout).
	ErrFamilyRevoked = errors.New("store: refresh token family revoked")
	// ErrExpired: the token (issue + ttl) or its family (Family.Expiry) has expired.
	// A backend that already dropped the expired data (Redis key expiry) answers
	// ErrNotFound instead; callers should treat both alike.
	ErrExpired = errors.New("store: refresh token expired")
	// ErrUnavailable wraps every failure of the backend itself (connection refused,
	// timeout, disk error, store closed): the server answers 503 and retries later.
	ErrUnavailable = errors.New("store: unavailable")
)

// Sweeper is implemented by backends that do not expire data by themselves
// (memory, bolt). The server should call Sweep periodically (e.g. hourly) with the
// configured refresh TTL. Redis implements it as a no-op (keys carry PEXPIREAT).
type Sweeper interface {
	// Sweep deletes families none of whose tokens can be valid any more at now,
	// and returns how many it deleted.
	Sweep(ctx context.Context, now time.Time, ttl time.Duration) (int, error)
}

// TokenExpiry is when a token issued at issued stops being valid: issued + ttl,
// capped by the family's absolute expiry. It is what RotateResult.ExpiresAt holds;
// the server uses it for the first token of a family.
func TokenExpiry(f Family, issued time.Time, ttl time.Duration) time.Time {
	exp := time.UnixMilli(issued.UnixMilli() + ttl.Milliseconds())
	if !f.Expiry.IsZero() && f.Expiry.Before(exp) {
		return time.UnixMilli(f.Expiry.UnixMilli())
	}
	return exp
}
