package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ActivationLayout is the file name of a key in GATEWAY_SIGNING_KEYS_DIR: its
// activation time in UTC, ISO 8601 basic format, which is also a valid
// Kubernetes Secret key.
const ActivationLayout = "20060102T150405Z"

// DirPollInterval is how often Watch re-reads the directory. Polling, not
// file events: a Secret volume is updated by swapping a "..data" symlink.
const DirPollInterval = 10 * time.Second

// MinLead is the least time between adding a key and its activation that
// lets every replica and every service see it first: Secret propagation
// (about a minute), the JWKS max-age (5 min) and the services' refetch limit.
const MinLead = 15 * time.Minute

// LoadDir reads every key file of dir into a rotating ring (see Rotating).
// Hidden entries (a Secret volume's "..data" and its timestamped directories)
// are skipped. The error is one sentence naming the file at fault. The
// returned digest changes whenever a file name or content does.
func LoadDir(dir string, retireAfter time.Duration) (*Ring, [32]byte, error) {
	var digest [32]byte
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, digest, err
	}
	sum := sha256.New()
	var signers []Signer
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err != nil || info.IsDir() {
			continue
		}
		at, err := time.Parse(ActivationLayout+".pem", name)
		if err != nil {
			return nil, digest, fmt.Errorf("%s is not named YYYYMMDDTHHMMSSZ.pem (its activation time in UTC, e.g. 20270301T000000Z.pem)", path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, digest, err
		}
		k, err := ParsePEM(data)
		if err != nil {
			return nil, digest, fmt.Errorf("%s: %w", path, err)
		}
		// The name is the activation time, so two files cannot share one; the
		// same key under two names would make one kid stand for two periods.
		for _, s := range signers {
			if s.Key.ID == k.ID {
				return nil, digest, fmt.Errorf("%s holds the same key as %s.pem; give each activation its own key", path, s.Activation.Format(ActivationLayout))
			}
		}
		signers = append(signers, Signer{Key: k, Activation: at})
		sum.Write([]byte(name))
		sum.Write(data)
	}
	if len(signers) == 0 {
		return nil, digest, fmt.Errorf("%s holds no key file (YYYYMMDDTHHMMSSZ.pem)", dir)
	}
	copy(digest[:], sum.Sum(nil))
	return Rotating(signers, retireAfter), digest, nil
}

// CheckActive says, in one sentence, why ring cannot sign at now.
func CheckActive(dir string, ring *Ring, now time.Time) error {
	if ring.Signing(now) != nil {
		return nil
	}
	return fmt.Errorf("no key in %s is active yet: the earliest activates at %s", dir,
		ring.Signers()[0].Activation.Format(time.RFC3339))
}

// Watch re-reads dir every interval until ctx is done and hands apply each
// ring that differs from the last one (current, loaded with digest at start). A directory that does not load, or
// whose keys would leave nothing to sign with, is logged and skipped: the
// last good ring stays in use.
func Watch(ctx context.Context, dir string, retireAfter, interval time.Duration, current *Ring, last [32]byte,
	apply func(*Ring), now func() time.Time, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	announced := map[string]bool{}
	known := map[string]bool{}
	remember := func(r *Ring) {
		for _, sg := range r.Signers() {
			known[sg.Key.ID] = true
		}
	}
	remember(current)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ring, digest, err := LoadDir(dir, retireAfter)
		if err == nil {
			err = CheckActive(dir, ring, now())
		}
		if err != nil {
			logger.Error("signing keys not reloaded; the last good set stays in use", "dir", dir, "err", err.Error())
			continue
		}
		for _, kid := range ring.Ended(now()) {
			if !announced[kid] {
				announced[kid] = true
				logger.Info("a signing key is no longer published or accepted; its file can be deleted", "dir", dir, "kid", kid)
			}
		}
		if bytes.Equal(digest[:], last[:]) {
			continue
		}
		last = digest
		for _, sg := range ring.Signers() {
			if lead := sg.Activation.Sub(now()); !known[sg.Key.ID] && lead < MinLead {
				logger.Warn("a new signing key activates sooner than services may have fetched it; expect some 401s until they refetch the JWKS",
					"dir", dir, "kid", sg.Key.ID, "activation", sg.Activation, "advised_lead", MinLead.String())
			}
		}
		remember(ring)
		apply(ring)
		logger.Info("signing keys reloaded", "dir", dir, "keys", len(ring.Signers()))
	}
}
