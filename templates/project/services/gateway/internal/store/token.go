package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
)

const (
	fidBytes    = 16
	secretBytes = 32 // ≥256 bits (README.md, token response)
)

// Strict decoding rejects non-zero padding bits, so every token has exactly one
// spelling and cannot be varied to dodge the hash lookup.
var b64 = base64.RawURLEncoding.Strict()

var (
	fidLen   = b64.EncodedLen(fidBytes)
	tokenLen = fidLen + 1 + b64.EncodedLen(secretBytes)
)

func randomB64(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return b64.EncodeToString(b)
}

func newFID() string { return randomB64(fidBytes) }

// newToken returns a fresh raw token "<fid>.<secret>" of family fid.
func newToken(fid string) string { return fid + "." + randomB64(secretBytes) }

// parseToken splits raw into its family id and SHA-256 hash. ok is false for
// anything that is not a well-formed token; callers answer ErrNotFound.
func parseToken(raw string) (fid string, hash []byte, ok bool) {
	if len(raw) != tokenLen || raw[fidLen] != '.' {
		return "", nil, false
	}
	var buf [secretBytes]byte
	if n, err := b64.Decode(buf[:], []byte(raw[:fidLen])); err != nil || n != fidBytes {
		return "", nil, false
	}
	if n, err := b64.Decode(buf[:], []byte(raw[fidLen+1:])); err != nil || n != secretBytes {
		return "", nil, false
	}
	return raw[:fidLen], hashToken(raw), true
}

// hashToken is SHA-256 of a raw token. A plain fast hash suffices: the secret has
// 256 random bits, so there is nothing to brute-force.
func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// The successor of a rotated token is kept for the grace window so parallel
// refreshes get the identical token back. It is sealed under a key derived from
// the presented (old) raw token, which the store never keeps: a copy of the
// store does not reveal usable successors, only the holder of the old token can
// open it.
const successorPurpose = "nextmsa gateway: refresh-token successor v1"

func sealSuccessor(presented, fid, successor string) []byte {
	box, err := seal.New([]byte(presented), successorPurpose)
	if err != nil {
		panic(err) // presented is a parsed token, far longer than MinSecretLen
	}
	return box.Seal([]byte(successor), []byte(fid))
}

func openSuccessor(presented, fid string, sealed []byte) (string, error) {
	box, err := seal.New([]byte(presented), successorPurpose)
	if err != nil {
		return "", err
	}
	pt, err := box.Open(sealed, []byte(fid))
	if err != nil {
		// Cannot happen unless the stored record is corrupt: the hash of presented
		// matched. Refuse the token rather than fail the server.
		return "", fmt.Errorf("%w: stored successor does not open", ErrNotFound)
	}
	return string(pt), nil
}
