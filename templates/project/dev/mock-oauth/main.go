// Command mock-oauth is an offline stand-in for the Google, Naver and Kakao logins, for
// development and tests: run it, point the web app's endpoint variables at it, and
// sign in as a test user without any account or network. See README.md.
//
// All state (the signing key, codes, tokens) lives in memory and dies with the process.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, os.Getenv); err != nil {
		log.Error("mock-oauth stopped", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx is cancelled, then drains in-flight requests.
func run(ctx context.Context, log *slog.Logger, getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	srv, err := newServer(cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (MOCK_OAUTH_ADDR): %w", cfg.Addr, err)
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("mock-oauth: development stand-in for Google, Naver and Kakao; not for production",
		"addr", ln.Addr().String(), "url", cfg.BaseURL)
	for _, p := range providerIDs {
		if cl, ok := cfg.Clients[p]; ok {
			log.Info("provider on", "provider", p, "base", srv.issuer(p), "client_id", cl.ID,
				"redirect_uris", strings.Join(cfg.RedirectURIs[p], ","))
		} else {
			log.Warn("provider off", "provider", p, "missing", strings.Join(cfg.Missing[p], ","))
		}
	}
	if cfg.AutoApprove != "" {
		log.Info("auto-approve on: every authorize request signs in as this user", "user", cfg.AutoApprove)
	}

	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
