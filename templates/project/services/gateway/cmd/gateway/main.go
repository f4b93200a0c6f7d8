// Command gateway is the project's API gateway (services/gateway/README.md). It
// is configured by the environment alone; see README.md, Configuration.
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
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nextmsa/nextmsa/templates/project/libs/telemetry"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/provider"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

// drainTimeout bounds the graceful shutdown on SIGTERM.
const drainTimeout = 10 * time.Second

// sweepEvery is how often expired sessions are deleted from a store that does
// not expire data by itself (the embedded bolt store; Redis keys expire alone).
const sweepEvery = time.Hour

func main() {
	// server.New adds request_id and trace_id to the lines logged with a request's context.
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, logger, nil); err != nil {
		logger.Error("gateway stopped", "err", err.Error())
		os.Exit(1)
	}
}

// run starts the gateway and serves until ctx is done, then drains in-flight
// requests for at most drainTimeout. ln may be nil (listen on GATEWAY_ADDR).
func run(ctx context.Context, getenv func(string) string, logger *slog.Logger, ln net.Listener) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	ring, watchKeys, err := loadKeys(cfg, logger)
	if err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	sealer, err := loadSealer(cfg, logger)
	if err != nil {
		return fmt.Errorf("encryption keys: %w", err)
	}
	redis.SetLogger(redisLogger{logger})
	st, kind, err := openStore(cfg)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer st.Close()

	// Traces go to OTEL_EXPORTER_OTLP_ENDPOINT when it is set; unset, none are made.
	stopTracing, err := telemetry.StartTracing("gateway", getenv)
	if err != nil {
		return fmt.Errorf("tracing (OTEL_EXPORTER_OTLP_*): %w", err)
	}
	defer stopTracing(context.Background()) // flushes the spans still batched
	metrics := telemetry.NewMetrics()

	providers := provider.FromConfig(cfg, provider.Options{})
	srv, err := server.New(server.Options{
		Metrics:   metrics,
		Config:    cfg,
		Store:     st,
		Keys:      ring,
		Sealer:    sealer,
		Providers: providers,
		Logger:    logger,
	})
	if err != nil {
		return err
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return err
		}
	}
	httpSrv := server.NewHTTPServer(cfg.Addr, srv.Handler(), logger)

	if watchKeys != nil {
		watchCtx, stopWatch := context.WithCancel(ctx)
		watchDone := make(chan struct{})
		go func() {
			defer close(watchDone)
			watchKeys(watchCtx, func(r *keys.Ring) {
				if err := srv.SetKeys(r); err != nil {
					logger.Error("signing keys not applied; the last good set stays in use", "err", err.Error())
				}
			})
		}()
		defer func() {
			stopWatch()
			<-watchDone
		}()
	}
	if sw, ok := st.(store.Sweeper); ok {
		// Stopped and waited for before the deferred st.Close runs.
		sweepCtx, stopSweep := context.WithCancel(ctx)
		sweepDone := make(chan struct{})
		go func() {
			defer close(sweepDone)
			sweep(sweepCtx, sw, cfg.RefreshTTL, sweepEvery, logger)
		}()
		defer func() {
			stopSweep()
			<-sweepDone
		}()
	}
	names := make([]string, 0, len(providers))
	for n := range providers {
		names = append(names, n)
	}
	slices.Sort(names)
	routes := make([]string, 0, len(cfg.Routes))
	for _, r := range cfg.Routes {
		routes = append(routes, r.Name+"="+r.URL.String())
	}
	logger.Info("gateway listening", "addr", ln.Addr().String(), "store", kind,
		"providers", names, "routes", routes, "issuer", cfg.Issuer, "kid", ring.Signing(time.Now()).ID)

	errc := make(chan error, 2)
	if cfg.MetricsAddr != "off" {
		metricsSrv := metrics.NewServer(cfg.MetricsAddr)
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("GATEWAY_METRICS_ADDR: %w", err)
		}
		logger.Info("metrics listening", "addr", mln.Addr().String())
		go func() { errc <- metricsSrv.Serve(mln) }()
		defer metricsSrv.Close()
	}
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests", "timeout", drainTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		logger.Warn("drain timed out; closing remaining connections")
		_ = httpSrv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("gateway stopped")
	return nil
}

