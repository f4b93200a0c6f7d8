package keys_test

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
)

func newKey(t *testing.T) *keys.Key {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, keys.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.New(priv)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func kids(t *testing.T, k *keys.Key, retired []keys.Retired, now time.Time) []string {
	t.Helper()
	var ids []string
	for _, jwk := range keys.Single(k, retired).JWKS(now).Keys {
		ids = append(ids, jwk.KeyID)
	}
	return ids
}

func track(t *testing.T, dir string, k *keys.Key, now time.Time) []keys.Retired {
	t.Helper()
	retired, err := keys.Track(dir, k, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return retired
}

// A new signing key must not strand the access tokens the old one signed: the
// old public key stays published until they have expired, and no longer.
func TestTrackRetiresThePreviousKeyUntilItsTokensExpire(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	k1, k2 := newKey(t), newKey(t)

	if r := track(t, dir, k1, now); len(r) != 0 {
		t.Fatalf("first start retired %v", r)
	}
	if r := track(t, dir, k1, now.Add(time.Minute)); len(r) != 0 {
		t.Fatalf("a restart with the same key retired %v", r)
	}
	retired := track(t, dir, k2, now.Add(2*time.Minute))
	if len(retired) != 1 || retired[0].Key.KeyID != k1.ID || !retired[0].Until.Equal(now.Add(17*time.Minute)) {
		t.Fatalf("after the key change: %+v, want %s until +17m", retired, k1.ID)
	}
	if got, want := kids(t, k2, retired, now.Add(16*time.Minute)), []string{k2.ID, k1.ID}; !slices.Equal(got, want) {
		t.Fatalf("JWKS kids = %v, want %v", got, want)
	}
	if got, want := kids(t, k2, retired, now.Add(17*time.Minute)), []string{k2.ID}; !slices.Equal(got, want) {
		t.Fatalf("JWKS kids after the old tokens expired = %v, want %v", got, want)
	}
	// A restart after that forgets the old key.
	if r := track(t, dir, k2, now.Add(18*time.Minute)); len(r) != 0 {
		t.Fatalf("expired keys kept: %+v", r)
	}
}

// Going back to a key that was retired makes it current again, not both.
func TestTrackNeverRetiresTheCurrentKey(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	k1, k2 := newKey(t), newKey(t)
	track(t, dir, k1, now)
	track(t, dir, k2, now)
	retired := track(t, dir, k1, now)
	if len(retired) != 1 || retired[0].Key.KeyID != k2.ID {
		t.Fatalf("retired = %+v, want only %s", retired, k2.ID)
	}
}

func TestTrackReportsABrokenHistory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, keys.HistoryFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Track(dir, newKey(t), time.Now(), time.Minute); err == nil {
		t.Fatal("a broken history file was accepted")
	}
}
