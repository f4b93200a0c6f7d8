package main

import (
	"net/http"
	"time"
)

// Google-shaped OpenID Connect under /google. The paths mirror Google's own
// (accounts.google.com/o/oauth2/v2/auth, oauth2.googleapis.com/token, …) below one issuer.
const (
	googleAccessTTL  = 3599 * time.Second
	googleIDTokenTTL = time.Hour
	// Google's refresh tokens do not expire on their own (7 days for apps in testing mode);
	// here they live as long as the process or 30 days.
	googleRefreshTTL = 30 * 24 * time.Hour
)

func (s *server) googleRoutes() {
	s.handle(google, "GET /google/.well-known/openid-configuration", s.googleDiscovery)
	s.handle(google, "/google/o/oauth2/v2/auth", s.handleAuthorize(google))
	s.handle(google, "POST /google/token", s.googleToken)
	s.handle(google, "/google/v1/userinfo", s.googleUserinfo)
	s.handle(google, "GET /google/oauth2/v3/certs", s.handleJWKS)
	s.handle(google, "/google/revoke", s.googleRevoke)
}

func (s *server) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.keys.public)
}

func (s *server) googleDiscovery(w http.ResponseWriter, _ *http.Request) {
	iss := s.issuer(google)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                s.cfg.BaseURL + providerInfos[google].AuthorizePath,
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/v1/userinfo",
		"revocation_endpoint":                   iss + "/revoke",
		"jwks_uri":                              iss + "/oauth2/v3/certs",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported": []string{"aud", "email", "email_verified", "exp", "family_name", "given_name",
			"iat", "iss", "name", "picture", "sub"},
		"code_challenge_methods_supported": []string{"plain", "S256"},
		"grant_types_supported":            []string{"authorization_code", "refresh_token"},
	})
}

// googleError writes Google's token-endpoint error shape.
func googleError(w http.ResponseWriter, code, desc string) {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// googleClient authenticates the client of a token or revoke request: Google accepts
// client_secret_post and client_secret_basic.
func (s *server) googleClient(w http.ResponseWriter, r *http.Request) bool {
	id, secret, _ := clientCredentials(r)
	cl := s.cfg.Clients[google]
	if id != cl.ID {
		s.log.Warn("token: unknown client_id", "provider", google)
		googleError(w, "invalid_client", "The OAuth client was not found.")
		return false
	}
	if !equalSecret(secret, cl.Secret) {
		s.log.Warn("token: wrong client secret", "provider", google)
		googleError(w, "invalid_client", "Unauthorized")
		return false
	}
	return true
}

func (s *server) googleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		googleError(w, "invalid_request", "Invalid request body")
		return
	}
	if !s.googleClient(w, r) {
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		s.googleCodeGrant(w, r)
	case "refresh_token":
		s.googleRefreshGrant(w, r)
	case "":
		googleError(w, "unsupported_grant_type", "Missing required parameter: grant_type")
	default:
		googleError(w, "unsupported_grant_type", "Invalid grant_type: "+gt)
	}
}

func (s *server) googleCodeGrant(w http.ResponseWriter, r *http.Request) {
	code := r.PostForm.Get("code")
	if code == "" {
		googleError(w, "invalid_request", "Missing required parameter: code")
		return
	}
	redirectURI := r.PostForm.Get("redirect_uri")
	if redirectURI == "" {
		googleError(w, "invalid_request", "Missing parameter: redirect_uri")
		return
	}
	c, res := s.store.takeCode(code)
	if res != codeOK || c.provider != google {
		s.log.Warn("token: bad authorization code", "provider", google, "reason", codeReason(res))
		googleError(w, "invalid_grant", "Bad Request")
		return
	}
	if c.clientID != s.cfg.Clients[google].ID {
		googleError(w, "invalid_grant", "Unauthorized")
		return
	}
	if redirectURI != c.redirectURI {
		s.log.Warn("token: redirect_uri differs from the authorize request", "provider", google)
		googleError(w, "redirect_uri_mismatch", "Bad Request")
		return
	}
	if c.challenge != "" {
		verifier := r.PostForm.Get("code_verifier")
		if verifier == "" {
			googleError(w, "invalid_grant", "Missing code verifier.")
			return
		}
		if !verifyPKCE(c.method, c.challenge, verifier) {
			s.log.Warn("token: PKCE verifier does not match", "provider", google)
			googleError(w, "invalid_grant", "Invalid code verifier.")
			return
		}
	}
	var refreshTTL time.Duration
	if c.offline {
		refreshTTL = googleRefreshTTL
	}
	g := s.store.newGrant(grant{provider: google, clientID: c.clientID, user: c.user, scope: c.scope,
		authTime: c.authTime}, refreshTTL)
	s.googleTokenResponse(w, g, c.nonce, true)
	s.log.Info("token: issued", "provider", google, "grant_type", "authorization_code", "user", g.user.Key,
		"refresh_token", g.refreshToken != "")
}

