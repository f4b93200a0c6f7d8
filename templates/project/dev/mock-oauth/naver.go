package main

import (
	"net/http"
	"strconv"
	"time"
)

// Naver-shaped OAuth 2.0 under /naver: nid.naver.com (/oauth2.0/…) and openapi.naver.com
// (/v1/nid/me) share one base URL here, so NAVER_AUTH_URL and NAVER_API_URL are both
// <base>/naver. Naver has no OpenID Connect: no id_token, ever.
const (
	naverAccessTTL  = time.Hour
	naverRefreshTTL = 30 * 24 * time.Hour
)

func (s *server) naverRoutes() {
	s.handle(naver, "/naver/oauth2.0/authorize", s.handleAuthorize(naver))
	s.handle(naver, "/naver/oauth2.0/token", s.naverToken)
	s.handle(naver, "/naver/v1/nid/me", s.naverMe)
}

// naverError writes Naver's token error: HTTP 200 with an error body, as Naver answers.
func naverError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusOK, map[string]string{"error": code, "error_description": desc})
}

// naverToken is /oauth2.0/token: issue (authorization_code), refresh (refresh_token) and
// delete (delete). Naver takes the parameters in the query (GET) or the body (POST), and
// the client credentials as parameters or as HTTP Basic (what openid-client sends).
func (s *server) naverToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		naverError(w, "invalid_request", "invalid request")
		return
	}
	id, secret, _ := clientCredentials(r)
	cl := s.cfg.Clients[naver]
	if id != cl.ID || !equalSecret(secret, cl.Secret) {
		s.log.Warn("token: bad client credentials", "provider", naver)
		naverError(w, "invalid_client", "client authentication failed")
		return
	}
	switch gt := r.Form.Get("grant_type"); gt {
	case "authorization_code":
		s.naverCodeGrant(w, r)
	case "refresh_token":
		s.naverRefreshGrant(w, r)
	case "delete":
		s.naverDelete(w, r)
	default:
		naverError(w, "unsupported_grant_type", "unsupported grant_type: "+gt)
	}
}

func (s *server) naverCodeGrant(w http.ResponseWriter, r *http.Request) {
	code := r.Form.Get("code")
	if code == "" {
		naverError(w, "invalid_request", "no code")
		return
	}
	c, res := s.store.takeCode(code)
	if res != codeOK || c.provider != naver || c.clientID != s.cfg.Clients[naver].ID {
		s.log.Warn("token: bad authorization code", "provider", naver, "reason", codeReason(res))
		naverError(w, "invalid_request", "no valid data in session")
		return
	}
	// Naver's guide sends no redirect_uri here; openid-client does. If sent, it must match.
	if ru := r.Form.Get("redirect_uri"); ru != "" && ru != c.redirectURI {
		s.log.Warn("token: redirect_uri differs from the authorize request", "provider", naver)
		naverError(w, "invalid_request", "redirect_uri mismatch")
		return
	}
	g := s.store.newGrant(grant{provider: naver, clientID: c.clientID, user: c.user, authTime: c.authTime},
		naverRefreshTTL)
	access, _ := s.store.issueAccess(g, naverAccessTTL)
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token":  access,
		"refresh_token": g.refreshToken,
		"token_type":    "bearer",
		// A string, not a number: Naver's quirk, kept so clients are tested against it.
		"expires_in": strconv.Itoa(int(naverAccessTTL.Seconds())),
	})
	s.log.Info("token: issued", "provider", naver, "grant_type", "authorization_code", "user", g.user.Key)
}

func (s *server) naverRefreshGrant(w http.ResponseWriter, r *http.Request) {
	g := s.store.lookupRefresh(naver, r.Form.Get("refresh_token"))
	if g == nil || g.clientID != s.cfg.Clients[naver].ID {
		s.log.Warn("token: refresh token unknown, expired or revoked", "provider", naver)
		naverError(w, "invalid_request", "invalid refresh_token")
		return
	}
	access, _ := s.store.issueAccess(g, naverAccessTTL)
	// Naver keeps the refresh token: none in the answer.
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": access,
		"token_type":   "bearer",
		"expires_in":   strconv.Itoa(int(naverAccessTTL.Seconds())),
	})
	s.log.Info("token: issued", "provider", naver, "grant_type", "refresh_token", "user", g.user.Key)
}

// naverDelete revokes the grant of an access token (연동 해제):
// grant_type=delete&client_id&client_secret&access_token&service_provider=NAVER.
func (s *server) naverDelete(w http.ResponseWriter, r *http.Request) {
	tok := r.Form.Get("access_token")
	if tok == "" {
		naverError(w, "invalid_request", "no access_token")
		return
	}
	if sp := r.Form.Get("service_provider"); sp != "" && sp != "NAVER" {
		naverError(w, "invalid_request", "invalid service_provider")
		return
	}
	var g *grant
	ok := s.store.lookupAccess(naver, tok) != nil
	if ok {
		g, ok = s.store.revoke(naver, s.cfg.Clients[naver].ID, tok)
	}
	if !ok {
		naverError(w, "invalid_request", "invalid access_token")
		return
	}
	s.log.Info("revoked", "provider", naver, "user", g.user.Key)
	writeJSON(w, http.StatusOK, map[string]string{"access_token": tok, "result": "success"})
}

// naverMe is openapi.naver.com/v1/nid/me, the profile API.
func (s *server) naverMe(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	g := s.store.lookupAccess(naver, bearerToken(r))
	if g == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="openapi.naver.com"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"resultcode": "024",
			"message":    "Authentication failed (인증 실패하였습니다.)",
		})
		return
	}
	u := g.user
	profile := map[string]string{
		"id":            u.NaverID,
		"nickname":      u.Nickname,
		"name":          u.Name,
		"profile_image": s.pictureURL(u),
	}
	if u.Email != "" {
		profile["email"] = u.Email
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"resultcode": "00",
		"message":    "success",
		"response":   profile,
	})
}
