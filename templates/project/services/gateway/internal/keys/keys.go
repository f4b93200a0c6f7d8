// Package keys holds the gateway's RS256 signing keys: one key loaded from a
// PEM file or generated once for development, or a directory of keys named
// by their activation times (dir.go), each identified by its RFC 7638
// thumbprint, gathered in an immutable Ring and published as a JWKS.
package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"
)

// MinBits is the smallest RSA modulus accepted.
const MinBits = 2048

// DevKeyFile is the name of the generated development key inside GATEWAY_DATA_DIR.
const DevKeyFile = "signing-key.pem"

// Key is an RSA signing key with its key id.
type Key struct {
	Private *rsa.PrivateKey
	// ID is the RFC 7638 thumbprint (SHA-256, base64url), used as the JWT kid.
	ID string
}

// New wraps an RSA private key, checking its size and computing its kid.
func New(priv *rsa.PrivateKey) (*Key, error) {
	if priv == nil {
		return nil, errors.New("no key")
	}
	if bits := priv.N.BitLen(); bits < MinBits {
		return nil, fmt.Errorf("RSA key has %d bits, at least %d are required", bits, MinBits)
	}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("invalid RSA key: %w", err)
	}
	priv.Precompute()
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("thumbprint: %w", err)
	}
	return &Key{Private: priv, ID: base64.RawURLEncoding.EncodeToString(tp)}, nil
}

// Public returns the public JWK of the key (use sig, alg RS256, kid).
func (k *Key) Public() jose.JSONWebKey {
	return jose.JSONWebKey{
		Key:       &k.Private.PublicKey,
		KeyID:     k.ID,
		Algorithm: string(jose.RS256),
		Use:       "sig",
	}
}

// ParsePEM reads an RSA private key in PEM, PKCS#1 ("RSA PRIVATE KEY") or
// PKCS#8 ("PRIVATE KEY").
func ParsePEM(data []byte) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var priv *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#1: %w", err)
		}
		priv = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PKCS#8: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PKCS#8 key is %T, an RSA key is required", k)
		}
		priv = rk
	default:
		return nil, fmt.Errorf("PEM block %q is not an RSA private key", block.Type)
	}
	return New(priv)
}

// LoadFile reads the key at path (GATEWAY_SIGNING_KEY_FILE).
func LoadFile(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrGenerate returns the development key kept in dir, generating it the
// first time. Two processes starting together end up with the same key: the
// file is written under a temporary name and linked into place only if absent.
func LoadOrGenerate(dir string) (k *Key, generated bool, err error) {
	path := filepath.Join(dir, DevKeyFile)
	if k, err := LoadFile(path); err == nil {
		return k, false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, err
	}
	priv, err := rsa.GenerateKey(rand.Reader, MinBits)
	if err != nil {
		return nil, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, false, err
	}
	tmp, err := os.CreateTemp(dir, ".signing-key-*.pem")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, false, err
	}
	if err := tmp.Close(); err != nil {
		return nil, false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err := LoadFile(path)
			return k, false, err
		}
		return nil, false, err
	}
	k, err = New(priv)
	return k, true, err
}
