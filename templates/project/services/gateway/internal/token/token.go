// Package token mints and verifies the gateway's own access JWT (README.md):
// RS256, kid = RFC 7638 thumbprint, claims iss sub aud iat nbf exp jti provider
// email name. Verification pins RS256, knows keys only by kid from its own set,
// checks iss, aud, exp and nbf with a small leeway, and caches verified tokens.
package token

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
)

// Leeway is the clock skew allowed on exp, nbf and iat.
const Leeway = 60 * time.Second

// Type is the JOSE "typ" header of gateway access tokens (RFC 9068).
const Type = "at+jwt"

// Claims are the claims of a gateway access token.
type Claims struct {
	jwt.Claims
	Provider string `json:"provider"`
	Email    string `json:"email"`
	Name     string `json:"name"`
}

// Subject is who a token is minted for.
type Subject struct {
	UserID   string
	Provider string
	Email    string
	Name     string
}

// Minter signs access tokens with one key.
type Minter struct {
	signer   jose.Signer
	issuer   string
	audience string
	ttl      time.Duration
}

// NewMinter returns a Minter for key, issuer, audience and lifetime.
func NewMinter(key *keys.Key, issuer, audience string, ttl time.Duration) (*Minter, error) {
	opts := (&jose.SignerOptions{}).WithType(Type).WithHeader(jose.HeaderKey("kid"), key.ID)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key.Private}, opts)
	if err != nil {
		return nil, err
	}
	return &Minter{signer: signer, issuer: issuer, audience: audience, ttl: ttl}, nil
}

// TTL is the lifetime of minted tokens.
func (m *Minter) TTL() time.Duration { return m.ttl }

// Mint signs an access token for s, valid from now for the minter's TTL.
func (m *Minter) Mint(s Subject, now time.Time) (raw string, expires time.Time, err error) {
	if s.UserID == "" {
		return "", time.Time{}, errors.New("token: empty subject")
	}
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, err
	}
	now = now.Truncate(time.Second)
	expires = now.Add(m.ttl)
	c := Claims{
		Claims: jwt.Claims{
			Issuer:    m.issuer,
			Subject:   s.UserID,
			Audience:  jwt.Audience{m.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			Expiry:    jwt.NewNumericDate(expires),
			ID:        base64.RawURLEncoding.EncodeToString(jti[:]),
		},
		Provider: s.Provider,
		Email:    s.Email,
		Name:     s.Name,
	}
	raw, err = jwt.Signed(m.signer).Claims(c).Serialize()
	if err != nil {
		return "", time.Time{}, err
	}
	return raw, expires, nil
}

// Errors returned by Verify. Every one of them means "401 invalid_token".
var (
	ErrMalformed     = errors.New("token is not a compact RS256 JWS")
	ErrUnknownKey    = errors.New("token kid is not one of the gateway's keys")
	ErrSignature     = errors.New("token signature is invalid")
	ErrClaims        = errors.New("token claims are invalid")
	ErrExpired       = errors.New("token has expired")
	ErrNotYetValid   = errors.New("token is not valid yet")
	ErrWrongIssuer   = errors.New("token issuer is not this gateway")
	ErrWrongAudience = errors.New("token audience is not this gateway's")
)

// Verifier checks gateway access tokens.
type Verifier struct {
	keys     map[string]verifyKey
	issuer   string
	audience string
	cache    *Cache
	now      func() time.Time
}

// VerifierOptions configure NewVerifier.
type VerifierOptions struct {
	// CacheSize bounds the cache of verified tokens; 0 means DefaultCacheSize,
	// a negative value disables the cache.
	CacheSize int
	// Now replaces time.Now (tests).
	Now func() time.Time
	// Retired keys are accepted too, each only before its Until (zero: no
	// end); a key ring hands every key it accepts over this way.
	Retired []keys.Retired
}

// verifyKey is a public key the verifier knows, and until when (zero: always).
type verifyKey struct {
	pub   *rsa.PublicKey
	until time.Time
}

// NewVerifier accepts tokens signed by any of ks (or opts.Retired), issued by
// issuer for audience. A retired key that is not an RSA public key is an error.
func NewVerifier(issuer, audience string, opts VerifierOptions, ks ...*keys.Key) (*Verifier, error) {
	v := &Verifier{
		keys:     make(map[string]verifyKey, len(ks)+len(opts.Retired)),
		issuer:   issuer,
		audience: audience,
		now:      opts.Now,
	}
	for _, r := range opts.Retired {
		pub, err := r.Public()
		if err != nil {
			return nil, err
		}
		v.keys[r.Key.KeyID] = verifyKey{pub: pub, until: r.Until}
	}
	for _, k := range ks {
		v.keys[k.ID] = verifyKey{pub: &k.Private.PublicKey}
	}
	if v.now == nil {
		v.now = time.Now
	}
	switch {
	case opts.CacheSize == 0:
		v.cache = NewCache(DefaultCacheSize)
	case opts.CacheSize > 0:
		v.cache = NewCache(opts.CacheSize)
	}
	return v, nil
}

// Verify checks raw and returns its claims. A token seen before is answered
// from the cache until its exp (plus leeway) passes; the cache key is the whole
// token, so a different signature or header is a different entry.
func (v *Verifier) Verify(raw string) (*Claims, error) {
	now := v.now()
	if v.cache != nil {
		if c, ok := v.cache.Get(raw, now.Add(-Leeway)); ok {
			return c, nil
		}
	}
	c, cacheUntil, err := v.verify(raw, now)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.Put(raw, c, cacheUntil)
	}
	return c, nil
}

// verify checks raw against the key its kid names, and says until when the
// answer may be cached: the token's exp, or its key's until if that is sooner.
func (v *Verifier) verify(raw string, now time.Time) (*Claims, time.Time, error) {
	// The allowed algorithms are a required argument: "none" and HS* never parse.
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(tok.Headers) != 1 {
		return nil, time.Time{}, ErrMalformed
	}
	h := tok.Headers[0]
	key, ok := v.keys[h.KeyID]
	if h.KeyID == "" || !ok || (!key.until.IsZero() && !now.Before(key.until)) {
		return nil, time.Time{}, ErrUnknownKey
	}
	var c Claims
	if err := tok.Claims(key.pub, &c); err != nil {
		return nil, time.Time{}, ErrSignature
	}
	if c.Expiry == nil || c.Subject == "" || c.IssuedAt == nil {
		return nil, time.Time{}, fmt.Errorf("%w: exp, iat and sub are required", ErrClaims)
	}
	err = c.Claims.ValidateWithLeeway(jwt.Expected{
		Issuer:      v.issuer,
		AnyAudience: jwt.Audience{v.audience},
		Time:        now,
	}, Leeway)
	switch {
	case err == nil:
		exp := c.Expiry.Time()
		// The cache serves an entry for Leeway past the time it is given.
		if limit := key.until.Add(-Leeway); !key.until.IsZero() && limit.Before(exp) {
			exp = limit
		}
		return &c, exp, nil
	case errors.Is(err, jwt.ErrExpired):
		return nil, time.Time{}, ErrExpired
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, time.Time{}, ErrNotYetValid
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, time.Time{}, ErrWrongIssuer
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, time.Time{}, ErrWrongAudience
	default:
		return nil, time.Time{}, fmt.Errorf("%w: %v", ErrClaims, err)
	}
}
