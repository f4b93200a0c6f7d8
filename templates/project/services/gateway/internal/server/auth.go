package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

// exchangeRequest is the body of POST /auth/exchange.
type exchangeRequest struct {
	Provider     string `json:"provider"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresAt    int64  `json:"expires_at"`
}

// refreshRequest is the body of POST /auth/refresh and /auth/logout.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// User is the "user" object of token responses.
type User struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Image    string `json:"image"`
}

// TokenResponse is the 200 answer of /auth/exchange and /auth/refresh.
type TokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshToken     string `json:"refresh_token"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	User             User   `json:"user"`
}

var errEmptyBody = errors.New("the request body is empty")

// decodeExchange parses an exchange body. Unknown fields are ignored (NextAuth
// may send more of the provider's answer); the provider name is required.
func decodeExchange(body []byte) (exchangeRequest, error) {
	var req exchangeRequest
	if err := decodeObject(body, &req); err != nil {
		return exchangeRequest{}, err
	}
	if req.Provider == "" {
		return exchangeRequest{}, errors.New(`"provider" is required`)
	}
	return req, nil
}

func decodeRefresh(body []byte) (refreshRequest, error) {
	var req refreshRequest
	if err := decodeObject(body, &req); err != nil {
		return refreshRequest{}, err
	}
	if req.RefreshToken == "" {
		return refreshRequest{}, errors.New(`"refresh_token" is required`)
	}
	return req, nil
}

// decodeObject accepts exactly one JSON object and nothing after it.
func decodeObject(body []byte, v any) error {
	if len(body) == 0 {
		return errEmptyBody
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return errors.New("the body is not a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%q has the wrong type", te.Field)
		}
		return errors.New("the body is not valid JSON")
	}
	return nil
}

// readBody reads at most MaxAuthBody bytes; a larger body is 413.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength > MaxAuthBody {
		writeError(w, http.StatusRequestEntityTooLarge, "request_too_large",
			fmt.Sprintf("The body is larger than %d bytes.", MaxAuthBody))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxAuthBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "request_too_large",
				fmt.Sprintf("The body is larger than %d bytes.", MaxAuthBody))
		} else {
			writeError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		}
		return nil, false
	}
	return body, true
}

func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeExchange(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "Malformed exchange request: "+err.Error()+".")
		return
	}
	v, ok := s.providers[req.Provider]
	if !ok {
		writeError(w, http.StatusBadRequest, "unsupported_provider",
			"The provider is unknown or not enabled on this gateway.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), providerTimeout)
	defer cancel()
	id, err := v.Verify(ctx, provider.Tokens{
		AccessToken:  req.AccessToken,
		RefreshToken: req.RefreshToken,
		IDToken:      req.IDToken,
		ExpiresAt:    req.ExpiresAt,
	})
	if err != nil {
		s.providerError(w, r, req.Provider, err)
		return
	}
	userID := UserID(id.Provider, id.Subject)
	var sealed []byte
	if req.RefreshToken != "" {
		sealed = s.sealer.Seal([]byte(req.RefreshToken), []byte(userID))
	}
	now := s.now()
	fam := store.Family{
		UserID:     userID,
		Provider:   id.Provider,
		Email:      id.Email,
		Name:       id.Name,
		Image:      id.Image,
		ProviderRT: sealed,
		Expiry:     now.Add(max(FamilyLifetime, s.cfg.RefreshTTL)),
	}
	sctx, scancel := context.WithTimeout(r.Context(), storeTimeout)
	defer scancel()
	raw, err := s.store.CreateFamily(sctx, fam, now)
	if err != nil {
		s.storeError(w, r, "create session", err)
		return
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "login",
		slog.String("provider", id.Provider), slog.String("user_id", userID))
	s.respondTokens(w, r, fam, raw, store.TokenExpiry(fam, now, s.cfg.RefreshTTL), now)
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeRefresh(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "Malformed refresh request: "+err.Error()+".")
		return
	}
	now := s.now()
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	res, err := s.store.Rotate(ctx, req.RefreshToken, now, s.cfg.RefreshReuseGrace, s.cfg.RefreshTTL)
	switch {
	case err == nil:
	case errors.Is(err, store.ErrReuseDetected):
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "refresh token reused; session revoked")
		writeError(w, http.StatusUnauthorized, "invalid_grant",
			"The refresh token was already used; the session has been revoked.")
		return
	case errors.Is(err, store.ErrFamilyRevoked):
		writeError(w, http.StatusUnauthorized, "invalid_grant", "The session has been revoked.")
		return
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrExpired):
		writeError(w, http.StatusUnauthorized, "invalid_grant", "The refresh token is unknown or expired.")
		return
	default:
		s.storeError(w, r, "rotate refresh token", err)
		return
	}
	s.respondTokens(w, r, res.Family, res.Successor, res.ExpiresAt, now)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeRefresh(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "Malformed logout request: "+err.Error()+".")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	if err := s.store.RevokeToken(ctx, req.RefreshToken); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeError(w, r, "revoke session", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) respondTokens(w http.ResponseWriter, r *http.Request, f store.Family, refresh string, refreshExpires, now time.Time) {
	access, expires, err := s.mint(token.Subject{
		UserID:   f.UserID,
		Provider: f.Provider,
		Email:    f.Email,
		Name:     f.Name,
	}, now)
	if err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelError, "signing access token failed", slog.String("err", err.Error()))
		writeServerError(w)
		return
	}
	writeJSON(w, http.StatusOK, TokenResponse{
		AccessToken:      access,
		TokenType:        "Bearer",
		ExpiresIn:        int64(expires.Sub(now.Truncate(time.Second)) / time.Second),
		RefreshToken:     refresh,
		RefreshExpiresIn: max(0, int64(refreshExpires.Sub(now).Round(time.Second)/time.Second)),
		User: User{
			ID:       f.UserID,
			Provider: f.Provider,
			Email:    f.Email,
			Name:     f.Name,
			Image:    f.Image,
		},
	})
}

// providerError maps a verification failure: missing token 400, refused 401,
// provider timeout 504, provider unreachable 502.
func (s *Server) providerError(w http.ResponseWriter, r *http.Request, name string, err error) {
	attrs := []slog.Attr{
		slog.String("provider", name),
		slog.String("err", err.Error()),
	}
	switch {
	case errors.Is(err, provider.ErrMissing):
		writeError(w, http.StatusBadRequest, "invalid_request", "The tokens this provider needs were not sent.")
	case errors.Is(err, provider.ErrInvalid):
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "provider token rejected", attrs...)
		writeError(w, http.StatusUnauthorized, "invalid_grant", "The provider's tokens could not be verified.")
	case provider.IsTimeout(err):
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "provider timed out", attrs...)
		writeError(w, http.StatusGatewayTimeout, "provider_timeout", "The identity provider did not answer in time.")
	default:
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "provider unavailable", attrs...)
		writeError(w, http.StatusBadGateway, "provider_unavailable", "The identity provider could not be reached.")
	}
}

// storeError answers 503 for any store failure; the cause is logged only.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "store unavailable",
		slog.String("op", op), slog.String("err", err.Error()))
	writeStoreUnavailable(w)
}

// UserID is the gateway user id of a provider identity: stable for the same
// (provider, subject) pair and never shared between providers.
func UserID(providerName, subject string) string {
	return providerName + ":" + subject
}
