// Package gatewayauth is how every service of this workspace checks who is calling: it
// verifies the gateway's access JWTs (RS256 only, keys only by kid from the gateway's JWKS,
// fetched and cached; iss, aud, exp and sub checked), and Middleware puts the verified
// claims in the request's context.
//
// An unknown kid makes the Verifier fetch the JWKS again, at most every 30 s: that is how a
// service follows a rotation of the gateway's signing key without a restart.
//
// A service never trusts the X-User-* headers the gateway adds on their own: a request is
// authenticated by the JWT in Authorization, and the headers must agree with it.
package gatewayauth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Leeway is the clock skew allowed on exp, nbf and iat.
const Leeway = 60 * time.Second

// MinRefetch is the shortest time between two JWKS fetches caused by unknown kids, so that
// tokens with made-up kids cannot make this service hammer the gateway.
const MinRefetch = 30 * time.Second

// maxJWKSBytes caps the JWKS response read from the gateway.
const maxJWKSBytes = 1 << 20

// ErrInvalidToken means the token is missing, malformed, forged, expired or not for us.
var ErrInvalidToken = errors.New("invalid token")

// ErrKeysUnavailable means the JWKS could not be fetched, so the token could not be checked.
var ErrKeysUnavailable = errors.New("gateway keys unavailable")

// Claims are the claims of a gateway access JWT (services/gateway/README.md).
type Claims struct {
	jwt.Claims
	Provider string `json:"provider"`
	Email    string `json:"email"`
	Name     string `json:"name"`
}

// Verifier checks gateway access JWTs. It is safe for concurrent use.
type Verifier struct {
	JWKSURL  string
	Issuer   string
	Audience string
	Client   *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	fetchMu   sync.Mutex // one JWKS fetch at a time
	mu        sync.RWMutex
	keys      map[string]*rsa.PublicKey
	fetchedAt time.Time
	fetched   bool
}

// NewVerifier returns a Verifier for the given JWKS URL, issuer and audience.
func NewVerifier(jwksURL, issuer, audience string) *Verifier {
	return &Verifier{
		JWKSURL:  jwksURL,
		Issuer:   issuer,
		Audience: audience,
		Client:   &http.Client{Timeout: 5 * time.Second},
	}
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// Verify parses raw (a compact JWS), checks its signature against the gateway's key with
// the token's kid, and checks iss, aud, exp (required), nbf and sub (required).
// Errors wrap ErrInvalidToken or ErrKeysUnavailable.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return nil, fmt.Errorf("%w: no kid in the header", ErrInvalidToken)
	}
	key, err := v.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return nil, err
	}
	var c Claims
	if err := tok.Claims(key, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Expiry == nil {
		return nil, fmt.Errorf("%w: no exp", ErrInvalidToken)
	}
	if c.Subject == "" {
		return nil, fmt.Errorf("%w: no sub", ErrInvalidToken)
	}
	expected := jwt.Expected{
		Issuer:      v.Issuer,
		AnyAudience: jwt.Audience{v.Audience},
		Time:        v.now(),
	}
	if err := c.ValidateWithLeeway(expected, Leeway); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return &c, nil
}

// key returns the gateway's public key with this kid, fetching the JWKS when the kid is
// unknown and the last fetch is at least MinRefetch ago.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if k := v.cached(kid); k != nil {
		return k, nil
	}
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	// Another request may have fetched it while this one waited.
	if k := v.cached(kid); k != nil {
		return k, nil
	}
	v.mu.RLock()
	recent := v.fetched && v.now().Sub(v.fetchedAt) < MinRefetch
	v.mu.RUnlock()
	if recent {
		return nil, fmt.Errorf("%w: unknown kid", ErrInvalidToken)
	}
	keys, err := v.fetch(ctx)
	v.mu.Lock()
	v.fetched, v.fetchedAt = true, v.now()
	if err == nil {
		v.keys = keys
	}
	v.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if k := v.cached(kid); k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: unknown kid", ErrInvalidToken)
}

func (v *Verifier) cached(kid string) *rsa.PublicKey {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.keys[kid]
}

// fetch downloads the JWKS and keeps the RSA signing keys (≥ 2048 bits) that have a kid.
func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.JWKSURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	res, err := v.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s: HTTP %d", ErrKeysUnavailable, v.JWKSURL, res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxJWKSBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("%w: JWKS: %v", ErrKeysUnavailable, err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok || k.KeyID == "" || pub.N.BitLen() < 2048 {
			continue
		}
		if (k.Use != "" && k.Use != "sig") || (k.Algorithm != "" && k.Algorithm != string(jose.RS256)) {
			continue
		}
		keys[k.KeyID] = pub
	}
	return keys, nil
}
