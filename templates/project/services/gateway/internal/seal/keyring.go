package seal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a GATEWAY_ENCRYPTION_KEYS key.
const KeySize = 32

// keyIDLen is the length of the key id that prefixes every value a Keyring
// seals, so opening picks the right key without trying each one.
const keyIDLen = 4

// Keyring seals with its first key and opens with any of them, so a new key
// can be put first while values sealed under the old ones still open.
type Keyring struct {
	ids   [][keyIDLen]byte
	boxes []*Box
}

// NewKeyring builds a keyring from 32-byte keys, first one sealing. purpose
// separates keys derived for different uses (see New).
func NewKeyring(keys [][]byte, purpose string) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("seal: no key")
	}
	kr := &Keyring{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("seal: key %d has %d bytes, %d are required", i+1, len(k), KeySize)
		}
		box, err := New(k, purpose)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append([]byte("nextmsa gateway key id\x00"), k...))
		kr.ids = append(kr.ids, [keyIDLen]byte(sum[:keyIDLen]))
		kr.boxes = append(kr.boxes, box)
	}
	return kr, nil
}

// Seal encrypts plaintext under the first key: key id || Box.Seal output.
func (kr *Keyring) Seal(plaintext, aad []byte) []byte {
	sealed := kr.boxes[0].Seal(plaintext, aad)
	out := make([]byte, 0, keyIDLen+len(sealed))
	out = append(out, kr.ids[0][:]...)
	return append(out, sealed...)
}

// Open decrypts a value sealed by any key of the ring with the same aad.
func (kr *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < keyIDLen {
		return nil, ErrOpen
	}
	for i, id := range kr.ids {
		if [keyIDLen]byte(sealed[:keyIDLen]) == id {
			return kr.boxes[i].Open(sealed[keyIDLen:], aad)
		}
	}
	return nil, ErrOpen
}

// ParseKeys reads GATEWAY_ENCRYPTION_KEYS: a comma list of base64 keys of
// KeySize bytes each.
func ParseKeys(list string) ([][]byte, error) {
	var keys [][]byte
	for i, field := range strings.Split(list, ",") {
		field = strings.TrimSpace(field)
		k, err := base64.StdEncoding.DecodeString(field)
		if err != nil {
			k, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(field, "="))
		}
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("key %d is not %d bytes in base64 (generate one with: openssl rand -base64 32)", i+1, KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// KeyFile is the generated encryption key inside GATEWAY_DATA_DIR.
const KeyFile = "encryption-key"

// LoadOrGenerateKey returns the key kept in dir, generating it the first time
// (for the embedded store on one machine). Like the development signing key it
// is written under a temporary name and linked into place only if absent, so
// two processes starting together end up with the same key.
func LoadOrGenerateKey(dir string) (key []byte, generated bool, err error) {
	path := filepath.Join(dir, KeyFile)
	if data, err := os.ReadFile(path); err == nil {
		keys, err := ParseKeys(string(data))
		if err != nil || len(keys) != 1 {
			return nil, false, fmt.Errorf("%s: not one base64 key of %d bytes", path, KeySize)
		}
		return keys[0], false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, err
	}
	key = make([]byte, KeySize)
	_, _ = rand.Read(key)
	tmp, err := os.CreateTemp(dir, ".encryption-key-*")
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrGenerateKey(dir)
		}
		return nil, false, err
	}
	return key, true, nil
}
