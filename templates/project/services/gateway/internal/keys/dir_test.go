package keys_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
)

const retireAfter = 16 * time.Minute // access TTL 15 min + 60 s leeway

// writeDirKey writes a new key activated at `at` into dir and returns its kid.
func writeDirKey(t *testing.T, dir string, at time.Time) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, keys.MinBits)
	if err != nil {
		t.Fatal(err)
	}
	der := x509.MarshalPKCS1PrivateKey(priv)
	name := at.UTC().Format(keys.ActivationLayout) + ".pem"
	if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	k, _ := keys.New(priv)
	return k.ID
}

func jwksKids(r *keys.Ring, now time.Time) []string {
	var ids []string
	for _, k := range r.JWKS(now).Keys {
		ids = append(ids, k.KeyID)
	}
	return ids
}

// A key is published before it signs, signs from its activation, and the key
// before it leaves the JWKS and verification retireAfter later.
func TestKeyDirPublishesBeforeUseAndRetiresAfter(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	k1 := writeDirKey(t, dir, t0)
	k2 := writeDirKey(t, dir, t0.Add(15*time.Minute))
	ring, _, err := keys.LoadDir(dir, retireAfter)
	if err != nil {
		t.Fatal(err)
	}
	before := t0.Add(time.Minute)
	if got := ring.Signing(before).ID; got != k1 {
		t.Fatalf("before the next activation the signer is %s, want %s", got, k1)
	}
	if got := jwksKids(ring, before); !slices.Equal(got, []string{k1, k2}) {
		t.Fatalf("JWKS before activation = %v, want both keys", got)
	}
	at := t0.Add(15 * time.Minute)
	if got := ring.Signing(at).ID; got != k2 {
		t.Fatalf("at activation the signer is %s, want %s", got, k2)
	}
	if got := jwksKids(ring, at.Add(retireAfter-time.Second)); !slices.Equal(got, []string{k1, k2}) {
		t.Fatalf("JWKS just before retirement = %v", got)
	}
	if got := jwksKids(ring, at.Add(retireAfter)); !slices.Equal(got, []string{k2}) {
		t.Fatalf("JWKS after retirement = %v, want only %s", got, k2)
	}
	if ended := ring.Ended(at.Add(retireAfter)); !slices.Equal(ended, []string{k1}) {
		t.Fatalf("Ended = %v", ended)
	}
	if keys.CheckActive(dir, ring, t0.Add(-time.Second)) == nil {
		t.Fatal("CheckActive accepted a time before every activation")
	}
}

// A Kubernetes Secret volume: the files are symlinks through "..data" to a
// hidden timestamped directory; only the visible names count.
func TestKeyDirReadsASecretVolume(t *testing.T) {
	dir := t.TempDir()
	hidden := filepath.Join(dir, "..2027_03_01_00_00_00.000000001")
	if err := os.Mkdir(hidden, 0o700); err != nil {
		t.Fatal(err)
	}
	kid := writeDirKey(t, hidden, time.Unix(0, 0))
	name := time.Unix(0, 0).UTC().Format(keys.ActivationLayout) + ".pem"
	if err := os.Symlink(filepath.Base(hidden), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..data", name), filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	ring, _, err := keys.LoadDir(dir, retireAfter)
	if err != nil {
		t.Fatal(err)
	}
	if got := jwksKids(ring, time.Now()); !slices.Equal(got, []string{kid}) {
		t.Fatalf("JWKS = %v, want %s", got, kid)
	}
}

func TestKeyDirRefusesBadContents(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, setup := range map[string]func(t *testing.T, dir string){
		"empty": func(*testing.T, string) {},
		"bad name": func(t *testing.T, dir string) {
			writeDirKey(t, dir, time.Unix(0, 0))
			os.Rename(filepath.Join(dir, "19700101T000000Z.pem"), filepath.Join(dir, "2027-03-01T00:00:00Z.pem"))
		},
		"weak key": func(t *testing.T, dir string) {
			pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})
			os.WriteFile(filepath.Join(dir, "20270301T000000Z.pem"), pemBytes, 0o600)
		},
		"not a key": func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "20270301T000000Z.pem"), []byte("hello"), 0o600)
		},
		"same key twice": func(t *testing.T, dir string) {
			writeDirKey(t, dir, time.Unix(0, 0))
			data, _ := os.ReadFile(filepath.Join(dir, "19700101T000000Z.pem"))
			os.WriteFile(filepath.Join(dir, "20270301T000000Z.pem"), data, 0o600)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			setup(t, dir)
			_, _, err := keys.LoadDir(dir, retireAfter)
			if err == nil {
				t.Fatal("LoadDir accepted it")
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, dir) {
				t.Fatalf("error %q is not one sentence naming the directory or file", msg)
			}
		})
	}
}

// Watch applies a changed directory, and keeps the last good set (and logs)
// when the directory stops loading.
func TestWatchAppliesChangesAndKeepsTheLastGoodSet(t *testing.T) {
	dir := t.TempDir()
	k1 := writeDirKey(t, dir, time.Unix(0, 0))
	initial, digest, err := keys.LoadDir(dir, retireAfter)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var applied []*keys.Ring
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{mu: &mu, w: &logs}, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		keys.Watch(ctx, dir, retireAfter, 5*time.Millisecond, initial, digest, func(r *keys.Ring) {
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, r)
		}, time.Now, logger)
	}()
	defer func() { cancel(); <-done }()
	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			done := ok()
			mu.Unlock()
			if done {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}

	time.Sleep(30 * time.Millisecond)
	mu.Lock()
	if len(applied) != 0 {
		t.Fatal("an unchanged directory was applied")
	}
	mu.Unlock()
	k2 := writeDirKey(t, dir, time.Now().Add(5*time.Minute))
	wait("the new key", func() bool {
		return len(applied) == 1 && slices.Equal(jwksKids(applied[0], time.Now()), []string{k1, k2})
	})
	wait("the short-lead warning", func() bool { return strings.Contains(logs.String(), "activates sooner") })
	os.WriteFile(filepath.Join(dir, "broken.pem"), []byte("x"), 0o600)
	wait("the error log", func() bool { return strings.Contains(logs.String(), "last good set stays in use") })
	mu.Lock()
	defer mu.Unlock()
	if len(applied) != 1 {
		t.Fatalf("a broken directory was applied (%d rings)", len(applied))
	}
}

type syncWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
