package main

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The pages are html/template templates kept as Go strings, with [[ ]] as delimiters.
const pageLayout = `[[define "head"]]<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>[[.Title]] · mock-oauth</title>
<style>
body { font-family: system-ui, -apple-system, "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; margin: 0; background: #f4f4f5; color: #18181b; }
main { max-width: 34rem; margin: 2rem auto; background: #fff; border-radius: 12px; padding: 1.5rem 2rem; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.banner { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 8px; padding: .75rem 1rem; font-size: .92rem; }
.error { background: #fee2e2; border-color: #ef4444; }
h1 { font-size: 1.3rem; margin: 1.2rem 0 .5rem; }
code { background: #f4f4f5; padding: 0 .25rem; border-radius: 4px; word-break: break-all; }
ul { list-style: none; padding: 0; }
li { margin: .5rem 0; }
button { width: 100%; text-align: left; padding: .7rem 1rem; border: 1px solid #d4d4d8; border-radius: 8px; background: #fff; font-size: 1rem; cursor: pointer; display: flex; gap: .75rem; align-items: center; }
button:hover { background: #f4f4f5; }
button img { width: 36px; height: 36px; border-radius: 50%; }
button small { color: #52525b; display: block; }
button.deny { justify-content: center; color: #b91c1c; }
.muted { color: #52525b; font-size: .88rem; }
table { border-collapse: collapse; font-size: .9rem; }
td, th { text-align: left; padding: .2rem .6rem .2rem 0; vertical-align: top; }
</style>
</head>
<body><main>
<p class="banner[[if .IsError]] error[[end]]"><strong>개발용 모의 로그인 서버(mock-oauth)입니다. 실제 [[.Korean]] 로그인이 아닙니다.</strong><br>
This is a development stand-in (dev/mock-oauth), not the real [[.Label]]. No real account is used and nothing leaves this machine.</p>
[[end]]
[[define "foot"]]</main></body></html>[[end]]

[[define "consent"]][[template "head" .]]
<h1>[[.Label]] 로그인 · Sign in with [[.Label]]</h1>
<p>앱 <code>[[.ClientID]]</code> 이(가) 로그인을 요청합니다.<br>
The app with client_id <code>[[.ClientID]]</code> asks you to sign in.</p>
<p class="muted">로그인 후 돌아갈 주소 · redirect URI: <code>[[.RedirectURI]]</code></p>
<form method="post" action="[[.Action]]">
[[range .Hidden]]<input type="hidden" name="[[.Name]]" value="[[.Value]]">
[[end]]<p>테스트 사용자를 고르세요 · Choose a test user:</p>
<ul>
[[range .Users]]<li><button type="submit" name="user" value="[[.Key]]"><img src="[[.Picture]]" alt=""><span>[[.Name]] <small>[[if .Email]][[.Email]][[else]]이메일 없음 · no e-mail[[end]]</small></span></button></li>
[[end]]</ul>
<button type="submit" name="deny" value="1" class="deny">취소 · Deny (error=access_denied)</button>
</form>
[[template "foot" .]][[end]]

[[define "error"]][[template "head" .]]
<h1>[[.Code]]</h1>
<p>[[.Korean2]]<br>[[.English]]</p>
[[if .Hint]]<p class="muted">[[.Hint]]</p>[[end]]
[[template "foot" .]][[end]]

[[define "index"]][[template "head" .]]
<h1>mock-oauth</h1>
<p>Google, Naver, Kakao를 대신하는 오프라인 개발용 서버입니다. · An offline stand-in for Google, Naver and Kakao.</p>
<table>
<tr><th>provider</th><th>status</th><th>base URL (.env.local)</th></tr>
[[range .Providers]]<tr><td>[[.Label]]</td><td>[[if .Enabled]]on · client_id <code>[[.ClientID]]</code>[[else]]off: [[.Missing]] not set[[end]]</td><td><code>[[.Base]]</code></td></tr>
[[end]]</table>
<p class="muted">Redirect URIs: [[range .RedirectURIs]]<code>[[.]]</code> [[end]]</p>
<p class="muted">Test users: [[range .Users]]<code>[[.Key]]</code> [[end]][[if .AutoApprove]] · auto-approve: <code>[[.AutoApprove]]</code>[[end]]</p>
[[template "foot" .]][[end]]
`

