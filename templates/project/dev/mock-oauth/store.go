package main

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// Token lifetimes, close to the real providers'.
const (
	codeTTL = 2 * time.Minute // Google's codes live a few minutes, Kakao's 10; short on purpose
)

// authCode is one issued authorization code: single use, short-lived, bound to the client,
// the redirect URI, the user and (Google, optionally Kakao) the PKCE challenge.
type authCode struct {
	provider    string
	clientID    string
	redirectURI string
	user        *testUser
	scope       string
	nonce       string
	challenge   string
	method      string // S256 or plain; empty: no PKCE
	offline     bool   // Google access_type=offline: a refresh token is issued
	expires     time.Time
	authTime    time.Time
}

// grant is what one approval produced: the refresh token and every access token issued
// from it. Revoking any of its tokens revokes the whole grant, as Google and Kakao do.
type grant struct {
	provider       string
	clientID       string
	user           *testUser
	scope          string
	authTime       time.Time
	refreshToken   string // empty when none was issued
	refreshExpires time.Time
	revoked        bool
}

type accessToken struct {
	grant   *grant
	expires time.Time
}

// store keeps codes and tokens in memory; they die with the process.
type store struct {
	mu        sync.Mutex
	now       func() time.Time
	codes     map[string]*authCode
	usedCodes map[string]time.Time // to tell "already used" from "unknown" in logs
	access    map[string]*accessToken
	refresh   map[string]*grant
	lastSweep time.Time
}

func newStore(now func() time.Time) *store {
	return &store{
		now:       now,
		codes:     map[string]*authCode{},
		usedCodes: map[string]time.Time{},
		access:    map[string]*accessToken{},
		refresh:   map[string]*grant{},
	}
}

// randomToken returns 32 random bytes, base64url: opaque, unguessable.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *store) newCode(c authCode) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	code := randomToken()
	c.expires = s.now().Add(codeTTL)
	s.codes[code] = &c
	return code
}

// codeResult says why takeCode failed, for the log and the error text.
type codeResult int

const (
	codeOK codeResult = iota
	codeUnknown
	codeReused
	codeExpired
)

// takeCode removes the code and returns it: a code works once. A reused code, an
// expired one and an unknown one all fail.
func (s *store) takeCode(code string) (*authCode, codeResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok {
		if _, used := s.usedCodes[code]; used {
			return nil, codeReused
		}
		return nil, codeUnknown
	}
	delete(s.codes, code)
	s.usedCodes[code] = c.expires
	if s.now().After(c.expires) {
		return nil, codeExpired
	}
	return c, codeOK
}

// newGrant records an approval and returns it; issue tokens with issueAccess.
func (s *store) newGrant(g grant, refreshTTL time.Duration) *grant {
	s.mu.Lock()
	defer s.mu.Unlock()
	if refreshTTL > 0 {
		g.refreshToken = randomToken()
		g.refreshExpires = s.now().Add(refreshTTL)
	}
	p := &g
	if g.refreshToken != "" {
		s.refresh[g.refreshToken] = p
	}
	return p
}

func (s *store) issueAccess(g *grant, ttl time.Duration) (string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := randomToken()
	exp := s.now().Add(ttl)
	s.access[tok] = &accessToken{grant: g, expires: exp}
	return tok, exp
}

// lookupAccess returns the grant of a live access token of the provider, or nil.
func (s *store) lookupAccess(provider, token string) *grant {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.access[token]
	if !ok || a.grant.revoked || a.grant.provider != provider || s.now().After(a.expires) {
		return nil
	}
	return a.grant
}

// lookupRefresh returns the grant of a live refresh token of the provider, or nil.
func (s *store) lookupRefresh(provider, token string) *grant {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[token]
	if !ok || g.revoked || g.provider != provider || s.now().After(g.refreshExpires) {
		return nil
	}
	return g
}

// revoke revokes the grant the token (access or refresh) belongs to. It reports whether
// the token was a live token of the provider (and, if clientID is not empty, of that client).
func (s *store) revoke(provider, clientID, token string) (*grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var g *grant
	if a, ok := s.access[token]; ok && !s.now().After(a.expires) {
		g = a.grant
	} else if r, ok := s.refresh[token]; ok && !s.now().After(r.refreshExpires) {
		g = r
	}
	if g == nil || g.revoked || g.provider != provider || (clientID != "" && g.clientID != clientID) {
		return nil, false
	}
	s.revokeLocked(g)
	return g, true
}

func (s *store) revokeLocked(g *grant) {
	g.revoked = true
	if g.refreshToken != "" {
		delete(s.refresh, g.refreshToken)
	}
	for tok, a := range s.access {
		if a.grant == g {
			delete(s.access, tok)
		}
	}
}

// sweepLocked drops expired entries, at most once a minute.
func (s *store) sweepLocked() {
	now := s.now()
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for k, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, k)
		}
	}
	for k, exp := range s.usedCodes {
		if now.After(exp.Add(codeTTL)) {
			delete(s.usedCodes, k)
		}
	}
	for k, a := range s.access {
		if now.After(a.expires) {
			delete(s.access, k)
		}
	}
	for k, g := range s.refresh {
		if now.After(g.refreshExpires) {
			delete(s.refresh, k)
		}
	}
}
