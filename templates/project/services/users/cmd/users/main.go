// This command is one Go service behind the gateway. It answers GET /healthz, and for the
// signed-in user GET / and GET /me, checking the gateway access JWT itself against the
// gateway's JWKS (libs/gatewayauth).
//
// Configuration (environment): <NAME>_ADDR (the service's name in capitals, '-' as '_';
// default ":" and defaultPort), <NAME>_METRICS_ADDR (Prometheus /metrics, on its own
// listener; default ":" and defaultPort+1010), OTEL_EXPORTER_OTLP_ENDPOINT (traces over
// OTLP/HTTP; unset: none are sent), GATEWAY_JWKS_URL (default
// http://localhost:8080/.well-known/jwks.json), GATEWAY_ISSUER (default
// http://localhost:8080), GATEWAY_AUDIENCE (default api).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/libs/gatewayauth"
	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry"
	"github.com/nextmsa/nextmsa/templates/project/services/users/internal/server"
)

// The service's identity: the gateway routes /api/<name>/ here, and in development it
// listens on defaultPort. These are the only places the code names them.
const (
	name        = "users"
	defaultPort = 8081
)

// defaultMetricsPort keeps /metrics off the API port, in the range of the gateway's :9090
// (the generator's .MetricsPort, which deploy/ and docker-compose.yml scrape, is the same sum).
const defaultMetricsPort = defaultPort + 1010

func main() {
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(os.Stderr, nil))).With("service", name)
	if err := run(log, os.Getenv); err != nil {
		log.Error("service stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, getenv func(string) string) error {
	env := func(key, fallback string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return fallback
	}
	prefix := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	addr := env(prefix+"_ADDR", fmt.Sprintf(":%d", defaultPort))
	verifier := gatewayauth.NewVerifier(
		env("GATEWAY_JWKS_URL", "http://localhost:8080/.well-known/jwks.json"),
		env("GATEWAY_ISSUER", "http://localhost:8080"),
		env("GATEWAY_AUDIENCE", "api"),
	)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	stopTracing, err := telemetry.StartTracing(name, getenv)
	if err != nil {
		return err
	}
	defer stopTracing(context.Background())
	metrics := telemetry.NewMetrics()
	metricsSrv := metrics.NewServer(env(prefix+"_METRICS_ADDR", fmt.Sprintf(":%d", defaultMetricsPort)))
	srv := &http.Server{
		Addr: addr,
		// The gateway is the only caller, and its traceparent is trusted: the service's
		// span is a child of the gateway's proxy span.
		Handler:           telemetry.Handler(metrics.Routes(server.New(name, verifier, log)), name, nil),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}

	errc := make(chan error, 2)
	go func() {
		log.Info("listening", "addr", addr, "metrics", metricsSrv.Addr, "jwks", verifier.JWKSURL)
		errc <- srv.ListenAndServe()
	}()
	go func() { errc <- metricsSrv.ListenAndServe() }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests (at most 10 s)")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	metricsSrv.Close()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