func (s *server) googleRefreshGrant(w http.ResponseWriter, r *http.Request) {
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		googleError(w, "invalid_request", "Missing required parameter: refresh_token")
		return
	}
	g := s.store.lookupRefresh(google, rt)
	if g == nil || g.clientID != s.cfg.Clients[google].ID {
		s.log.Warn("token: refresh token unknown, expired or revoked", "provider", google)
		googleError(w, "invalid_grant", "Token has been expired or revoked.")
		return
	}
	// Google keeps the refresh token: the response has a new access token (and id_token)
	// but no refresh_token.
	s.googleTokenResponse(w, g, "", false)
	s.log.Info("token: issued", "provider", google, "grant_type", "refresh_token", "user", g.user.Key)
}

func (s *server) googleTokenResponse(w http.ResponseWriter, g *grant, nonce string, withRefresh bool) {
	access, _ := s.store.issueAccess(g, googleAccessTTL)
	resp := map[string]any{
		"access_token": access,
		"expires_in":   int(googleAccessTTL.Seconds()),
		"scope":        g.scope,
		"token_type":   "Bearer",
	}
	if withRefresh && g.refreshToken != "" {
		resp["refresh_token"] = g.refreshToken
	}
	if hasScope(g.scope, "openid") {
		idToken, err := s.googleIDToken(g, access, nonce)
		if err != nil {
			s.log.Error("sign id_token", "provider", google, "err", err)
			googleError(w, "internal_failure", "Could not sign the id_token")
			return
		}
		resp["id_token"] = idToken
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *server) googleIDToken(g *grant, accessToken, nonce string) (string, error) {
	now := s.now()
	claims := map[string]any{
		"iss":     s.issuer(google),
		"azp":     g.clientID,
		"aud":     g.clientID,
		"sub":     g.user.GoogleSub,
		"at_hash": accessTokenHash(accessToken),
		"iat":     now.Unix(),
		"exp":     now.Add(googleIDTokenTTL).Unix(),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	for k, v := range s.googleClaims(g) {
		claims[k] = v
	}
	return s.keys.sign(claims)
}

// googleClaims are the profile claims the granted scopes allow (email, profile).
func (s *server) googleClaims(g *grant) map[string]any {
	u := g.user
	c := map[string]any{}
	if hasScope(g.scope, "email") && u.Email != "" {
		c["email"] = u.Email
		c["email_verified"] = true
	}
	if hasScope(g.scope, "profile") {
		c["name"] = u.Name
		c["given_name"] = u.GivenName
		c["family_name"] = u.FamilyName
		c["picture"] = s.pictureURL(u)
	}
	return c
}

func (s *server) googleUserinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	g := s.store.lookupAccess(google, bearerToken(r))
	if g == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.issuer(google)+`", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"error":             "invalid_request",
			"error_description": "Invalid Credentials",
		})
		return
	}
	resp := map[string]any{"sub": g.user.GoogleSub}
	for k, v := range s.googleClaims(g) {
		resp[k] = v
	}
	writeJSON(w, http.StatusOK, resp)
}

// googleRevoke revokes an access or refresh token and with it the whole grant, as Google
// does (https://oauth2.googleapis.com/revoke?token=…). The token comes in the body or the query.
func (s *server) googleRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		googleError(w, "invalid_request", "Invalid request body")
		return
	}
	tok := r.Form.Get("token")
	if tok == "" {
		googleError(w, "invalid_request", "Missing required parameter: token")
		return
	}
	g, ok := s.store.revoke(google, "", tok)
	if !ok {
		googleError(w, "invalid_token", "Token expired or revoked")
		return
	}
	s.log.Info("revoked", "provider", google, "user", g.user.Key)
	writeJSON(w, http.StatusOK, map[string]any{})
}

func codeReason(r codeResult) string {
	switch r {
	case codeReused:
		return "already used"
	case codeExpired:
		return "expired"
	case codeUnknown:
		return "unknown"
	}
	return "other provider"
}
