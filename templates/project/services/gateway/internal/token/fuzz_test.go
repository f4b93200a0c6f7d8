package token_test

import (
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary strings to the verifier: it must never panic and
// must never accept anything that is not a token it minted itself.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	m, v := newPair(f, now)
	good, _, err := m.Mint(alice, now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := v.Verify(raw)
		if err != nil {
			return
		}
		if raw != good && c.Subject != alice.UserID {
			t.Fatalf("accepted a token the gateway did not mint: %q", raw)
		}
	})
}
