//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// sessionCookie is the name of NextAuth's session cookie over http (no __Secure- prefix).
// A large session is split into sessionCookie.0, .1, …
const sessionCookie = "next-auth.session-token"

// sessionToken is the part of the decrypted NextAuth JWT (lib/auth.ts) the suite checks.
type sessionToken struct {
	Sub                 string         `json:"sub"`
	Name                string         `json:"name"`
	Provider            string         `json:"provider"`
	AccessToken         string         `json:"accessToken"`
	AccessTokenExpires  int64          `json:"accessTokenExpires"` // epoch ms
	RefreshAt           int64          `json:"refreshAt"`          // epoch ms
	RefreshToken        string         `json:"refreshToken"`
	Error               string         `json:"error"`
	DebugProviderTokens map[string]any `json:"debugProviderTokens"`
}

// cookieValue returns the browser's NextAuth session cookie for the web app (joining the
// chunks of a split one), or "" when there is none.
func (b *browser) cookieValue() (string, error) {
	var res network.GetCookiesResult
	err := b.step(func(ctx context.Context) error {
		var err error
		res, err = chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{webURL + "/"}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("read the cookies: %w", err)
	}
	whole := ""
	chunks := map[int]string{}
	for _, c := range res.Cookies {
		switch {
		case c.Name == sessionCookie:
			whole = c.Value
		case strings.HasPrefix(c.Name, sessionCookie+"."):
			if i, err := strconv.Atoi(strings.TrimPrefix(c.Name, sessionCookie+".")); err == nil {
				chunks[i] = c.Value
			}
		}
	}
	if whole != "" || len(chunks) == 0 {
		return whole, nil
	}
	keys := make([]int, 0, len(chunks))
	for k := range chunks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(chunks[k])
	}
	return sb.String(), nil
}

// decodeSessionJS decrypts a NextAuth session cookie (read from stdin) with next-auth's own
// decode and NEXTAUTH_SECRET, and prints the JWT as JSON.
const decodeSessionJS = `
const { decode } = require("next-auth/jwt");
let token = "";
process.stdin.on("data", (c) => (token += c));
process.stdin.on("end", async () => {
  try {
    const jwt = await decode({ token: token.trim(), secret: process.env.NEXTAUTH_SECRET });
    process.stdout.write(JSON.stringify(jwt));
  } catch (err) {
    console.error(String(err && err.stack || err));
    process.exit(1);
  }
});`

// decodeSession decrypts the browser's session cookie with `node -e` in apps/web (so
// `next-auth/jwt` comes from the app's node_modules). The raw JSON is returned too.
func (b *browser) decodeSession() (*sessionToken, string, error) {
	cookie, err := b.cookieValue()
	if err != nil {
		return nil, "", err
	}
	if cookie == "" {
		return nil, "", fmt.Errorf("the browser has no %s cookie for %s", sessionCookie, webURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "-e", decodeSessionJS)
	cmd.Dir = b.webDir
	cmd.Env = append(os.Environ(), "NEXTAUTH_SECRET="+b.dotenv["NEXTAUTH_SECRET"])
	cmd.Stdin = strings.NewReader(cookie)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("node -e decode(session cookie) in %s: %v\n%s", b.webDir, err, stderr.String())
	}
	raw := strings.TrimSpace(stdout.String())
	if raw == "" || raw == "null" {
		return nil, raw, fmt.Errorf("next-auth/jwt decode gave %q: the cookie does not decrypt with NEXTAUTH_SECRET from .env.local", raw)
	}
	var tok sessionToken
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		return nil, raw, fmt.Errorf("decoded session is not the expected JSON: %v", err)
	}
	return &tok, raw, nil
}