var pages = template.Must(template.New("pages").Delims("[[", "]]").Parse(pageLayout))

type pageUser struct {
	Key, Name, Email, Picture string
}

func (s *server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// The page shows nothing secret, but it should never be framed (clickjacking).
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action "+
		s.formActionSources()+"; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// formActionSources is the CSP form-action of the pages: the approval form posts here, and
// the answer redirects to the app's redirect URI. Chromium applies form-action to that
// redirect too, so the origins of the registered redirect URIs must be allowed, or the
// browser stays on this page after a user is picked.
func (s *server) formActionSources() string {
	sources := []string{"'self'"}
	for _, p := range providerIDs {
		for _, uri := range s.cfg.RedirectURIs[p] {
			u, err := url.Parse(uri)
			if err != nil || u.Scheme == "" || u.Host == "" {
				continue
			}
			origin := u.Scheme + "://" + u.Host
			if !slices.Contains(sources, origin) {
				sources = append(sources, origin)
			}
		}
	}
	return strings.Join(sources, " ")
}

func (s *server) consentPage(w http.ResponseWriter, info providerInfo, req *authzRequest) {
	var users []pageUser
	for _, u := range usersFor(info.ID) {
		users = append(users, pageUser{Key: u.Key, Name: u.Name, Email: u.Email, Picture: s.pictureURL(&u)})
	}
	s.render(w, http.StatusOK, "consent", map[string]any{
		"Title":       info.Label + " 로그인 (개발용)",
		"Label":       info.Label,
		"Korean":      info.Korean,
		"IsError":     false,
		"ClientID":    req.ClientID,
		"RedirectURI": req.RedirectURI,
		"Action":      info.AuthorizePath,
		"Hidden":      hiddenFields(req.Params),
		"Users":       users,
	})
}

// errorPage is the provider's own error page: shown instead of redirecting when the
// client or the redirect URI cannot be trusted.
func (s *server) errorPage(w http.ResponseWriter, status int, provider, code, korean, english, hint string) {
	info := providerInfos[provider]
	s.render(w, status, "error", map[string]any{
		"Title":   info.Label + " 오류 · error",
		"Label":   info.Label,
		"Korean":  info.Korean,
		"IsError": true,
		"Code":    code,
		"Korean2": korean,
		"English": english,
		"Hint":    hint,
	})
}

func (s *server) handleIndex(w http.ResponseWriter, _ *http.Request) {
	type row struct {
		Label, ClientID, Missing, Base string
		Enabled                        bool
	}
	var rows []row
	for _, p := range providerIDs {
		cl, ok := s.cfg.Clients[p]
		missing := ""
		for i, m := range s.cfg.Missing[p] {
			if i > 0 {
				missing += ", "
			}
			missing += m
		}
		rows = append(rows, row{Label: providerInfos[p].Label, ClientID: cl.ID, Enabled: ok,
			Missing: missing, Base: s.issuer(p)})
	}
	var redirects []string
	for _, p := range providerIDs {
		redirects = append(redirects, s.cfg.RedirectURIs[p]...)
	}
	redirects = dedupe(redirects)
	s.render(w, http.StatusOK, "index", map[string]any{
		"Title":        "mock-oauth",
		"Label":        "Google / Naver / Kakao",
		"Korean":       "구글·네이버·카카오",
		"IsError":      false,
		"Providers":    rows,
		"RedirectURIs": redirects,
		"Users":        testUsers,
		"AutoApprove":  s.cfg.AutoApprove,
	})
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
