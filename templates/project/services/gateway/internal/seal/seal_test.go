package seal_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
)

func box(t *testing.T, secret, purpose string) *seal.Box {
	t.Helper()
	b, err := seal.New([]byte(secret), purpose)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	b := box(t, "0123456789abcdef-secret", "provider-rt")
	for _, pt := range [][]byte{nil, {}, []byte("1//0g-refresh-token"), bytes.Repeat([]byte{0}, 4096)} {
		sealed := b.Seal(pt, []byte("user-1"))
		got, err := b.Open(sealed, []byte("user-1"))
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("Open(Seal(%q)) = %q, %v", pt, got, err)
		}
		if len(pt) > 0 && bytes.Contains(sealed, pt) {
			t.Fatal("sealed value contains the plaintext")
		}
	}
}

func TestNoncesDiffer(t *testing.T) {
	b := box(t, "0123456789abcdef-secret", "p")
	if bytes.Equal(b.Seal([]byte("x"), nil), b.Seal([]byte("x"), nil)) {
		t.Fatal("sealing twice gave the same bytes: nonce reused")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := box(t, "0123456789abcdef-secret", "provider-rt")
	sealed := b.Seal([]byte("token"), []byte("user-1"))
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	cases := map[string]struct {
		b      *seal.Box
		sealed []byte
		aad    string
	}{
		"other aad":     {b, sealed, "user-2"},
		"other purpose": {box(t, "0123456789abcdef-secret", "other"), sealed, "user-1"},
		"other secret":  {box(t, "0123456789abcdef-SECRET", "provider-rt"), sealed, "user-1"},
		"tampered":      {b, tampered, "user-1"},
		"truncated":     {b, sealed[:10], "user-1"},
		"empty":         {b, nil, "user-1"},
	}
	for name, c := range cases {
		if _, err := c.b.Open(c.sealed, []byte(c.aad)); !errors.Is(err, seal.ErrOpen) {
			t.Errorf("%s: Open = %v, want ErrOpen", name, err)
		}
	}
}

func TestShortSecret(t *testing.T) {
	if _, err := seal.New([]byte("short"), "p"); !errors.Is(err, seal.ErrShortSecret) {
		t.Fatalf("New(short) = %v, want ErrShortSecret", err)
	}
}
