// Package provider verifies the tokens NextAuth obtained from Google, Kakao and
// Naver and turns them into an Identity: Google id_token (OIDC), Kakao id_token
// (OIDC) or else the Kakao user API, Naver profile API.
package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
)

// Names of the providers.
const (
	Google = "google"
	Kakao  = "kakao"
	Naver  = "naver"
)

// Identity is a verified provider user. (Provider, Subject) identifies the user;
// the e-mail never links accounts.
type Identity struct {
	Provider string
	Subject  string
	Email    string
	Name     string
	Image    string
}

// Tokens are what NextAuth received from the provider.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	IDToken      string
	ExpiresAt    int64
}

// Verifier verifies one provider's tokens.
type Verifier interface {
	Verify(ctx context.Context, t Tokens) (Identity, error)
}

// Errors. ErrInvalid: the tokens were checked and refused (401). ErrMissing: a
// required token was not sent (400). ErrUnavailable: the provider could not be
// asked (502); if ctx expired, errors also match context.DeadlineExceeded (504).
var (
	ErrInvalid     = errors.New("provider token rejected")
	ErrMissing     = errors.New("provider token missing")
	ErrUnavailable = errors.New("provider unavailable")
)

// Set is the enabled providers by name.
type Set map[string]Verifier

// Options tune the verifiers.
type Options struct {
	// Client makes every request to the providers (discovery, JWKS, user APIs).
	Client *http.Client
	// JWKSRefetchInterval limits refetches of a provider JWKS on an unknown kid
	// (default 30 s).
	JWKSRefetchInterval time.Duration
	// Now replaces time.Now for id_token expiry checks (tests).
	Now func() time.Time
}

// DefaultClient is the HTTP client used for providers when Options.Client is nil.
func DefaultClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	t.ResponseHeaderTimeout = 10 * time.Second
	return &http.Client{
		Transport: t,
		Timeout:   15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// FromConfig builds the enabled providers. Nothing is fetched yet: discovery
// happens on first use, so the gateway starts without network access.
func FromConfig(c config.Config, opts Options) Set {
	if opts.Client == nil {
		opts.Client = DefaultClient()
	}
	if opts.JWKSRefetchInterval <= 0 {
		opts.JWKSRefetchInterval = 30 * time.Second
	}
	s := Set{}
	if c.Google.Enabled() {
		s[Google] = &googleVerifier{oidc: newOIDC(c.Google.Issuer, c.Google.ClientID, opts)}
	}
	if c.Kakao.Enabled() {
		s[Kakao] = &kakaoVerifier{
			oidc:   newOIDC(c.Kakao.Issuer, c.Kakao.ClientID, opts),
			apiURL: c.Kakao.APIURL,
			client: opts.Client,
		}
	}
	if c.Naver.Enabled() {
		s[Naver] = &naverVerifier{apiURL: c.Naver.APIURL, client: opts.Client}
	}
	return s
}

// unavailable wraps a transport-level failure so that errors.Is finds both
// ErrUnavailable and the cause (e.g. context.DeadlineExceeded).
func unavailable(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// IsTimeout reports whether err is a provider timeout (answered with 504).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// validSubject guards the subject that becomes the gateway user id and an
// upstream header: printable ASCII, no spaces, at most 255 bytes.
func validSubject(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
