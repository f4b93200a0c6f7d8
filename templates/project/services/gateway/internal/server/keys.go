package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

// keyState is what the gateway signs and verifies with, built from one key
// ring and swapped whole (SetKeys), so a request sees either the old set or
// the new one, never a mix. A new verifier also starts an empty token cache,
// so a key taken out of the directory stops verifying at once.
type keyState struct {
	ring     *keys.Ring
	minters  map[string]*token.Minter // by kid
	verifier *token.Verifier
}

func (s *Server) newKeyState(ring *keys.Ring, cacheSize int) (*keyState, error) {
	ks := &keyState{ring: ring, minters: map[string]*token.Minter{}}
	for _, sg := range ring.Signers() {
		m, err := token.NewMinter(sg.Key, s.cfg.Issuer, s.cfg.Audience, s.cfg.AccessTTL)
		if err != nil {
			return nil, err
		}
		ks.minters[sg.Key.ID] = m
	}
	var err error
	ks.verifier, err = token.NewVerifier(s.cfg.Issuer, s.cfg.Audience, token.VerifierOptions{
		CacheSize: cacheSize,
		Now:       s.now,
		Retired:   ring.Verifying(),
	})
	return ks, err
}

// SetKeys makes ring the gateway's key set from now on (a reloaded
// GATEWAY_SIGNING_KEYS_DIR).
func (s *Server) SetKeys(ring *keys.Ring) error {
	ks, err := s.newKeyState(ring, s.cacheSize)
	if err != nil {
		return err
	}
	s.keys.Store(ks)
	return nil
}

// errNoSigningKey: no key of the ring is active at the request's time.
var errNoSigningKey = errors.New("no signing key is active")

func (s *Server) mint(sub token.Subject, now time.Time) (string, time.Time, error) {
	ks := s.keys.Load()
	k := ks.ring.Signing(now)
	if k == nil {
		return "", time.Time{}, errNoSigningKey
	}
	return ks.minters[k.ID].Mint(sub, now)
}

func (s *Server) verify(raw string) (*token.Claims, error) {
	return s.keys.Load().verifier.Verify(raw)
}

// serveJWKS builds the set per request, so a key leaves it when its end
// passes; services refetch it when they meet an unknown kid.
func (s *Server) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	body, err := json.Marshal(s.keys.Load().ring.JWKS(s.now()))
	if err != nil {
		writeServerError(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body)
}
