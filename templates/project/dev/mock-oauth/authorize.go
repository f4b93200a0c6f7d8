package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// authzRequest is an authorization request, read from the query (GET) or from the hidden
// fields of the approval form (POST).
type authzRequest struct {
	Provider     string
	ClientID     string
	RedirectURI  string
	ResponseType string
	State        string
	Scope        string
	Nonce        string
	Challenge    string
	Method       string
	AccessType   string
	// Params are all request parameters, carried through the approval form.
	Params url.Values
}

// authorizeRules is what differs between the providers' authorize endpoints.
type authorizeRules struct {
	// clientErr and redirectErr are the error codes the provider's own error page shows.
	clientErr, redirectErr string
	// check returns an error code and description for a request the provider refuses
	// (after client_id and redirect_uri are known good, so it goes back to the client).
	check func(req *authzRequest) (code, desc string)
	// deniedDesc is the error_description sent with error=access_denied ("" for none).
	deniedDesc string
}

var authorizeRulesByProvider = map[string]authorizeRules{
	google: {
		clientErr: "Error 401: invalid_client", redirectErr: "Error 400: redirect_uri_mismatch",
		check: func(req *authzRequest) (string, string) {
			if req.Scope == "" {
				return "invalid_request", "Missing required parameter: scope"
			}
			// Google accepts a code flow without PKCE from a confidential client; NextAuth's
			// Google provider always sends it, so the stand-in insists, to catch a config
			// that lost the check.
			if req.Challenge == "" {
				return "invalid_request", "Missing required parameter: code_challenge (mock-oauth requires PKCE for Google)"
			}
			if req.Method == "" {
				req.Method = "plain" // RFC 7636 4.3
			}
			if req.Method != "S256" && req.Method != "plain" {
				return "invalid_request", "Invalid code_challenge_method: " + req.Method
			}
			return "", ""
		},
	},
	naver: {
		clientErr: "invalid_client", redirectErr: "redirect_uri_mismatch",
		check:      func(*authzRequest) (string, string) { return "", "" },
		deniedDesc: "Canceled By User",
	},
	kakao: {
		clientErr: "KOE101", redirectErr: "KOE006",
		check: func(req *authzRequest) (string, string) {
			if req.Challenge != "" && req.Method != "S256" {
				return "invalid_request", "code_challenge_method must be S256"
			}
			return "", ""
		},
		deniedDesc: "User denied access",
	},
}

