package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// keySet holds the one RSA key that signs every id_token of this process. It lives in
// memory only: a restart makes a new key, and id_tokens of the old process no longer verify
// (nor do its codes and tokens exist any more), which is what a development stand-in needs.
type keySet struct {
	signer jose.Signer
	public jose.JSONWebKeySet
}

func newKeySet(key *rsa.PrivateKey) (*keySet, error) {
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
	}
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("key thumbprint: %w", err)
	}
	// The kid is the RFC 7638 thumbprint: stable for the key, new with every new key.
	pub.KeyID = base64.RawURLEncoding.EncodeToString(thumb)
	priv := jose.JSONWebKey{Key: key, KeyID: pub.KeyID, Algorithm: string(jose.RS256), Use: "sig"}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv}, opts)
	if err != nil {
		return nil, fmt.Errorf("new signer: %w", err)
	}
	return &keySet{signer: signer, public: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}}}, nil
}

// sign serializes claims (a map or struct with JSON tags) as a compact RS256 JWT.
func (k *keySet) sign(claims any) (string, error) {
	return jwt.Signed(k.signer).Claims(claims).Serialize()
}

// accessTokenHash is the at_hash claim (OIDC Core 3.1.3.6): the left half of the
// SHA-256 of the access token, base64url. openid-client checks it when present.
func accessTokenHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
