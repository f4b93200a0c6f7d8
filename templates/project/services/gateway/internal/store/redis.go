package store

import (
	"context"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	neturl "net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Keys of family <fid> (the hash tag puts both in one cluster slot, so the
// scripts are cluster-legal):
//
//	gw:rt:{<fid>}:fam   HASH  uid prov email name image prt abs st cur cur_at prev prev_at prev_succ
//	gw:rt:{<fid>}:used  ZSET  member = hex SHA-256 of a consumed token, score = consumed at (ms)
//
// Both carry PEXPIREAT = when the newest token expires (issue + ttl, capped by
// abs); after that no token of the family can be valid, so Redis may drop it.
func famKey(fid string) string  { return "gw:rt:{" + fid + "}:fam" }
func usedKey(fid string) string { return "gw:rt:{" + fid + "}:used" }

// redisCreateRetention is the key lifetime of a new family without an absolute
// Expiry, whose first token's ttl is not known until it is rotated. It bounds
// the refresh TTL a never-rotated first token can have on Redis.
const redisCreateRetention = 366 * 24 * time.Hour

var (
	//go:embed rotate.lua
	rotateSrc    string
	rotateScript = redis.NewScript(rotateSrc)

	//go:embed revoke.lua
	revokeSrc    string
	revokeScript = redis.NewScript(revokeSrc)
)

type redisStore struct {
	c redis.UniversalClient
	// callerClock sends the caller's now to the rotation script instead of
	// letting it read the server's clock: only the store test suite, which
	// moves time by hand, wants that.
	callerClock bool
}

// NewRedis returns a Store on client (one server, a cluster or a Sentinel
// failover client); the store owns it (Close closes it). It never pings at
// construction: the gateway starts while Redis is down, answers 503 (errors
// wrap ErrUnavailable) and recovers when Redis is back, because go-redis
// redials and the scripts are re-sent on NOSCRIPT. Rotations measure grace
// and expiry by the Redis server's clock, so the now passed to Rotate is
// not used.
func NewRedis(client redis.UniversalClient) Store { return &redisStore{c: client} }

// NewRedisURL is NewRedis on a client for url, as README.md (Redis) describes:
// redis:// or rediss:// is one server; with a master_name parameter the hosts
// are Sentinels; with extra addr parameters (and no master_name) they are
// cluster seed nodes. go-redis query options such as dial_timeout apply.
func NewRedisURL(url string) (Store, error) {
	client, err := newRedisClient(url)
	if err != nil {
		return nil, fmt.Errorf("store: REDIS_URL: %w", err)
	}
	return NewRedis(client), nil
}

// go-redis redials 5 times per attempt and retries each command 3 times, so
// with Redis down a request would wait ~2 s before it can answer 503. Command
// retries already cover a blip; one dial per attempt is enough. (Retrying a
// rotation whose reply was lost is safe: within grace it returns the same
// successor.)
const dialerRetries = 1

func newRedisClient(raw string) (redis.UniversalClient, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		opt, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, err
		}
		opt.DialerRetries = dialerRetries
		return redis.NewFailoverClient(opt), nil
	case q.Has("addr"):
		opt, err := redis.ParseClusterURL(raw)
		if err != nil {
			return nil, err
		}
		opt.DialerRetries = dialerRetries
		return redis.NewClusterClient(opt), nil
	default:
		opt, err := redis.ParseURL(raw)
		if err != nil {
			return nil, err
		}
		opt.DialerRetries = dialerRetries
		return redis.NewClient(opt), nil
	}
}

