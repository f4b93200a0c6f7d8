package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// discoveryRetry is how long a failed discovery is remembered before the next try.
const discoveryRetry = 5 * time.Second

// oidcClient verifies id_tokens of one OIDC issuer with go-oidc. Discovery runs
// on first use; the issuer's JWKS is fetched through keySet, which refetches on
// an unknown kid at most once per JWKSRefetchInterval.
type oidcClient struct {
	issuer   string
	clientID string
	opts     Options

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	keys     *keySet
	failedAt time.Time
	failure  error
}

func newOIDC(issuer, clientID string, opts Options) *oidcClient {
	return &oidcClient{issuer: issuer, clientID: clientID, opts: opts}
}

func (o *oidcClient) setup(ctx context.Context) (*oidc.IDTokenVerifier, *keySet, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.verifier != nil {
		return o.verifier, o.keys, nil
	}
	if o.failure != nil && time.Since(o.failedAt) < discoveryRetry {
		return nil, nil, o.failure
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.opts.Client), o.issuer)
	if err != nil {
		o.failure, o.failedAt = unavailable("OIDC discovery for "+o.issuer, err), time.Now()
		return nil, nil, o.failure
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURI == "" {
		o.failure, o.failedAt = unavailable("OIDC discovery for "+o.issuer, errors.New("no jwks_uri")), time.Now()
		return nil, nil, o.failure
	}
	o.keys = &keySet{url: meta.JWKSURI, client: o.opts.Client, interval: o.opts.JWKSRefetchInterval}
	o.verifier = oidc.NewVerifier(o.issuer, o.keys, &oidc.Config{
		ClientID:             o.clientID,
		SupportedSigningAlgs: []string{oidc.RS256},
		Now:                  o.opts.Now,
	})
	o.failure = nil
	return o.verifier, o.keys, nil
}

// verify checks an id_token: RS256 only, kid from the issuer's JWKS, signature,
// iss (exactly the configured issuer; go-oidc also accepts "accounts.google.com"
// when the issuer is Google's default), aud = client id, exp.
func (o *oidcClient) verify(ctx context.Context, raw string) (*oidc.IDToken, error) {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, invalid("id_token is not an RS256 JWS")
	}
	kid := jws.Signatures[0].Header.KeyID
	if kid == "" {
		return nil, invalid("id_token has no kid")
	}
	v, ks, err := o.setup(ctx)
	if err != nil {
		return nil, err
	}
	// Fetching keys happens here, where a network failure can be told apart
	// from a bad token; go-oidc then only reads the cached set.
	if err := ks.ensure(ctx, kid); err != nil {
		return nil, err
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, invalid("id_token: %v", err)
	}
	if !validSubject(tok.Subject) {
		return nil, invalid("id_token has no usable sub")
	}
	return tok, nil
}

// keySet is an oidc.KeySet over one JWKS URL (parsed with go-jose) that fetches
// on an unknown kid, at most once per interval.
type keySet struct {
	url      string
	client   *http.Client
	interval time.Duration

	fetchMu   sync.Mutex // one fetch at a time
	mu        sync.RWMutex
	set       jose.JSONWebKeySet
	fetchedAt time.Time
}

func (k *keySet) lookup(kid string) []jose.JSONWebKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.set.Key(kid)
}

// ensure makes sure kid is known, fetching the set if it is not and the last
// fetch is older than the interval. An unknown kid is ErrInvalid; a failed
// fetch is ErrUnavailable.
func (k *keySet) ensure(ctx context.Context, kid string) error {
	if len(k.lookup(kid)) > 0 {
		return nil
	}
	k.fetchMu.Lock()
	defer k.fetchMu.Unlock()
	if len(k.lookup(kid)) > 0 {
		return nil // fetched by someone else meanwhile
	}
	k.mu.RLock()
	last := k.fetchedAt
	k.mu.RUnlock()
	if !last.IsZero() && time.Since(last) < k.interval {
		return invalid("id_token kid %q is not in the provider's key set", kid)
	}
	set, err := k.fetch(ctx)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.set, k.fetchedAt = set, time.Now()
	k.mu.Unlock()
	if len(set.Key(kid)) == 0 {
		return invalid("id_token kid %q is not in the provider's key set", kid)
	}
	return nil
}

func (k *keySet) fetch(ctx context.Context) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return set, unavailable("JWKS", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return set, unavailable("JWKS", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return set, unavailable("JWKS", fmt.Errorf("%s answered %s", k.url, resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return set, unavailable("JWKS", err)
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return set, unavailable("JWKS", fmt.Errorf("%s: %v", k.url, err))
	}
	return set, nil
}

// VerifySignature implements oidc.KeySet from the cached keys only.
func (k *keySet) VerifySignature(_ context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, errors.New("malformed jws")
	}
	for _, key := range k.lookup(jws.Signatures[0].Header.KeyID) {
		if key.Use != "" && key.Use != "sig" {
			continue
		}
		if payload, err := jws.Verify(&key); err == nil {
			return payload, nil
		}
	}
	return nil, errors.New("signature does not verify with the provider's key")
}
