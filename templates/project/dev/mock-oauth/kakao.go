package main

import (
	"net/http"
	"time"
)

// Kakao-shaped OAuth 2.0 + OpenID Connect under /kakao, as Kakao behaves with OpenID
// Connect turned on in its console: every code exchange returns an id_token.
// kauth.kakao.com (/oauth/…, /.well-known/…) and kapi.kakao.com (/v2/user/me, /v1/user/…)
// share one base URL here, so KAKAO_ISSUER and KAKAO_API_URL are both <base>/kakao.
const (
	kakaoAccessTTL  = 21599 * time.Second   // about 6 h, what Kakao reports
	kakaoRefreshTTL = 5183999 * time.Second // about 60 days
)

func (s *server) kakaoRoutes() {
	s.handle(kakao, "GET /kakao/.well-known/openid-configuration", s.kakaoDiscovery)
	s.handle(kakao, "GET /kakao/.well-known/jwks.json", s.handleJWKS)
	s.handle(kakao, "/kakao/oauth/authorize", s.handleAuthorize(kakao))
	s.handle(kakao, "POST /kakao/oauth/token", s.kakaoToken)
	s.handle(kakao, "/kakao/v2/user/me", s.kakaoMe)
	s.handle(kakao, "/kakao/v1/oidc/userinfo", s.kakaoUserinfo)
	s.handle(kakao, "POST /kakao/v1/user/logout", s.kakaoLogout)
	s.handle(kakao, "POST /kakao/v1/user/unlink", s.kakaoLogout)
}

func (s *server) kakaoDiscovery(w http.ResponseWriter, _ *http.Request) {
	iss := s.issuer(kakao)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                s.cfg.BaseURL + providerInfos[kakao].AuthorizePath,
		"token_endpoint":                        iss + "/oauth/token",
		"userinfo_endpoint":                     iss + "/v1/oidc/userinfo",
		"jwks_uri":                              iss + "/.well-known/jwks.json",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"request_uri_parameter_supported":       false,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"iss", "aud", "sub", "auth_time", "exp", "iat", "nonce", "nickname", "picture", "email"},
	})
}

// kakaoError writes Kakao's error shape, with its KOE code.
func kakaoError(w http.ResponseWriter, code, desc, koe string) {
	status := http.StatusBadRequest
	if code == "invalid_client" {
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc, "error_code": koe})
}

// kakaoToken is kauth.kakao.com/oauth/token. Kakao takes the client secret in the body
// only (client_secret_post); HTTP Basic gets invalid_client.
func (s *server) kakaoToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		kakaoError(w, "invalid_request", "bad request", "KOE001")
		return
	}
	if _, _, basic := r.BasicAuth(); basic {
		s.log.Warn("token: client credentials sent as HTTP Basic; Kakao wants client_secret_post", "provider", kakao)
		kakaoError(w, "invalid_client", "Bad client credentials", "KOE010")
		return
	}
	cl := s.cfg.Clients[kakao]
	if id := r.PostForm.Get("client_id"); id != cl.ID {
		s.log.Warn("token: unknown client_id", "provider", kakao)
		kakaoError(w, "invalid_client", "Not exist client_id", "KOE101")
		return
	}
	if !equalSecret(r.PostForm.Get("client_secret"), cl.Secret) {
		s.log.Warn("token: wrong or missing client_secret", "provider", kakao)
		kakaoError(w, "invalid_client", "Bad client credentials", "KOE010")
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		s.kakaoCodeGrant(w, r)
	case "refresh_token":
		s.kakaoRefreshGrant(w, r)
	default:
		kakaoError(w, "unsupported_grant_type", "unsupported grant_type: "+gt, "KOE001")
	}
}

func (s *server) kakaoCodeGrant(w http.ResponseWriter, r *http.Request) {
	code := r.PostForm.Get("code")
	if code == "" {
		kakaoError(w, "invalid_request", "code is required", "KOE001")
		return
	}
	c, res := s.store.takeCode(code)
	if res != codeOK || c.provider != kakao || c.clientID != s.cfg.Clients[kakao].ID {
		s.log.Warn("token: bad authorization code", "provider", kakao, "reason", codeReason(res))
		kakaoError(w, "invalid_grant", "authorization code not found", "KOE320")
		return
	}
	if r.PostForm.Get("redirect_uri") != c.redirectURI {
		s.log.Warn("token: redirect_uri differs from the authorize request", "provider", kakao)
		kakaoError(w, "invalid_grant", "Redirect URI mismatch.", "KOE303")
		return
	}
	if c.challenge != "" && !verifyPKCE(c.method, c.challenge, r.PostForm.Get("code_verifier")) {
		s.log.Warn("token: PKCE verifier missing or wrong", "provider", kakao)
		kakaoError(w, "invalid_grant", "code_verifier does not match code_challenge", "KOE320")
		return
	}
	scope := "openid profile_nickname profile_image"
	if c.user.Email != "" {
		scope += " account_email"
	}
	g := s.store.newGrant(grant{provider: kakao, clientID: c.clientID, user: c.user, scope: scope,
		authTime: c.authTime}, kakaoRefreshTTL)
	access, _ := s.store.issueAccess(g, kakaoAccessTTL)
	idToken, err := s.kakaoIDToken(g, access, c.nonce)
	if err != nil {
		s.log.Error("sign id_token", "provider", kakao, "err", err)
		kakaoError(w, "server_error", "could not sign the id_token", "KOE500")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":               "bearer",
		"access_token":             access,
		"id_token":                 idToken,
		"expires_in":               int(kakaoAccessTTL.Seconds()),
		"refresh_token":            g.refreshToken,
		"refresh_token_expires_in": int(kakaoRefreshTTL.Seconds()),
		"scope":                    scope,
	})
	s.log.Info("token: issued", "provider", kakao, "grant_type", "authorization_code", "user", g.user.Key)
}

