package config_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// key32 is a base64 32-byte key whose bytes are all b.
func key32(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(map[string]string{"GATEWAY_INTERNAL_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.Issuer != "http://localhost:8080" || c.Audience != "api" || c.DataDir != ".data" {
		t.Errorf("addr/issuer/audience/data dir = %q %q %q %q", c.Addr, c.Issuer, c.Audience, c.DataDir)
	}
	if c.AccessTTL != 15*time.Minute || c.RefreshTTL != 336*time.Hour || c.RefreshReuseGrace != 10*time.Second {
		t.Errorf("ttls = %v %v %v", c.AccessTTL, c.RefreshTTL, c.RefreshReuseGrace)
	}
	if len(c.Routes) != 1 || c.Routes[0].Name != "users" || c.Routes[0].URL.String() != "http://localhost:8081" {
		t.Errorf("routes = %+v", c.Routes)
	}
	if c.Google.Enabled() || c.Kakao.Enabled() || c.Naver.Enabled() {
		t.Error("a provider is enabled without a client id")
	}
	if c.Google.Issuer != "https://accounts.google.com" || c.Kakao.Issuer != "https://kauth.kakao.com" ||
		c.Kakao.APIURL != "https://kapi.kakao.com" || c.Naver.APIURL != "https://openapi.naver.com" {
		t.Errorf("provider defaults = %+v %+v %+v", c.Google, c.Kakao, c.Naver)
	}
	if c.AuthBurst < 20 {
		t.Errorf("default burst %d does not let one NextAuth server burst 20 requests", c.AuthBurst)
	}
	if c.RedisURL != "" || c.SigningKeyFile != "" {
		t.Error("REDIS_URL / GATEWAY_SIGNING_KEY_FILE have defaults")
	}
}

func TestEverySetting(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"GATEWAY_ADDR": "127.0.0.1:9000", "GATEWAY_ISSUER": "https://api.example.com", "GATEWAY_AUDIENCE": "demo",
		"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ACCESS_TTL": "5m", "GATEWAY_REFRESH_TTL": "24h",
		"GATEWAY_REFRESH_REUSE_GRACE": "30s", "GATEWAY_SIGNING_KEY_FILE": "/keys/gw.pem", "GATEWAY_DATA_DIR": "/var/lib/gw",
		"REDIS_URL": "redis://localhost:6379/0", "GATEWAY_ROUTES": " users=http://users:8081 , orders=http://orders:8082/v1 ",
		"GOOGLE_CLIENT_ID": "g", "GOOGLE_ISSUER": "http://localhost:9999/google/",
		"KAKAO_CLIENT_ID": "k", "KAKAO_ISSUER": "http://localhost:9999/kakao", "KAKAO_API_URL": "http://localhost:9999/kakao",
		"NAVER_CLIENT_ID": "n", "NAVER_CLIENT_SECRET": "ns", "NAVER_API_URL": "http://localhost:9999/naver",
		"GATEWAY_AUTH_RATE": "2.5", "GATEWAY_AUTH_BURST": "100",
		"GATEWAY_ENCRYPTION_KEYS": key32(1) + ", " + key32(2),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.Issuer != "https://api.example.com" || c.Audience != "demo" ||
		c.AccessTTL != 5*time.Minute || c.RefreshTTL != 24*time.Hour || c.RefreshReuseGrace != 30*time.Second ||
		c.SigningKeyFile != "/keys/gw.pem" || c.DataDir != "/var/lib/gw" || c.RedisURL != "redis://localhost:6379/0" ||
		c.AuthRate != 2.5 || c.AuthBurst != 100 || len(c.EncryptionKeys) != 2 || c.EncryptionKeys[1][0] != 2 {
		t.Errorf("config = %+v", c)
	}
	if len(c.Routes) != 2 || c.Routes[1].Name != "orders" || c.Routes[1].URL.Path != "/v1" {
		t.Errorf("routes = %+v", c.Routes)
	}
	if c.Google.Issuer != "http://localhost:9999/google" || !c.Kakao.Enabled() || c.Naver.ClientSecret != "ns" {
		t.Errorf("providers = %+v %+v %+v", c.Google, c.Kakao, c.Naver)
	}
}

func TestInvalidSettingsNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "GATEWAY_INTERNAL_SECRET"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ACCESS_TTL": "15"}, "GATEWAY_ACCESS_TTL"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_REFRESH_TTL": "-1h"}, "GATEWAY_REFRESH_TTL"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ROUTES": "users"}, "GATEWAY_ROUTES"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ROUTES": "Users=http://x"}, "GATEWAY_ROUTES"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ROUTES": "a=http://x,a=http://y"}, "GATEWAY_ROUTES"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ROUTES": "a=ftp://x"}, "GATEWAY_ROUTES"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GOOGLE_ISSUER": "accounts.google.com"}, "GOOGLE_ISSUER"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_AUTH_BURST": "0"}, "GATEWAY_AUTH_BURST"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_ENCRYPTION_KEYS": key32(1) + ",c2hvcnQ="}, "GATEWAY_ENCRYPTION_KEYS: key 2"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "GATEWAY_SIGNING_KEY_FILE": "/k.pem", "GATEWAY_SIGNING_KEYS_DIR": "/keys"}, "not both"},
		// Replicas on Redis must share their keys: neither may be per replica.
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "REDIS_URL": "redis://r:6379", "GATEWAY_ENCRYPTION_KEYS": key32(1)},
			"GATEWAY_SIGNING_KEYS_DIR or GATEWAY_SIGNING_KEY_FILE: one is required with REDIS_URL"},
		{map[string]string{"GATEWAY_INTERNAL_SECRET": "s", "REDIS_URL": "redis://r:6379", "GATEWAY_SIGNING_KEYS_DIR": "/keys"},
			"GATEWAY_ENCRYPTION_KEYS: required with REDIS_URL"},
	} {
		_, err := config.Load(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
