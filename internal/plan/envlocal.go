package plan

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// EnvLocalPath is git-ignored and never part of a Plan: it holds random secrets, so it
// would break byte-identical output and must never be committed.
const EnvLocalPath = ".env.local"

// EnvLocal builds .env.local with a fresh NEXTAUTH_SECRET read from random, and an empty
// client id and secret per chosen provider for the user to paste.
func EnvLocal(s spec.Spec, random io.Reader) (File, error) {
	secret := func() (string, error) {
		b := make([]byte, 32)
		if _, err := io.ReadFull(random, b); err != nil {
			return "", fmt.Errorf("generating a secret for .env.local: %w", err)
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	}
	nextauth, err := secret()
	if err != nil {
		return File{}, err
	}
	var b strings.Builder
	b.WriteString("# Local secrets and settings. Git-ignored: never commit this file.\n")
	b.WriteString("# .env.example explains every variable.\n\n")
	fmt.Fprintf(&b, "NEXTAUTH_URL=%s\n", WebURL)
	fmt.Fprintf(&b, "NEXTAUTH_SECRET=%s\n", nextauth)
	if s.Gateway {
		internal, err := secret()
		if err != nil {
			return File{}, err
		}
		b.WriteString("\n# The Go gateway (services/gateway) and the web server share this secret.\n")
		fmt.Fprintf(&b, "GATEWAY_URL=%s\nGATEWAY_INTERNAL_SECRET=%s\n", GatewayURL, internal)
		fmt.Fprintf(&b, "GATEWAY_ISSUER=%s\nGATEWAY_AUDIENCE=api\n", GatewayURL)
		b.WriteString("GATEWAY_ROUTES=users=http://localhost:8081\n")
	}
	for _, p := range s.Providers {
		fmt.Fprintf(&b, "\n# %s: docs/oauth/%s.md, redirect URI %s\n", p.Label(), p, RedirectURI(p))
		fmt.Fprintf(&b, "%s_CLIENT_ID=\n%s_CLIENT_SECRET=\n", p.Env(), p.Env())
	}
	return File{Path: EnvLocalPath, Mode: 0o600, Data: []byte(b.String())}, nil
}
