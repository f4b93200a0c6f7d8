package storetest

import (
	"bytes"
	"errors"
	"regexp"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

// "<fid>.<secret>": 16 and 32 bytes, unpadded base64url.
var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$`)

func fid(raw string) string { return raw[:22] }

func testTokenFormat(h *harness) {
	a, b := h.create(h.family()), h.create(h.family())
	if !tokenRE.MatchString(a) || !tokenRE.MatchString(b) {
		h.Fatalf("tokens %q, %q do not look like <fid>.<secret>", a, b)
	}
	if fid(a) == fid(b) {
		h.Fatal("two families share a fid")
	}
	succ := h.mustRotate(a, 0).Successor
	if !tokenRE.MatchString(succ) || fid(succ) != fid(a) {
		h.Fatalf("successor %q is not a token of family %s", succ, fid(a))
	}
}

func sameFamily(a, b store.Family) bool {
	return a.UserID == b.UserID && a.Provider == b.Provider && a.Email == b.Email &&
		a.Name == b.Name && a.Image == b.Image && bytes.Equal(a.ProviderRT, b.ProviderRT) &&
		a.Expiry.Equal(b.Expiry)
}

func testRotate(h *harness) {
	f := h.family()
	raw := h.create(f)
	res := h.mustRotate(raw, time.Minute)
	if !sameFamily(res.Family, f) {
		h.Fatalf("family = %+v, want %+v", res.Family, f)
	}
	if want := h.at(time.Minute + TTL); !res.ExpiresAt.Equal(want) {
		h.Fatalf("ExpiresAt = %v, want issue + ttl = %v", res.ExpiresAt, want)
	}
	if got := store.TokenExpiry(f, h.at(time.Minute), TTL); !got.Equal(res.ExpiresAt) {
		h.Fatalf("TokenExpiry = %v, want %v", got, res.ExpiresAt)
	}
}

func testRotateChain(h *harness) {
	raw := h.create(h.family())
	seen := map[string]bool{raw: true}
	for i := range 10 {
		raw = h.mustRotate(raw, time.Duration(i)*time.Minute).Successor
		if seen[raw] {
			h.Fatalf("rotation %d returned an earlier token", i)
		}
		seen[raw] = true
	}
}

func testProviderRTRoundTrip(h *harness) {
	f := h.family()
	f.ProviderRT = append(bytes.Repeat([]byte{0, 0xff, '"', '\\'}, 64), "é\n"...)
	res := h.mustRotate(h.create(f), 0)
	if !bytes.Equal(res.Family.ProviderRT, f.ProviderRT) {
		h.Fatalf("ProviderRT changed: %x", res.Family.ProviderRT)
	}
	f.ProviderRT, f.Email, f.Name, f.Image = nil, "", "", ""
	res = h.mustRotate(h.create(f), 0)
	if len(res.Family.ProviderRT) != 0 || !sameFamily(res.Family, f) {
		h.Fatalf("empty fields came back as %+v", res.Family)
	}
}

func testNoAbsoluteExpiry(h *harness) {
	f := h.family()
	f.Expiry = time.Time{}
	res := h.mustRotate(h.create(f), time.Minute)
	if !res.Family.Expiry.IsZero() {
		h.Fatalf("Family.Expiry = %v, want zero", res.Family.Expiry)
	}
	if want := h.at(time.Minute + TTL); !res.ExpiresAt.Equal(want) {
		h.Fatalf("ExpiresAt = %v, want %v", res.ExpiresAt, want)
	}
}

func testFirstTokenExpires(h *harness) {
	a, b := h.create(h.family()), h.create(h.family())
	h.mustRotate(a, TTL-time.Millisecond) // last valid millisecond
	h.wantExpired(b, TTL)
}

func testSuccessorTTL(h *harness) {
	raw := h.create(h.family())
	s1 := h.mustRotate(raw, 30*time.Minute).Successor // issued at +30m
	// s1 is valid for a full ttl from its own issue, not from the family's start.
	s2 := h.mustRotate(s1, 30*time.Minute+TTL-time.Millisecond)
	if want := h.at(30*time.Minute + 2*TTL - time.Millisecond); !s2.ExpiresAt.Equal(want) {
		h.Fatalf("ExpiresAt = %v, want %v", s2.ExpiresAt, want)
	}
	h.wantExpired(s2.Successor, 30*time.Minute+2*TTL-time.Millisecond)
}

func testExpiresAtCapped(h *harness) {
	f := h.family()
	f.Expiry = h.at(90 * time.Minute)
	res := h.mustRotate(h.create(f), 45*time.Minute)
	if !res.ExpiresAt.Equal(f.Expiry) {
		h.Fatalf("ExpiresAt = %v, want the family expiry %v", res.ExpiresAt, f.Expiry)
	}
	h.wantExpired(res.Successor, 90*time.Minute)
}

func testFamilyExpiry(h *harness) {
	f := h.family()
	f.Expiry = h.at(30 * time.Minute)
	raw := h.create(f)
	h.wantExpired(raw, 30*time.Minute)
}

func testGraceRetry(h *harness) {
	raw := h.create(h.family())
	first := h.mustRotate(raw, 0)
	if first.Reissued {
		h.Fatalf("the first rotation says Reissued")
	}
	for _, d := range []time.Duration{0, time.Millisecond, Grace} {
		again := h.mustRotate(raw, d)
		if again.Successor != first.Successor || !again.ExpiresAt.Equal(first.ExpiresAt) ||
			!sameFamily(again.Family, first.Family) || !again.Reissued {
			h.Fatalf("retry at +%v: got %q (expires %v), want %q (expires %v)",
				d, again.Successor, again.ExpiresAt, first.Successor, first.ExpiresAt)
		}
	}
}

func testGraceRetrySuccessorRotates(h *harness) {
	raw := h.create(h.family())
	h.mustRotate(raw, 0)
	succ := h.mustRotate(raw, Grace).Successor // a retry's successor
	next := h.mustRotate(succ, Grace+time.Second)
	h.mustRotate(next.Successor, 2*Grace+time.Minute)
}

func testReplayAfterGrace(h *harness) {
	raw := h.create(h.family())
	succ := h.mustRotate(raw, 0).Successor
	h.wantErr(raw, Grace+time.Millisecond, store.ErrReuseDetected)
	// Every token of the family is refused from now on, the newest included,
	// and a second replay only reports the revocation.
	h.wantErr(succ, Grace+time.Second, store.ErrFamilyRevoked)
	h.wantErr(raw, Grace+time.Second, store.ErrFamilyRevoked)
}

// Within grace, only the latest rotated token gets its successor again. An
// older one (its successor has already been rotated too) is reuse: handing out
// a consumed successor would help nobody.
func testReplayOlderWithinGrace(h *harness) {
	t0 := h.create(h.family())
	t1 := h.mustRotate(t0, 0).Successor
	t2 := h.mustRotate(t1, time.Second).Successor
	h.wantErr(t0, 2*time.Second, store.ErrReuseDetected)
	h.wantErr(t2, 3*time.Second, store.ErrFamilyRevoked)
}

// A consumed token is forgotten once it could not be valid any more anyway
// (consumed + ttl): replaying it is ErrNotFound and revokes nothing.
func testConsumedForgotten(h *harness) {
	t0 := h.create(h.family())
	t1 := h.mustRotate(t0, 0).Successor
	t2 := h.mustRotate(t1, TTL-time.Millisecond).Successor
	h.wantErr(t0, TTL, store.ErrNotFound)
	h.mustRotate(t2, TTL)
}

func testGarbageWithFID(h *harness) {
	raw := h.create(h.family())
	other := h.create(h.family()) // a well-formed token of another family
	garbage := []string{
		fid(raw) + other[22:], // valid shape, unknown secret
		fid(raw) + ".",
		fid(raw) + "." + raw[23:len(raw)-1],
		raw + "A",
		fid(raw),
	}
	for _, g := range garbage {
		h.wantErr(g, time.Second, store.ErrNotFound)
		h.revoke(g)
	}
	// The family was neither consumed nor revoked.
	h.mustRotate(raw, 2*time.Second)
}

func testMalformed(h *harness) {
	raw := h.create(h.family())
	bad := []string{
		"", ".", "x", "a.b", raw[:22] + "!" + raw[23:],
		raw[:21] + "=" + raw[22:], // not base64url
		raw[:21] + "B" + raw[22:], // non-zero padding bits in the fid
		"Bearer " + raw,
	}
	for _, b := range bad {
		h.wantErr(b, 0, store.ErrNotFound)
	}
	// An unknown family: a real token from a store that never saw it.
	unknown := "AAAAAAAAAAAAAAAAAAAAAA." + raw[23:]
	h.wantErr(unknown, 0, store.ErrNotFound)
}

func testFamiliesIndependent(h *harness) {
	a, b := h.create(h.family()), h.create(h.family())
	h.mustRotate(a, 0)
	h.wantErr(a, time.Minute, store.ErrReuseDetected)
	h.mustRotate(b, time.Minute)
}

func testCreateRejectsExpired(h *harness) {
	f := h.family()
	f.Expiry = h.base
	if raw, err := h.s.CreateFamily(h.ctx, f, h.base); err == nil {
		h.Fatalf("CreateFamily with Expiry == now returned %q", raw)
	}
}

func testBadDurations(h *harness) {
	raw := h.create(h.family())
	bad := []struct{ grace, ttl time.Duration }{
		{Grace, 0},
		{Grace, -time.Hour},
		{-time.Second, TTL},
	}
	for _, d := range bad {
		_, err := h.s.Rotate(h.ctx, raw, h.base, d.grace, d.ttl)
		if err == nil || errors.Is(err, store.ErrUnavailable) {
			h.Fatalf("Rotate(grace %v, ttl %v) = %v, want a usage error", d.grace, d.ttl, err)
		}
	}
	h.mustRotate(raw, 0) // and the token was not consumed
}

func testPing(h *harness) {
	if err := h.s.Ping(h.ctx); err != nil {
		h.Fatalf("Ping: %v", err)
	}
}
