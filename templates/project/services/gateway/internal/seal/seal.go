// Package seal encrypts small secrets (provider refresh tokens, refresh-token
// successors) with AES-256-GCM under a key derived from a secret by HKDF-SHA256.
//
// Sealed format: nonce (12 random bytes) || ciphertext || tag. Random 96-bit nonces
// are safe for far more than the 2^32 messages a gateway key will ever seal.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
)

// MinSecretLen is the shortest secret New accepts; shorter ones are guessable.
const MinSecretLen = 16

var (
	// ErrShortSecret: the secret is shorter than MinSecretLen bytes.
	ErrShortSecret = errors.New("seal: secret too short")
	// ErrOpen: the sealed value was tampered with, truncated, or sealed under
	// another key, purpose or additional data.
	ErrOpen = errors.New("seal: cannot open sealed value")
)

// Box seals and opens values under one derived key. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// New derives an AES-256 key from secret. purpose separates keys derived from the
// same secret for different uses (HKDF info), so a value sealed for one purpose
// never opens under another.
func New(secret []byte, purpose string) (*Box, error) {
	if len(secret) < MinSecretLen {
		return nil, ErrShortSecret
	}
	key, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	// NewGCMWithRandomNonce draws and prepends the nonce itself, so callers
	// cannot reuse one by mistake.
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext. aad (may be nil) is authenticated but not encrypted:
// bind the value to its owner (e.g. the user id) so it cannot be moved elsewhere.
func (b *Box) Seal(plaintext, aad []byte) []byte {
	return b.aead.Seal(nil, nil, plaintext, aad)
}

// Open decrypts a value made by Seal with the same aad.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < b.aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, nil, sealed, aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
