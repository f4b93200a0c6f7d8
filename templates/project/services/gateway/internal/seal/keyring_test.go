package seal_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
)

func ring(t *testing.T, keys ...byte) *seal.Keyring {
	t.Helper()
	var ks [][]byte
	for _, b := range keys {
		ks = append(ks, bytes.Repeat([]byte{b}, seal.KeySize))
	}
	kr, err := seal.NewKeyring(ks, "test")
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// A new key put first seals from then on, while values sealed under the old
// one still open; a ring without the old key cannot open them.
func TestKeyringRotation(t *testing.T) {
	old := ring(t, 1).Seal([]byte("provider token"), []byte("user"))
	rotated := ring(t, 2, 1)
	if pt, err := rotated.Open(old, []byte("user")); err != nil || string(pt) != "provider token" {
		t.Fatalf("old value under the rotated ring: %q %v", pt, err)
	}
	fresh := rotated.Seal([]byte("next"), []byte("user"))
	if _, err := ring(t, 1).Open(fresh, []byte("user")); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a value sealed by the new first key opened without it: %v", err)
	}
	if _, err := ring(t, 2).Open(old, []byte("user")); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a value opened after its key was dropped: %v", err)
	}
	if _, err := rotated.Open(old, []byte("someone else")); !errors.Is(err, seal.ErrOpen) {
		t.Fatalf("a value opened under other additional data: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	a := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	ks, err := seal.ParseKeys(a + " , " + a)
	if err != nil || len(ks) != 2 {
		t.Fatalf("%d keys, %v", len(ks), err)
	}
	for _, bad := range []string{"", "c2hvcnQ=", a + ",", "!!"} {
		if _, err := seal.ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted it", bad)
		}
	}
}

func TestGeneratedKeyIsKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, gen1, err := seal.LoadOrGenerateKey(dir)
	if err != nil || !gen1 || len(k1) != seal.KeySize {
		t.Fatalf("first start: %d bytes, generated=%v, %v", len(k1), gen1, err)
	}
	k2, gen2, err := seal.LoadOrGenerateKey(dir)
	if err != nil || gen2 || !bytes.Equal(k1, k2) {
		t.Fatalf("restart: generated=%v same=%v %v", gen2, bytes.Equal(k1, k2), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, seal.KeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
}
