package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider/providertest"
)

// Deploying a new GATEWAY_SIGNING_KEY_FILE must not sign everybody out: the
// access tokens the old key signed keep working through the proxy, and the
// old public key stays in the JWKS (after the new one) for services to check
// them, until they have expired.
func TestNewSigningKeyKeepsEarlierTokensValid(t *testing.T) {
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	g := start(t, env) // the development key, generated under GATEWAY_DATA_DIR

	idToken := google.Mint(t, providertest.IDToken{Subject: "2002", Audience: googleClient, Email: "k@example.com", Name: "K"})
	ex := call(t, "POST", g.url+"/auth/exchange", secret, map[string]any{
		"provider": "google", "access_token": "ya29.k", "id_token": idToken, "expires_at": time.Now().Add(time.Hour).Unix(),
	})
	if ex.status != 200 {
		t.Fatalf("exchange %d %v", ex.status, ex.body)
	}
	oldAccess := ex.body["access_token"].(string)
	oldKid := call(t, "GET", g.url+"/.well-known/jwks.json", "", nil).body["keys"].([]any)[0].(map[string]any)["kid"]

	g.stop(t)
	env["GATEWAY_SIGNING_KEY_FILE"] = writeKeyFile(t)
	g = start(t, env)

	keyList := call(t, "GET", g.url+"/.well-known/jwks.json", "", nil).body["keys"].([]any)
	if len(keyList) != 2 || keyList[0].(map[string]any)["kid"] == oldKid || keyList[1].(map[string]any)["kid"] != oldKid {
		t.Fatalf("JWKS after the key change = %v, want the new key, then %v", keyList, oldKid)
	}
	if me := call(t, "GET", g.url+"/api/users/me", oldAccess, nil); me.status != 200 || me.body["id"] != "google:2002" {
		t.Fatalf("a token of the earlier key: %d %v", me.status, me.body)
	}
	rf := call(t, "POST", g.url+"/auth/refresh", secret, map[string]any{"refresh_token": ex.body["refresh_token"]})
	if rf.status != 200 {
		t.Fatalf("refresh after the key change %d %v", rf.status, rf.body)
	}
	if me := call(t, "GET", g.url+"/api/users/me", rf.body["access_token"].(string), nil); me.status != 200 {
		t.Fatalf("a token of the new key: %d %v", me.status, me.body)
	}
}

func writeKeyFile(t *testing.T) string {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A key directory whose only key activates later leaves nothing to sign
// with: the gateway refuses to start, in one sentence naming the variable.
func TestKeyDirWithoutAnActiveKeyRefusesToStart(t *testing.T) {
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	dir := t.TempDir()
	future := time.Now().Add(time.Hour).UTC().Format("20060102T150405Z") + ".pem"
	if err := os.Rename(writeKeyFile(t), filepath.Join(dir, future)); err != nil {
		t.Fatal(err)
	}
	env["GATEWAY_SIGNING_KEYS_DIR"] = dir
	err := run(context.Background(), func(k string) string { return env[k] }, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), "GATEWAY_SIGNING_KEYS_DIR: no key in "+dir+" is active yet") {
		t.Fatalf("run = %v", err)
	}
}

// A running gateway picks up a key added to GATEWAY_SIGNING_KEYS_DIR without a
// restart (the directory is polled every keys.DirPollInterval): the JWKS
// lists it before it signs, and tokens of the current key keep working.
func TestKeyDirAdditionReachesARunningGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one poll of the key directory")
	}
	google := providertest.NewIssuer(t)
	env := baseEnv(t, google, usersBackend(t).URL)
	dir := t.TempDir()
	addKey := func(at time.Time) {
		if err := os.Rename(writeKeyFile(t), filepath.Join(dir, at.UTC().Format("20060102T150405Z")+".pem")); err != nil {
			t.Fatal(err)
		}
	}
	addKey(time.Now().Add(-time.Hour))
	env["GATEWAY_SIGNING_KEYS_DIR"] = dir
	g := start(t, env)
	jwks := func() int { return len(call(t, "GET", g.url+"/.well-known/jwks.json", "", nil).body["keys"].([]any)) }
	if n := jwks(); n != 1 {
		t.Fatalf("JWKS has %d keys, want 1", n)
	}
	access := call(t, "POST", g.url+"/auth/exchange", secret, map[string]any{
		"provider": "google", "id_token": google.Mint(t, providertest.IDToken{Subject: "3", Audience: googleClient}),
	}).body["access_token"].(string)

	addKey(time.Now().Add(15 * time.Minute))
	deadline := time.Now().Add(keys.DirPollInterval + 5*time.Second)
	for jwks() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the added key never reached the JWKS")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if me := call(t, "GET", g.url+"/api/users/me", access, nil); me.status != 200 {
		t.Fatalf("a token of the current key after the reload: %d %v", me.status, me.body)
	}
}