// handleAuthorize serves the authorize endpoint of a provider: it validates the request
// like the real provider, then shows the test-user page, or approves at once when
// MOCK_OAUTH_AUTO_APPROVE is set.
func (s *server) handleAuthorize(provider string) http.HandlerFunc {
	info := providerInfos[provider]
	rules := authorizeRulesByProvider[provider]
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, http.StatusBadRequest, provider, "invalid_request",
				"요청을 읽을 수 없습니다.", "The request could not be parsed.", "")
			return
		}
		params := r.Form
		if r.Method == http.MethodPost {
			params = r.PostForm
		}
		req := &authzRequest{
			Provider:     provider,
			ClientID:     params.Get("client_id"),
			RedirectURI:  params.Get("redirect_uri"),
			ResponseType: params.Get("response_type"),
			State:        params.Get("state"),
			Scope:        params.Get("scope"),
			Nonce:        params.Get("nonce"),
			Challenge:    params.Get("code_challenge"),
			Method:       params.Get("code_challenge_method"),
			AccessType:   params.Get("access_type"),
			Params:       url.Values{},
		}
		for k, v := range params {
			if k != "user" && k != "deny" {
				req.Params[k] = v
			}
		}
		cl := s.cfg.Clients[provider]
		// The client and the redirect URI are checked first, and their errors are shown
		// here: sending an error to an unverified redirect URI would be an open redirect.
		if req.ClientID == "" || req.ClientID != cl.ID {
			s.log.Warn("authorize: unknown client_id", "provider", provider)
			s.errorPage(w, http.StatusUnauthorized, provider, rules.clientErr,
				"등록되지 않은 앱(client_id)입니다: \""+req.ClientID+"\"",
				"The OAuth client was not found: client_id \""+req.ClientID+"\".",
				"웹 앱과 mock-oauth의 "+envName(provider)+"_CLIENT_ID 값이 같아야 합니다. / "+
					envName(provider)+"_CLIENT_ID must be the same for the web app and mock-oauth.")
			return
		}
		if !s.redirectURIAllowed(provider, req.RedirectURI) {
			s.log.Warn("authorize: redirect_uri not registered", "provider", provider, "redirect_uri", req.RedirectURI)
			s.errorPage(w, http.StatusBadRequest, provider, rules.redirectErr,
				"등록되지 않은 redirect_uri입니다: "+req.RedirectURI,
				"redirect_uri is not registered: "+req.RedirectURI,
				"등록된 주소 / registered: "+strings.Join(s.cfg.RedirectURIs[provider], ", ")+
					" (NEXTAUTH_URL, MOCK_OAUTH_REDIRECT_URIS)")
			return
		}
		if req.ResponseType != "code" {
			s.redirectError(w, r, req, "unsupported_response_type", "response_type must be code")
			return
		}
		if req.State == "" {
			s.redirectError(w, r, req, "invalid_request", "Missing required parameter: state")
			return
		}
		if code, desc := rules.check(req); code != "" {
			s.redirectError(w, r, req, code, desc)
			return
		}

		var userKey string
		switch {
		case r.Method == http.MethodPost && params.Get("deny") != "":
			s.log.Info("authorize: denied by the tester", "provider", provider)
			s.redirectError(w, r, req, "access_denied", rules.deniedDesc)
			return
		case r.Method == http.MethodPost:
			userKey = params.Get("user")
		case s.cfg.AutoApprove != "":
			userKey = s.cfg.AutoApprove
		default:
			s.consentPage(w, info, req)
			return
		}
		u := findUser(userKey)
		if u == nil || !u.availableTo(provider) {
			s.errorPage(w, http.StatusBadRequest, provider, "invalid_user",
				"이 제공자에서 쓸 수 없는 테스트 사용자입니다: "+userKey,
				"No such test user at "+info.Label+": "+userKey,
				"쓸 수 있는 사용자 / available: "+strings.Join(userKeysFor(provider), ", "))
			return
		}
		code := s.store.newCode(authCode{
			provider:    provider,
			clientID:    req.ClientID,
			redirectURI: req.RedirectURI,
			user:        u,
			scope:       req.Scope,
			nonce:       req.Nonce,
			challenge:   req.Challenge,
			method:      req.Method,
			offline:     req.AccessType == "offline",
			authTime:    s.now(),
		})
		s.log.Info("authorize: approved", "provider", provider, "user", u.Key,
			"auto", r.Method != http.MethodPost, "client_id", req.ClientID)
		q := url.Values{}
		q.Set("code", code)
		q.Set("state", req.State)
		if provider == google {
			q.Set("scope", req.Scope)
		}
		s.redirect(w, r, req.RedirectURI, q)
	}
}

func userKeysFor(provider string) []string {
	var keys []string
	for _, u := range usersFor(provider) {
		keys = append(keys, u.Key)
	}
	return keys
}

// redirectError sends an OAuth error back to the (verified) redirect URI, RFC 6749 4.1.2.1.
func (s *server) redirectError(w http.ResponseWriter, r *http.Request, req *authzRequest, code, desc string) {
	if code != "access_denied" {
		s.log.Warn("authorize: refused", "provider", req.Provider, "error", code, "error_description", desc)
	}
	q := url.Values{}
	q.Set("error", code)
	if desc != "" {
		q.Set("error_description", desc)
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	s.redirect(w, r, req.RedirectURI, q)
}

// redirect appends q to the redirect URI's query. A POST (the approval form) gets
// 303 See Other so the browser follows with a GET.
func (s *server) redirect(w http.ResponseWriter, r *http.Request, redirectURI string, q url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil { // cannot happen: redirect URIs are validated at start
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	merged := u.Query()
	for k, v := range q {
		merged[k] = v
	}
	u.RawQuery = merged.Encode()
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	http.Redirect(w, r, u.String(), status)
}

// hiddenField is one parameter of the authorize request, carried through the form.
type hiddenField struct{ Name, Value string }

func hiddenFields(params url.Values) []hiddenField {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []hiddenField
	for _, k := range keys {
		for _, v := range params[k] {
			out = append(out, hiddenField{Name: k, Value: v})
		}
	}
	return out
}
