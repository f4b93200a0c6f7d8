package keys

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// HistoryFile, inside GATEWAY_DATA_DIR, remembers the key the gateway signed
// with last time and the keys it signed with before, so that a new
// GATEWAY_SIGNING_KEY_FILE does not turn every access token already handed
// out into a 401: the old public key stays in the JWKS until those expire.
const HistoryFile = "signing-keys.json"

// Retired is a public key the gateway no longer signs with. Tokens it signed
// are accepted, and it is published, only before Until.
type Retired struct {
	Key   jose.JSONWebKey `json:"key"`
	Until time.Time       `json:"until"`
}

// Public is the retired RSA public key.
func (r Retired) Public() (*rsa.PublicKey, error) {
	pub, ok := r.Key.Key.(*rsa.PublicKey)
	if !ok || r.Key.KeyID == "" {
		return nil, fmt.Errorf("retired key %q is not an RSA public key with a kid", r.Key.KeyID)
	}
	return pub, nil
}

type history struct {
	Current jose.JSONWebKey `json:"current"`
	Retired []Retired       `json:"retired"`
}

// Track records in dir that current is the signing key from now on. If another
// key was recorded last time, it is retired until now + validity (the longest
// an access token it signed can still be accepted). It returns the retired keys
// still valid at now. The file is replaced atomically; if it cannot be read or
// written, the error says so and the caller may go on without retired keys.
func Track(dir string, current *Key, now time.Time, validity time.Duration) ([]Retired, error) {
	path := filepath.Join(dir, HistoryFile)
	var h history
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(data, &h); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var kept []Retired
	for _, r := range h.Retired {
		if now.Before(r.Until) && r.Key.KeyID != current.ID {
			kept = append(kept, r)
		}
	}
	if h.Current.KeyID != "" && h.Current.KeyID != current.ID {
		kept = append(kept, Retired{Key: h.Current, Until: now.Add(validity).UTC()})
	}
	h = history{Current: current.Public(), Retired: kept}
	if err := writeAtomic(dir, path, h); err != nil {
		return kept, err
	}
	return kept, nil
}

func writeAtomic(dir, path string, h history) error {
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".signing-keys-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
