// Package server is this service's HTTP API. It sits behind the gateway, which strips the
// service's /api/<name> prefix: the browser's GET /api/<name>/me arrives here as GET /me.
package server

import (
	"log/slog"
	"net/http"

	"github.com/nextmsa/nextmsa/templates/project/libs/gatewayauth"
)

// User is the signed-in user as the verified access token describes it; GET /me answers it.
type User struct {
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Email    string `json:"email"`
	Name     string `json:"name"`
}

// Hello is the answer of GET / (the gateway's /api/<name>/): which service answered, for whom.
type Hello struct {
	Service string `json:"service"`
	User    User   `json:"user"`
}

// New returns the routes of the service called name. Every route but /healthz needs the
// gateway's access JWT.
func New(name string, v *gatewayauth.Verifier, log *slog.Logger) http.Handler {
	signedIn := gatewayauth.Middleware(v, log)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		gatewayauth.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /{$}", signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gatewayauth.WriteJSON(w, http.StatusOK, Hello{Service: name, User: userOf(r)})
	})))
	mux.Handle("GET /me", signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gatewayauth.WriteJSON(w, http.StatusOK, userOf(r))
	})))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		gatewayauth.WriteError(w, http.StatusNotFound, "not_found", "no such route")
	})
	return mux
}

// userOf reads the user from the claims gatewayauth.Middleware verified.
func userOf(r *http.Request) User {
	c, _ := gatewayauth.ClaimsFrom(r.Context())
	return User{ID: c.Subject, Provider: c.Provider, Email: c.Email, Name: c.Name}
}
