// Command bench measures the gateway on loopback, all in one process:
//
//   - requests/s of a bare backend, of a bare httputil.ReverseProxy with the
//     gateway's transport, and of the gateway's authenticated proxy path with a
//     valid access JWT (ratio gateway / bare proxy);
//   - /auth/refresh requests/s against the raw RS256 signing rate of the same
//     key (ratio refresh / signing), per refresh-token store;
//   - the same with two gateway instances sharing one key directory (and, for
//     the "redis-2" store, one Redis), requests alternating between them;
//   - the targets those ratios should meet, each marked met or NOT met: proxy
//     path >= 0.9x the bare proxy, memory and Redis stores >= 0.8x raw signing,
//     the embedded bolt store >= 0.8x the memory store.
//
// The gateways run with the default /auth/* rate limit, and every bench client
// is one address, as a NextAuth server is: the refresh figures are also that
// address's throughput. Run it with `go run ./bench` (flags: -duration, -conns,
// -stores). Redis is measured when REDIS_URL is set. Client and servers share the machine's CPUs,
// so absolute numbers are low on small machines; the ratios are the point.
package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/keys"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/seal"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/store"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/token"
)

const secret = "bench-internal-secret-0123456789"

func main() {
	duration := flag.Duration("duration", 5*time.Second, "length of each measurement")
	conns := flag.Int("conns", 64, "concurrent connections for the proxy measurements")
	refreshConns := flag.Int("refresh-conns", 64, "concurrent connections for the refresh measurement")
	rounds := flag.Int("rounds", 3, "rounds of every measurement (figures are the median round)")
	stores := flag.String("stores", "bolt,memory", "refresh-token stores to measure (bolt, memory, redis, redis-2: two gateways on one Redis; redis needs REDIS_URL)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *rounds < 1 || *conns < 1 || *refreshConns < 1 || *duration <= 0 {
		fmt.Fprintln(os.Stderr, "bench: -rounds, -conns, -refresh-conns and -duration must be positive")
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*duration, *conns, *refreshConns, *rounds, strings.Split(*stores, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, conns, refreshConns, rounds int, stores []string) error {
	fmt.Printf("gateway bench: GOMAXPROCS=%d, %s per measurement, %d connections (refresh: %d)\n\n",
		runtime.GOMAXPROCS(0), d, conns, refreshConns)
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	key, err := keys.New(priv)
	if err != nil {
		return err
	}
	ring, cleanRing, err := keysDir(priv)
	if err != nil {
		return err
	}
	defer cleanRing()

	// 1. The backend: a small JSON answer.
	backend := serve(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"google:42","ok":true}`)
	}))
	defer backend.close()
	backendURL, _ := url.Parse(backend.url)

	// 2. A bare ReverseProxy with the gateway's transport.
	bare := serve(&httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(backendURL) },
		Transport: server.NewTransport(),
	})
	defer bare.close()

	// 3. The gateway (memory store; the proxy path does not touch the store).
	gw, closeGW, err := gateway(ring, store.NewMemory(), backendURL)
	if err != nil {
		return err
	}
	defer closeGW()
	gw2, closeGW2, err := gateway(ring, store.NewMemory(), backendURL)
	if err != nil {
		return err
	}
	defer closeGW2()
	pair := []string{gw, gw2}
	minter, err := token.NewMinter(key, "http://bench", "api", 15*time.Minute)
	if err != nil {
		return err
	}
	access, _, err := minter.Mint(token.Subject{UserID: "google:42", Provider: "google", Email: "a@example.com", Name: "A"}, time.Now())
	if err != nil {
		return err
	}
	auth := http.Header{"Authorization": {"Bearer " + access}}

	// Sanity: every target answers 200.
	for _, u := range []string{backend.url + "/me", bare.url + "/me", gw + "/api/bench/me", gw2 + "/api/bench/me"} {
		if err := check(u, auth); err != nil {
			return err
		}
	}

	// Every target gets the same request, Authorization header included; the
	// bare proxy forwards it like the gateway does. The targets are measured in
	// turn, rounds times; each figure is the median round, and each ratio the
	// median of the rounds' own ratios (both sides measured moments apart).
	fmt.Println("proxy path (GET, requests/s; median of", rounds, "rounds):")
	var sBackend, sBare, sGW, sGW2 series
	for range rounds {
		sBackend = append(sBackend, load(d, conns, func(c *http.Client, _ int) bool { return get(c, backend.url+"/me", auth) }))
		sBare = append(sBare, load(d, conns, func(c *http.Client, _ int) bool { return get(c, bare.url+"/me", auth) }))
		sGW = append(sGW, load(d, conns, func(c *http.Client, _ int) bool { return get(c, gw+"/api/bench/me", auth) }))
		var n atomic.Int64
		sGW2 = append(sGW2, load(d, conns, func(c *http.Client, _ int) bool {
			return get(c, pair[n.Add(1)%2]+"/api/bench/me", auth)
		}))
	}
	fmt.Printf("  %-34s %s\n", "backend alone", sBackend.median())
	fmt.Printf("  %-34s %s\n", "bare httputil.ReverseProxy", sBare.median())
	fmt.Printf("  %-34s %s\n", "gateway, valid JWT", sGW.median())
	fmt.Printf("  %-34s %s\n\n", "2 gateways alternating, valid JWT", sGW2.median())
	goals := []goal{
		{"proxy: gateway / bare proxy", ratio(sGW, sBare), 0.90},
		{"proxy: 2 gateways / bare proxy", ratio(sGW2, sBare), 0.90},
	}

	// Signing and each store's refresh are measured in turn, rounds times.
	fmt.Println("refresh path (requests/s; median of", rounds, "rounds):")
	type result struct {
		name   string
		rounds series
		err    error
	}
	var sSign series
	results := make([]result, 0, len(stores))
	for _, name := range stores {
		results = append(results, result{name: strings.TrimSpace(name)})
	}
	for range rounds {
		sSign = append(sSign, signRate(d, priv))
		for i := range results {
			r := &results[i]
			if r.err != nil {
				continue
			}
			st, cleanup, err := openStore(r.name)
			if err != nil {
				r.err = err
				continue
			}
			got, err := refreshRate(d, refreshConns, ring, replicasOf(r.name), st, backendURL)
			cleanup()
			if err != nil {
				return fmt.Errorf("refresh with %s: %w", r.name, err)
			}
			r.rounds = append(r.rounds, got)
		}
	}
	fmt.Printf("  %-34s %s\n", fmt.Sprintf("raw RS256 signing (%d goroutines)", runtime.GOMAXPROCS(0)), sSign.median())
	refreshes := map[string]series{}
	for _, r := range results {
		if r.err != nil {
			fmt.Printf("  %-34s skipped: %v\n", "/auth/refresh, "+r.name+" store", r.err)
			continue
		}
		fmt.Printf("  %-34s %s\n", "/auth/refresh, "+r.name+" store", r.rounds.median())
		refreshes[r.name] = r.rounds
	}
	for _, name := range []string{"memory", "redis", "redis-2"} {
		if s, ok := refreshes[name]; ok {
			goals = append(goals, goal{"refresh: " + name + " store / raw signing", ratio(s, sSign), 0.80})
		}
	}
	bolt, haveBolt := refreshes["bolt"]
	memory, haveMemory := refreshes["memory"]
	if haveBolt && haveMemory {
		goals = append(goals, goal{"refresh: bolt store / memory store", ratio(bolt, memory), 0.80})
	}

	fmt.Println("\ntargets (each ratio the median of the rounds' own ratios):")
	for _, g := range goals {
		fmt.Println(g)
	}
	if haveBolt && !haveMemory {
		fmt.Println("  the bolt store's target is relative to the memory store: add memory to -stores")
	}
	return nil
}

// goal is one of the gateway's performance targets (README.md, Benchmark): a
// measured ratio and the least it should be.
type goal struct {
	name  string
	ratio float64
	least float64
}

func (g goal) String() string {
	verdict := "met"
	if g.ratio < g.least {
		verdict = "NOT met"
	}
	return fmt.Sprintf("  %-38s %5.2f   target >= %.2f   %s", g.name, g.ratio, g.least, verdict)
}

type target struct {
	url   string
	close func()
}

func serve(h http.Handler) target {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return target{url: "http://" + ln.Addr().String(), close: func() { _ = srv.Close() }}
}

// gateway serves one gateway instance; the rate limit is the default one, as
// in production: every bench client is one address, like a NextAuth server.
func gateway(ring *keys.Ring, st store.Store, backend *url.URL) (string, func(), error) {
	cfg := config.Config{
		Issuer:            "http://bench",
		Audience:          "api",
		InternalSecret:    secret,
		AccessTTL:         15 * time.Minute,
		RefreshTTL:        336 * time.Hour,
		RefreshReuseGrace: 10 * time.Second,
		Routes: []config.Route{
			{Name: "bench", URL: backend},
		},
		AuthRate:  config.DefaultAuthRate,
		AuthBurst: config.DefaultAuthBurst,
	}
	encKey := make([]byte, seal.KeySize)
	_, _ = rand.Read(encKey)
	sealer, err := server.NewSealer([][]byte{encKey})
	if err != nil {
		return "", nil, err
	}
	srv, err := server.New(server.Options{
		Config: cfg,
		Store:  st,
		Keys:   ring,
		Sealer: sealer,
		// Info level, as in production; successful proxied requests log at debug.
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		return "", nil, err
	}
	t := serve(server.NewHTTPServer("", srv.Handler(), slog.New(slog.NewTextHandler(io.Discard, nil))).Handler)
	return t.url, t.close, nil
}

func openStore(name string) (store.Store, func(), error) {
	switch name {
	case "memory":
		st := store.NewMemory()
		return st, func() { _ = st.Close() }, nil
	case "bolt":
		dir, err := os.MkdirTemp("", "gateway-bench-")
		if err != nil {
			return nil, nil, err
		}
		st, err := store.NewBolt(filepath.Join(dir, "sessions.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return st, func() { _ = st.Close(); os.RemoveAll(dir) }, nil
	case "redis", "redis-2":
		u := os.Getenv("REDIS_URL")
		if u == "" {
			return nil, nil, fmt.Errorf("REDIS_URL is not set")
		}
		st, err := store.NewRedisURL(u)
		if err != nil {
			return nil, nil, err
		}
		if err := st.Ping(context.Background()); err != nil {
			_ = st.Close()
			return nil, nil, err
		}
		return st, func() { _ = st.Close() }, nil
	}
	return nil, nil, fmt.Errorf("unknown store %q", name)
}

func newClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     time.Minute,
		},
		Timeout: 10 * time.Second,
	}
}

// rate is one measurement: successful operations per second, and this
// process's CPU time (user + system, clients included) per operation. The CPU
// figure is steadier than the rate on a shared machine; it is zero where the
// platform does not report it (see cpu_*.go).
type rate struct {
	perSec float64
	cpu    time.Duration
}

// String is the rate, with the CPU per operation where it was measured.
func (r rate) String() string {
	if r.cpu <= 0 {
		return fmt.Sprintf("%9.0f", r.perSec)
	}
	return fmt.Sprintf("%9.0f  (%6.0f µs CPU/op)", r.perSec, float64(r.cpu)/float64(time.Microsecond))
}

// series is one target's rate in each round, in round order.
type series []rate

// median is the middle round by rate.
func (s series) median() rate {
	sorted := slices.SortedFunc(slices.Values(s), func(a, b rate) int { return cmp.Compare(a.perSec, b.perSec) })
	return sorted[len(sorted)/2]
}

// ratio is the median over rounds of s's rate divided by base's rate in the same
// round: the two were measured moments apart, so a stretch in which the shared
// machine runs slower lowers both sides of a pair instead of only one.
func ratio(s, base series) float64 {
	r := make([]float64, len(s))
	for i := range s {
		r[i] = s[i].perSec / base[i].perSec
	}
	slices.Sort(r)
	return r[len(r)/2]
}

// measured turns ops done in elapsed, using cpu of process time, into a rate.
func measured(ops int64, elapsed, cpu time.Duration) rate {
	r := rate{perSec: float64(ops) / elapsed.Seconds()}
	if ops > 0 {
		r.cpu = cpu / time.Duration(ops)
	}
	return r
}

// load runs conns workers calling do for d (after a short warm-up) and returns
// the rate of successful calls.
func load(d time.Duration, conns int, do func(c *http.Client, worker int) bool) rate {
	c := newClient(conns)
	defer c.CloseIdleConnections()
	var ok atomic.Int64
	var counting atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for worker := range conns {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if do(c, worker) && counting.Load() {
					ok.Add(1)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond) // warm-up: connections, caches
	counting.Store(true)
	start, cpu0 := time.Now(), processCPU()
	time.Sleep(d)
	counting.Store(false)
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	close(stop)
	wg.Wait()
	return measured(ok.Load(), elapsed, cpu)
}

func get(c *http.Client, u string, h http.Header) bool {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func check(u string, h http.Header) error {
	c := newClient(1)
	if !get(c, u, h) {
		return fmt.Errorf("GET %s did not answer 200", u)
	}
	return nil
}

// signRate is RS256 signatures per second (PKCS#1 v1.5 over SHA-256 of a
// JWT-sized signing input) with one goroutine per CPU.
func signRate(d time.Duration, priv *rsa.PrivateKey) rate {
	input := bytes.Repeat([]byte("e"), 420)
	var n atomic.Int64
	deadline := time.Now().Add(d)
	start, cpu0 := time.Now(), processCPU()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				h := sha256.Sum256(input)
				if _, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, h[:]); err == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return measured(n.Load(), time.Since(start), processCPU()-cpu0)
}

// replicasOf is how many gateway instances share a store: "redis-2" is two
// replicas on one Redis, like two pods.
func replicasOf(store string) int {
	if store == "redis-2" {
		return 2
	}
	return 1
}

// refreshRate: each worker owns one session and refreshes it in a chain,
// always presenting the successor it got last, alternating between the
// replicas (all sharing st and the key ring) from one refresh to the next.
func refreshRate(d time.Duration, conns int, ring *keys.Ring, replicas int, st store.Store, backend *url.URL) (rate, error) {
	gws := make([]string, replicas)
	for i := range gws {
		gw, closeGW, err := gateway(ring, st, backend)
		if err != nil {
			return rate{}, err
		}
		defer closeGW()
		gws[i] = gw
	}
	turns := make([]int, conns)
	tokens := make([]string, conns)
	for i := range tokens {
		raw, err := st.CreateFamily(context.Background(), store.Family{
			UserID: fmt.Sprintf("google:%d", i), Provider: "google", Email: "a@example.com", Name: "A",
		}, time.Now())
		if err != nil {
			return rate{}, err
		}
		tokens[i] = raw
	}
	var failures atomic.Int64
	r := load(d, conns, func(c *http.Client, worker int) bool {
		// Each worker owns one session and always presents its newest token.
		turns[worker]++
		succ, ok := refresh(c, gws[turns[worker]%replicas], tokens[worker])
		if !ok {
			failures.Add(1)
			return false
		}
		tokens[worker] = succ
		return true
	})
	if f := failures.Load(); f > 0 {
		return r, fmt.Errorf("%d refreshes failed", f)
	}
	return r, nil
}

func refresh(c *http.Client, gw, rt string) (string, bool) {
	body, _ := json.Marshal(map[string]string{"refresh_token": rt})
	req, _ := http.NewRequest(http.MethodPost, gw+"/auth/refresh", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var out struct {
		RefreshToken string `json:"refresh_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return "", false
	}
	return out.RefreshToken, true
}

// keysDir writes priv into a temporary GATEWAY_SIGNING_KEYS_DIR, active since
// the epoch, and loads it the way the gateway does: every instance of the
// bench shares that ring, as replicas share one directory.
func keysDir(priv *rsa.PrivateKey) (*keys.Ring, func(), error) {
	dir, err := os.MkdirTemp("", "gateway-bench-keys-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	der := x509.MarshalPKCS1PrivateKey(priv)
	name := time.Unix(0, 0).UTC().Format(keys.ActivationLayout) + ".pem"
	if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		cleanup()
		return nil, nil, err
	}
	ring, _, err := keys.LoadDir(dir, 16*time.Minute)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return ring, cleanup, nil
}