// loadKeys returns the key ring to start with and, for a key directory, the
// loop that keeps re-reading it (nil otherwise).
func loadKeys(cfg config.Config, logger *slog.Logger) (*keys.Ring, func(context.Context, func(*keys.Ring)), error) {
	if dir := cfg.SigningKeysDir; dir != "" {
		retireAfter := cfg.AccessTTL + token.Leeway
		ring, digest, err := keys.LoadDir(dir, retireAfter)
		if err == nil {
			err = keys.CheckActive(dir, ring, time.Now())
		}
		if err != nil {
			return nil, nil, fmt.Errorf("GATEWAY_SIGNING_KEYS_DIR: %w", err)
		}
		watch := func(ctx context.Context, apply func(*keys.Ring)) {
			keys.Watch(ctx, dir, retireAfter, keys.DirPollInterval, ring, digest, apply, time.Now, logger)
		}
		return ring, watch, nil
	}
	var key *keys.Key
	if cfg.SigningKeyFile != "" {
		k, err := keys.LoadFile(cfg.SigningKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("GATEWAY_SIGNING_KEY_FILE: %w", err)
		}
		key = k
	} else {
		k, generated, err := keys.LoadOrGenerate(cfg.DataDir)
		if err != nil {
			return nil, nil, err
		}
		if generated {
			logger.Warn("generated a development signing key; set GATEWAY_SIGNING_KEYS_DIR or GATEWAY_SIGNING_KEY_FILE in production",
				"path", filepath.Join(cfg.DataDir, keys.DevKeyFile), "kid", k.ID)
		}
		key = k
	}
	return keys.Single(key, trackKeys(cfg, key, logger)), nil, nil
}

// trackKeys remembers the signing key under GATEWAY_DATA_DIR and returns the
// keys signed with before it whose tokens may still be valid. Without that
// memory a new key only costs a 401 and a refresh for tokens already out, so a
// failure here is logged, not fatal. A key directory needs no such memory:
// the directory is the history, the same on every replica.
func trackKeys(cfg config.Config, key *keys.Key, logger *slog.Logger) []keys.Retired {
	retired, err := keys.Track(cfg.DataDir, key, time.Now(), cfg.AccessTTL+token.Leeway)
	if err != nil {
		logger.Warn("signing-key history unavailable: after a key change, tokens signed by the earlier key are refused",
			"path", filepath.Join(cfg.DataDir, keys.HistoryFile), "err", err.Error())
	}
	for _, r := range retired {
		logger.Info("an earlier signing key stays published until its tokens expire", "kid", r.Key.KeyID, "until", r.Until)
	}
	return retired
}

// loadSealer returns the keyring that seals provider refresh tokens:
// GATEWAY_ENCRYPTION_KEYS, or (embedded store only; config.Load requires the
// variable with Redis) a key generated once under GATEWAY_DATA_DIR.
func loadSealer(cfg config.Config, logger *slog.Logger) (*seal.Keyring, error) {
	ks := cfg.EncryptionKeys
	if len(ks) == 0 {
		k, generated, err := seal.LoadOrGenerateKey(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if generated {
			logger.Warn("generated an encryption key; set GATEWAY_ENCRYPTION_KEYS in production",
				"path", filepath.Join(cfg.DataDir, seal.KeyFile))
		}
		ks = [][]byte{k}
	}
	return server.NewSealer(ks)
}

// openStore: REDIS_URL set ⇒ Redis (the gateway starts even when Redis is
// down; requests needing it answer 503 until it is back), else the embedded
// bbolt store under GATEWAY_DATA_DIR.
func openStore(cfg config.Config) (store.Store, string, error) {
	if cfg.RedisURL != "" {
		st, err := store.NewRedisURL(cfg.RedisURL)
		if err != nil {
			return nil, "", fmt.Errorf("REDIS_URL: %w", err)
		}
		return st, "redis", nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, "", err
	}
	st, err := store.NewBolt(filepath.Join(cfg.DataDir, "sessions.db"))
	return st, "bolt", err
}

// sweep deletes the sessions none of whose refresh tokens can still be valid,
// once at start and then every interval, until ctx is done.
func sweep(ctx context.Context, sw store.Sweeper, ttl, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := sw.Sweep(ctx, time.Now(), ttl); err != nil {
			logger.Warn("sweeping expired sessions failed", "err", err.Error())
		} else {
			logger.Debug("swept expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// redisLogger sends go-redis's own messages (reconnect attempts while Redis is
// down) through slog at debug level; /readyz and the 503 answers already say
// that the store is unreachable.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.Log(ctx, slog.LevelDebug, "redis: "+fmt.Sprintf(format, v...))
}
