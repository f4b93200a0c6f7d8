// Package server is the users service's HTTP API. It sits behind the gateway, which strips
// the /api/users prefix: the browser's GET /api/users/me arrives here as GET /me.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/nextmsa/nextmsa/templates/project/services/users/internal/auth"
)

// Verifier checks a gateway access JWT (auth.Verifier in production).
type Verifier interface {
	Verify(ctx context.Context, raw string) (*auth.Claims, error)
}

// Me is the answer of GET /me: the user as the verified access token describes it.
type Me struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Email    string `json:"email"`
	Name     string `json:"name"`
}

// New returns the service's routes.
func New(v Verifier, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		claims, ok := authenticate(w, r, v, log)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, Me{
			ID:       claims.Subject,
			Provider: claims.Provider,
			Email:    claims.Email,
			Name:     claims.Name,
		})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such route")
	})
	return mux
}

// authenticate verifies the JWT in Authorization and, when the gateway's X-User-Id header
// is present, that it names the same user. Headers alone are never trusted.
func authenticate(w http.ResponseWriter, r *http.Request, v Verifier, log *slog.Logger) (*auth.Claims, bool) {
	raw := auth.BearerToken(r.Header.Get("Authorization"))
	if raw == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeError(w, http.StatusUnauthorized, "invalid_request", "an access token is required (Authorization: Bearer <token>)")
		return nil, false
	}
	claims, err := v.Verify(r.Context(), raw)
	if errors.Is(err, auth.ErrKeysUnavailable) {
		log.Warn("cannot fetch the gateway's keys", "err", err)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the gateway's signing keys cannot be fetched right now")
		return nil, false
	}
	if err != nil {
		log.Info("access token refused", "err", err)
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "the access token is not valid")
		return nil, false
	}
	if id, present := r.Header["X-User-Id"]; present && (len(id) != 1 || id[0] != claims.Subject) {
		log.Warn("X-User-Id does not match the access token")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "invalid_token", "X-User-Id does not match the access token")
		return nil, false
	}
	return claims, true
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
