package keys_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
)

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadPKCS1AndPKCS8GiveTheSameKid(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	k1, err := keys.LoadFile(writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(priv)))
	if err != nil {
		t.Fatal(err)
	}
	k8, err := keys.LoadFile(writePEM(t, "PRIVATE KEY", pkcs8))
	if err != nil {
		t.Fatal(err)
	}
	if k1.ID == "" || k1.ID != k8.ID {
		t.Fatalf("kids %q and %q differ", k1.ID, k8.ID)
	}
	set, _ := json.Marshal(keys.Single(k1, nil).JWKS(time.Now()))
	if strings.Contains(string(set), `"d"`) || !strings.Contains(string(set), k1.ID) {
		t.Fatalf("JWKS = %s", set)
	}
}

func TestRejectsWeakOrWrongKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.LoadFile(writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small))); err == nil {
		t.Fatal("1024-bit key accepted")
	}
	if _, err := keys.LoadFile(writePEM(t, "PUBLIC KEY", []byte("x"))); err == nil {
		t.Fatal("public key block accepted")
	}
	if _, err := keys.ParsePEM([]byte("not pem")); err == nil {
		t.Fatal("garbage accepted")
	}
}

func TestDevKeyIsGeneratedOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, gen1, err := keys.LoadOrGenerate(dir)
	if err != nil || !gen1 {
		t.Fatalf("first start: generated=%v err=%v", gen1, err)
	}
	k2, gen2, err := keys.LoadOrGenerate(dir)
	if err != nil || gen2 || k2.ID != k1.ID {
		t.Fatalf("restart: generated=%v kid %q vs %q err=%v", gen2, k2.ID, k1.ID, err)
	}
	fi, err := os.Stat(filepath.Join(dir, keys.DevKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
}