func (s *server) kakaoRefreshGrant(w http.ResponseWriter, r *http.Request) {
	g := s.store.lookupRefresh(kakao, r.PostForm.Get("refresh_token"))
	if g == nil || g.clientID != s.cfg.Clients[kakao].ID {
		s.log.Warn("token: refresh token unknown, expired or revoked", "provider", kakao)
		kakaoError(w, "invalid_grant", "Invalid refresh token.", "KOE322")
		return
	}
	access, _ := s.store.issueAccess(g, kakaoAccessTTL)
	idToken, err := s.kakaoIDToken(g, access, "")
	if err != nil {
		s.log.Error("sign id_token", "provider", kakao, "err", err)
		kakaoError(w, "server_error", "could not sign the id_token", "KOE500")
		return
	}
	// Kakao returns a new refresh token only when the old one has less than a month left;
	// a fresh one (60 days) never does within this process's life, so none is returned.
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":   "bearer",
		"access_token": access,
		"id_token":     idToken,
		"expires_in":   int(kakaoAccessTTL.Seconds()),
	})
	s.log.Info("token: issued", "provider", kakao, "grant_type", "refresh_token", "user", g.user.Key)
}

func (s *server) kakaoIDToken(g *grant, accessToken, nonce string) (string, error) {
	now := s.now()
	u := g.user
	claims := map[string]any{
		"iss":       s.issuer(kakao),
		"aud":       g.clientID,
		"sub":       u.kakaoIDString(),
		"iat":       now.Unix(),
		"exp":       now.Add(kakaoAccessTTL).Unix(),
		"auth_time": g.authTime.Unix(),
		"at_hash":   accessTokenHash(accessToken),
		"nickname":  u.Nickname,
		"picture":   s.pictureURL(u),
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if u.Email != "" {
		claims["email"] = u.Email
	}
	return s.keys.sign(claims)
}

// kakaoUnauthorized is kapi.kakao.com's answer to a missing, expired or revoked token.
func kakaoUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="kakao", error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]any{"msg": "this access token does not exist", "code": -401})
}

// kakaoMe is kapi.kakao.com/v2/user/me.
func (s *server) kakaoMe(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	g := s.store.lookupAccess(kakao, bearerToken(r))
	if g == nil {
		kakaoUnauthorized(w)
		return
	}
	u := g.user
	pic := s.pictureURL(u)
	account := map[string]any{
		"profile_nickname_needs_agreement": false,
		"profile_image_needs_agreement":    false,
		"profile": map[string]any{
			"nickname":            u.Nickname,
			"thumbnail_image_url": pic,
			"profile_image_url":   pic,
			"is_default_image":    false,
			"is_default_nickname": false,
		},
		"has_email": u.Email != "",
	}
	if u.Email != "" {
		account["email_needs_agreement"] = false
		account["is_email_valid"] = true
		account["is_email_verified"] = true
		account["email"] = u.Email
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":           u.KakaoID,
		"connected_at": g.authTime.UTC().Format(time.RFC3339),
		"properties": map[string]string{
			"nickname":        u.Nickname,
			"profile_image":   pic,
			"thumbnail_image": pic,
		},
		"kakao_account": account,
	})
}

// kakaoUserinfo is kapi.kakao.com/v1/oidc/userinfo, the OIDC userinfo endpoint.
func (s *server) kakaoUserinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	g := s.store.lookupAccess(kakao, bearerToken(r))
	if g == nil {
		kakaoUnauthorized(w)
		return
	}
	u := g.user
	resp := map[string]any{"sub": u.kakaoIDString(), "nickname": u.Nickname, "picture": s.pictureURL(u)}
	if u.Email != "" {
		resp["email"] = u.Email
		resp["email_verified"] = true
	}
	writeJSON(w, http.StatusOK, resp)
}

// kakaoLogout is kapi.kakao.com/v1/user/logout (and /v1/user/unlink): it expires the
// user's access and refresh token and answers with the user id.
func (s *server) kakaoLogout(w http.ResponseWriter, r *http.Request) {
	tok := bearerToken(r)
	if s.store.lookupAccess(kakao, tok) == nil {
		kakaoUnauthorized(w)
		return
	}
	g, ok := s.store.revoke(kakao, "", tok)
	if !ok {
		kakaoUnauthorized(w)
		return
	}
	s.log.Info("revoked", "provider", kakao, "user", g.user.Key, "path", r.URL.Path)
	writeJSON(w, http.StatusOK, map[string]any{"id": g.user.KakaoID})
}
