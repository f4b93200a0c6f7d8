// Package storetest is the conformance suite every store.Store backend must pass.
// Use it from a backend's tests:
//
//	func TestMemory(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
//	}
//
// Times handed to the store start at the real clock (to the millisecond), so
// backends whose keys expire by wall clock (Redis PEXPIREAT) keep the data while
// the suite moves its own clock forward by up to a few hours.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

// The TTL and grace the suite rotates with (the gateway's defaults are 336h and 10s; a
// shorter ttl keeps Redis keys from lingering on a shared server).
const (
	TTL   = time.Hour
	Grace = 10 * time.Second
)

// Run runs every conformance test against fresh stores made by newStore, one per
// test; Run closes them.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(newHarness(t, s))
		})
	}
}

var tests = []struct {
	name string
	fn   func(h *harness)
}{
	{"TokenFormat", testTokenFormat},
	{"Rotate", testRotate},
	{"RotateChain", testRotateChain},
	{"ProviderRTRoundTrip", testProviderRTRoundTrip},
	{"NoAbsoluteExpiry", testNoAbsoluteExpiry},
	{"FirstTokenExpiresAfterTTL", testFirstTokenExpires},
	{"EachTokenValidForTTLFromItsIssue", testSuccessorTTL},
	{"ExpiresAtCappedByFamilyExpiry", testExpiresAtCapped},
	{"FamilyExpiry", testFamilyExpiry},
	{"GraceRetryReturnsSameSuccessor", testGraceRetry},
	{"GraceRetrySuccessorRotates", testGraceRetrySuccessorRotates},
	{"ReplayAfterGraceRevokesFamily", testReplayAfterGrace},
	{"ReplayOfOlderTokenWithinGrace", testReplayOlderWithinGrace},
	{"ConsumedTokenForgottenAfterTTL", testConsumedForgotten},
	{"GarbageWithValidFIDRevokesNothing", testGarbageWithFID},
	{"MalformedAndUnknownTokens", testMalformed},
	{"FamiliesAreIndependent", testFamiliesIndependent},
	{"CreateRejectsExpiredFamily", testCreateRejectsExpired},
	{"RotateRejectsBadDurations", testBadDurations},
	{"RevokeTokenThenRotate", testRevokeThenRotate},
	{"RevokeTokenWithConsumedToken", testRevokeWithConsumed},
	{"RevokeTokenUnknownIsNil", testRevokeUnknown},
	{"RevokeTokenTwice", testRevokeTwice},
	{"ConcurrentRotateSameToken", testConcurrentSameToken},
	{"ConcurrentRotateManyFamilies", testConcurrentManyFamilies},
	{"Ping", testPing},
}

type harness struct {
	*testing.T
	s    store.Store
	ctx  context.Context
	base time.Time
}

func newHarness(t *testing.T, s store.Store) *harness {
	return &harness{T: t, s: s, ctx: t.Context(), base: time.UnixMilli(time.Now().UnixMilli())}
}

// at is the suite's clock: base + d.
func (h *harness) at(d time.Duration) time.Time { return h.base.Add(d) }

func (h *harness) family() store.Family {
	return store.Family{
		UserID: "user-1", Provider: "google",
		Email: "a@example.com", Name: "Ann", Image: "https://example.com/a.png",
		ProviderRT: []byte{0, 1, 2, 0xff, 'r', 't'},
		Expiry:     h.at(30 * 24 * time.Hour),
	}
}

func (h *harness) create(f store.Family) string {
	h.Helper()
	raw, err := h.s.CreateFamily(h.ctx, f, h.base)
	if err != nil {
		h.Fatalf("CreateFamily: %v", err)
	}
	return raw
}

func (h *harness) rotate(raw string, d time.Duration) (store.RotateResult, error) {
	return h.s.Rotate(h.ctx, raw, h.at(d), Grace, TTL)
}

func (h *harness) mustRotate(raw string, d time.Duration) store.RotateResult {
	h.Helper()
	res, err := h.rotate(raw, d)
	if err != nil {
		h.Fatalf("Rotate at +%v: %v", d, err)
	}
	if res.Successor == "" || res.Successor == raw {
		h.Fatalf("Rotate at +%v: bad successor %q", d, res.Successor)
	}
	return res
}

func (h *harness) wantErr(raw string, d time.Duration, want error) {
	h.Helper()
	res, err := h.rotate(raw, d)
	if !errors.Is(err, want) {
		h.Fatalf("Rotate at +%v: got (%q, %v), want %v", d, res.Successor, err, want)
	}
}

// wantExpired accepts ErrNotFound too: a backend may already have dropped
// expired data (documented on store.ErrExpired).
func (h *harness) wantExpired(raw string, d time.Duration) {
	h.Helper()
	_, err := h.rotate(raw, d)
	if !errors.Is(err, store.ErrExpired) && !errors.Is(err, store.ErrNotFound) {
		h.Fatalf("Rotate at +%v: got %v, want ErrExpired (or ErrNotFound)", d, err)
	}
}

func (h *harness) revoke(raw string) {
	h.Helper()
	if err := h.s.RevokeToken(h.ctx, raw); err != nil {
		h.Fatalf("RevokeToken: %v", err)
	}
}
