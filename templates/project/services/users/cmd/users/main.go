// Command users is the example service behind the gateway: GET /me answers who the caller
// is, from the gateway access JWT it verifies itself against the gateway's JWKS.
//
// Configuration (environment): USERS_ADDR (default :8081), GATEWAY_JWKS_URL (default
// http://localhost:8080/.well-known/jwks.json), GATEWAY_ISSUER (default
// http://localhost:8080), GATEWAY_AUDIENCE (default api).
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/users/internal/auth"
	"github.com/nextmsa/nextmsa/templates/project/services/users/internal/server"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("users service stopped", "err", err)
		os.Exit(1)
	}
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func run(log *slog.Logger) error {
	addr := env("USERS_ADDR", ":8081")
	verifier := auth.NewVerifier(
		env("GATEWAY_JWKS_URL", "http://localhost:8080/.well-known/jwks.json"),
		env("GATEWAY_ISSUER", "http://localhost:8080"),
		env("GATEWAY_AUDIENCE", "api"),
	)
	srv := &http.Server{
		Addr:              addr,
		Handler:           server.New(verifier, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		log.Info("users service listening", "addr", addr, "jwks", verifier.JWKSURL)
		errc <- srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests (at most 10 s)")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
