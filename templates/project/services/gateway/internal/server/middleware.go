package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

type ctxKey int

const requestInfoKey ctxKey = 0

// requestInfo is what the gateway learns about a request on its way through:
// one value in the context, filled in place, so the hot proxy path clones the
// request only once.
type requestInfo struct {
	id     string
	claims *token.Claims // set by the proxy once the access token is verified
}

// requestID gives every request an id: the caller's X-Request-Id when it is
// short and plain, else a new random one. It is echoed in the response.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestInfoKey, &requestInfo{id: id})))
	})
}

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// statusWriter records the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (used by ReverseProxy) reach Flush etc.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs one line per request: method, path (never the query, which
// may carry tokens), status, duration, request id. Headers and bodies are never
// logged. Successful proxied requests are logged at debug level so the hot
// path stays cheap; everything else at info (5xx at warn).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		switch {
		case sw.status >= 500:
			level = slog.LevelWarn
		case sw.status < 400 && strings.HasPrefix(r.URL.Path, "/api/"):
			level = slog.LevelDebug
		}
		if !s.log.Enabled(r.Context(), level) {
			return
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// recoverer turns a panic into a plain 500 without Go text.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.LogAttrs(r.Context(), slog.LevelError, "panic", slog.Any("panic", v))
				writeServerError(w)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// internalAuth lets only the NextAuth server through: it must send the
// internal secret as a Bearer token. This runs before anything reads the body,
// so a caller without the secret gets 401 whatever it sent. Both sides are
// hashed first so the comparison is constant-time whatever their lengths.
//
// Only callers that fail the check spend from their address's bucket, and
// they get 429 once it is empty: that caps guessing the secret, while the
// NextAuth server, one address for all its users, is never limited like one
// person.
func (s *Server) internalAuth(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.cfg.InternalSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		if ok {
			got := sha256.Sum256([]byte(tok))
			ok = subtle.ConstantTimeCompare(got[:], want[:]) == 1 && s.cfg.InternalSecret != ""
		}
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		if s.limiter.refuse(w, r, s.now()) {
			return
		}
		if _, sent := bearer(r); !sent {
			writeMissingToken(w, "This endpoint needs the gateway's internal secret as a Bearer token.")
			return
		}
		writeInvalidToken(w, "The internal secret is wrong.")
	})
}