func unavailable(err error) error { return fmt.Errorf("%w: redis: %w", ErrUnavailable, err) }

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func (s *redisStore) CreateFamily(ctx context.Context, f Family, now time.Time) (string, error) {
	if err := checkNewFamily(f, now); err != nil {
		return "", err
	}
	fid := newFID()
	raw := newToken(fid)
	exp, abs := now.Add(redisCreateRetention), "0"
	if !f.Expiry.IsZero() {
		exp, abs = f.Expiry, ms(f.Expiry)
	}
	fields := []any{
		"st", "active", "cur", hex.EncodeToString(hashToken(raw)), "cur_at", ms(now),
		"uid", f.UserID, "prov", f.Provider, "email", f.Email, "name", f.Name, "image", f.Image,
		"abs", abs,
	}
	if len(f.ProviderRT) > 0 {
		fields = append(fields, "prt", f.ProviderRT)
	}
	_, err := s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, famKey(fid), fields...)
		p.PExpireAt(ctx, famKey(fid), exp)
		return nil
	})
	if err != nil {
		return "", unavailable(err)
	}
	return raw, nil
}

func (s *redisStore) Rotate(ctx context.Context, raw string, now time.Time, grace, ttl time.Duration) (RotateResult, error) {
	p, err := newRotation(raw, now, grace, ttl)
	if err != nil {
		return RotateResult{}, err
	}
	callerNow := ""
	if s.callerClock {
		callerNow = strconv.FormatInt(p.now, 10)
	}
	reply, err := rotateScript.Run(ctx, s.c, []string{famKey(p.fid), usedKey(p.fid)},
		hex.EncodeToString(p.hash), callerNow, p.grace, p.ttl,
		hex.EncodeToString(p.succHash), p.sealedSucc).StringSlice()
	if err != nil {
		return RotateResult{}, unavailable(err)
	}
	if len(reply) == 0 {
		return RotateResult{}, unavailable(fmt.Errorf("empty rotate reply"))
	}
	switch reply[0] {
	case "notfound":
		return RotateResult{}, ErrNotFound
	case "revoked":
		return RotateResult{}, ErrFamilyRevoked
	case "expired":
		return RotateResult{}, ErrExpired
	case "reuse":
		return RotateResult{}, ErrReuseDetected
	}
	r, issued, sealedSucc, err := parseRotateReply(reply)
	if err != nil {
		return RotateResult{}, unavailable(err)
	}
	succ := p.succ
	if reply[0] == "retry" {
		if succ, err = openSuccessor(p.raw, p.fid, sealedSucc); err != nil {
			return RotateResult{}, err
		}
	}
	return r.result(succ, issued, p.ttl), nil
}

// parseRotateReply reads {'rotated'|'retry', issued_at, uid, prov, email, name,
// image, prt, abs [, prev_succ]} from rotate.lua.
func parseRotateReply(reply []string) (r record, issued int64, sealedSucc []byte, err error) {
	n := 9
	if reply[0] == "retry" {
		n = 10
	} else if reply[0] != "rotated" {
		return r, 0, nil, fmt.Errorf("unexpected rotate reply %q", reply[0])
	}
	if len(reply) != n {
		return r, 0, nil, fmt.Errorf("rotate reply has %d fields, want %d", len(reply), n)
	}
	issued, err1 := strconv.ParseInt(reply[1], 10, 64)
	abs, err2 := strconv.ParseInt(reply[8], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return r, 0, nil, fmt.Errorf("rotate reply: %w", err)
	}
	r = record{
		UserID: reply[2], Provider: reply[3], Email: reply[4], Name: reply[5], Image: reply[6],
		Expiry: abs,
	}
	if reply[7] != "" {
		r.ProviderRT = []byte(reply[7])
	}
	if n == 10 {
		sealedSucc = []byte(reply[9])
	}
	return r, issued, sealedSucc, nil
}

func (s *redisStore) RevokeToken(ctx context.Context, raw string) error {
	fid, h, ok := parseToken(raw)
	if !ok {
		return nil
	}
	err := revokeScript.Run(ctx, s.c, []string{famKey(fid), usedKey(fid)}, hex.EncodeToString(h)).Err()
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// Sweep is a no-op: every key carries PEXPIREAT.
func (s *redisStore) Sweep(context.Context, time.Time, time.Duration) (int, error) { return 0, nil }

func (s *redisStore) Ping(ctx context.Context) error {
	if err := s.c.Ping(ctx).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

func (s *redisStore) Close() error { return s.c.Close() }
