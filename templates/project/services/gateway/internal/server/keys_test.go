package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
)

func addDirKey(t *testing.T, dir string, at time.Time) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
	if err := os.WriteFile(filepath.Join(dir, at.UTC().Format(keys.ActivationLayout)+".pem"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	k, _ := keys.New(priv)
	return k.ID
}

func kidOf(t *testing.T, raw string) string {
	t.Helper()
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

// Two replicas reading one key directory on a shared store agree: before the
// next key's activation both sign with the current one and publish the same
// JWKS (the next key included); after it both sign with the next key, and a
// token minted by one verifies at the other.
func TestReplicasShareAKeyDirectory(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	k1 := addDirKey(t, dir, now.Add(-time.Hour))
	k2 := addDirKey(t, dir, now.Add(15*time.Minute))
	ring, _, err := keys.LoadDir(dir, 15*time.Minute+time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	shared := store.NewMemory()
	replica := func() *harness {
		return newHarness(t, func(o *server.Options) { o.Keys, o.Store = ring, shared })
	}
	a, b := replica(), replica()
	if ja, jb := a.get("/.well-known/jwks.json", "", nil).Raw, b.get("/.well-known/jwks.json", "", nil).Raw; ja != jb || len(ring.JWKS(now).Keys) != 2 {
		t.Fatalf("replicas publish different JWKS:\n%s\n%s", ja, jb)
	}
	tr := a.login("7")
	if kid := kidOf(t, tr.AccessToken); kid != k1 {
		t.Fatalf("before activation signed with %s, want %s", kid, k1)
	}
	if r := b.get("/api/users/me", tr.AccessToken, nil); r.Status != http.StatusOK {
		t.Fatalf("replica b refused replica a's token: %d %s", r.Status, r.Raw)
	}
	b.backendCall()
	a.Clock.Advance(16 * time.Minute)
	b.Clock.Advance(16 * time.Minute)
	rf := a.refresh(tr.RefreshToken)
	if rf.Status != http.StatusOK {
		t.Fatalf("refresh on a: %d %s", rf.Status, rf.Raw)
	}
	next := rf.JSON["access_token"].(string)
	if kid := kidOf(t, next); kid != k2 {
		t.Fatalf("after activation signed with %s, want %s", kid, k2)
	}
	if r := b.get("/api/users/me", next, nil); r.Status != http.StatusOK {
		t.Fatalf("replica b refused the next key's token: %d %s", r.Status, r.Raw)
	}
}

// SetKeys swaps the whole set: a key taken out of the directory (a leak)
// stops verifying at once, even for a token verified (and cached) before.
func TestSetKeysDropsARemovedKeyAtOnce(t *testing.T) {
	dir := t.TempDir()
	addDirKey(t, dir, time.Now().Add(-time.Hour))
	ring, _, err := keys.LoadDir(dir, 16*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(o *server.Options) { o.Keys = ring })
	tr := h.login("7")
	if r := h.get("/api/users/me", tr.AccessToken, nil); r.Status != http.StatusOK {
		t.Fatalf("before the swap: %d %s", r.Status, r.Raw)
	}
	h.backendCall()
	if err := h.Server.SetKeys(keys.Single(signingKey(t), nil)); err != nil {
		t.Fatal(err)
	}
	wantError(t, h.get("/api/users/me", tr.AccessToken, nil), http.StatusUnauthorized, "invalid_token")
	if kid := kidOf(t, h.login("8").AccessToken); kid != signingKey(t).ID {
		t.Fatalf("after the swap signed with %s", kid)
	}
}
