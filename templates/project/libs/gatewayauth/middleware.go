package gatewayauth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

type claimsKey struct{}

// ClaimsFrom returns the claims Middleware verified for this request.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// Middleware lets a request through to next only with a valid gateway access JWT in
// Authorization, and, when the gateway's X-User-Id header is present, only if it names the
// JWT's subject: headers alone are never trusted. next finds the claims with ClaimsFrom.
//
// Refusals are JSON errors with the gateway's codes (services/gateway/README.md, "Errors"):
// 401 unauthorized without a Bearer token, 401 invalid_token for a token that does not
// verify (both with the RFC 6750 WWW-Authenticate header), 503 temporarily_unavailable when
// the gateway's keys cannot be fetched.
func Middleware(v *Verifier, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw := BearerToken(r.Header.Get("Authorization"))
			if raw == "" {
				w.Header().Set("WWW-Authenticate", "Bearer")
				WriteError(w, http.StatusUnauthorized, "unauthorized", "an access token is required (Authorization: Bearer <token>)")
				return
			}
			claims, err := v.Verify(r.Context(), raw)
			if errors.Is(err, ErrKeysUnavailable) {
				log.WarnContext(r.Context(), "cannot fetch the gateway's keys", "err", err)
				WriteError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the gateway's signing keys cannot be fetched right now")
				return
			}
			if err != nil {
				log.InfoContext(r.Context(), "access token refused", "err", err)
				refuseToken(w, "the access token is not valid")
				return
			}
			if id, present := r.Header["X-User-Id"]; present && (len(id) != 1 || id[0] != claims.Subject) {
				log.WarnContext(r.Context(), "X-User-Id does not match the access token")
				refuseToken(w, "X-User-Id does not match the access token")
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
		})
	}
}

func refuseToken(w http.ResponseWriter, description string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	WriteError(w, http.StatusUnauthorized, "invalid_token", description)
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header, or "".
func BearerToken(header string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// WriteError writes the gateway's JSON error shape:
// {"error":"<code>","error_description":"<sentence>"}.
func WriteError(w http.ResponseWriter, status int, code, description string) {
	WriteJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// WriteJSON writes v as an uncacheable JSON answer: it describes one signed-in user.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
