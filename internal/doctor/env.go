package doctor

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/nextmsa/nextmsa/internal/plan"
)

// minSecretLength is 32 characters: NextAuth's guidance for NEXTAUTH_SECRET
// (openssl rand -base64 32), and what init writes for every secret.
const minSecretLength = 32

// secretKeys are the variables that must hold a long random value.
var secretKeys = []string{"NEXTAUTH_SECRET", "GATEWAY_INTERNAL_SECRET"}

const secretFix = "put a fresh value in .env.local: openssl rand -base64 32"

func envChecks(p *projectFiles) []Check {
	switch {
	case p.localErr != nil:
		return []Check{{ID: "env-local", Status: Fail, Message: "cannot read .env.local: " + p.localErr.Error(), Fix: "make .env.local readable: chmod 600 .env.local"}}
	case !p.hasLocal:
		return []Check{{ID: "env-local", Status: Fail, Message: ".env.local is missing: the dev runner and the web app read their settings and secrets from it", Fix: "cp .env.example .env.local, then fill in the empty values (docs/oauth/ shows where each comes from)"}}
	}
	checks := []Check{{ID: "env-local", Status: OK, Message: ".env.local is present"}, ignoredCheck(p)}

	var missing []string
	for _, key := range p.example.Keys() {
		if _, ok := p.local.Value(key); !ok {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		checks = append(checks, Check{ID: "env-keys", Status: Fail, Message: fmt.Sprintf(".env.local lacks %s, which .env.example lists", strings.Join(missing, ", ")), Fix: "add them to .env.local; .env.example explains each"})
	} else {
		checks = append(checks, Check{ID: "env-keys", Status: OK, Message: "every variable of .env.example is set in .env.local"})
	}

	var short []string
	for _, key := range secretKeys {
		if _, listed := p.example.Value(key); listed && len(p.setting(key)) < minSecretLength {
			short = append(short, key)
		}
	}
	if len(short) > 0 {
		checks = append(checks, Check{ID: "env-secrets", Status: Fail, Message: fmt.Sprintf("%s in .env.local is shorter than %d characters", strings.Join(short, " and "), minSecretLength), Fix: secretFix})
	} else {
		checks = append(checks, Check{ID: "env-secrets", Status: OK, Message: "the secrets are long enough"})
	}
	return checks
}

// ignoredCheck asks git's own ignore rules (go-git reads every .gitignore of the tree)
// whether .env.local would be committed.
func ignoredCheck(p *projectFiles) Check {
	patterns, err := gitignore.ReadPatterns(osfs.New(p.root), nil)
	if err == nil && gitignore.NewMatcher(patterns).Match([]string{plan.EnvLocalPath}, false) {
		return Check{ID: "env-ignored", Status: OK, Message: ".env.local is git-ignored"}
	}
	return Check{ID: "env-ignored", Status: Fail, Message: ".env.local is not git-ignored: its secrets would be committed", Fix: "echo '.env*.local' >> .gitignore"}
}

// mockURL is where the stand-in serves, as the dev runner sees it.
func (p *projectFiles) mockURL() string {
	if v := p.setting("MOCK_OAUTH_URL"); v != "" {
		return v
	}
	return plan.MockOAuthURL
}

func providerChecks(p *projectFiles) []Check {
	if !p.hasLocal {
		return nil
	}
	var checks []Check
	for _, pr := range p.manifest.Options.Providers {
		env := pr.Env()
		id := "provider-" + string(pr)
		redirect := strings.TrimSuffix(cmp.Or(p.setting("NEXTAUTH_URL"), plan.WebURL), "/") + "/api/auth/callback/" + string(pr)
		docs := fmt.Sprintf("docs/oauth/%s.md", pr)
		clientID := p.setting(env + "_CLIENT_ID")
		standIn := strings.HasPrefix(clientID, "mock-")
		var onMock, offMock []string
		for _, key := range plan.MockEndpoints(pr) {
			if strings.HasPrefix(p.setting(key), p.mockURL()) {
				onMock = append(onMock, key)
			} else {
				offMock = append(offMock, key)
			}
		}
		switch {
		case clientID == "":
			checks = append(checks, Check{ID: id, Status: Fail, Message: fmt.Sprintf("%s_CLIENT_ID is empty, so %s login cannot work", env, pr.Label()), Fix: "paste the client id and secret from the console (" + docs + ")"})
		case standIn && len(offMock) == 0:
			checks = append(checks, Check{ID: id, Status: OK, Message: fmt.Sprintf("%s: offline stand-in (dev/mock-oauth); for the real one register %s (%s)", pr.Label(), redirect, docs)})
		case !standIn && len(onMock) == 0:
			checks = append(checks, Check{ID: id, Status: OK, Message: fmt.Sprintf("%s: real provider; its console must list the redirect URI %s", pr.Label(), redirect)})
		case standIn:
			checks = append(checks, Check{ID: id, Status: Warn, Message: fmt.Sprintf("%s is half-switched: the stand-in's client id with %s pointing at the real provider", pr.Label(), strings.Join(offMock, ", ")), Fix: fmt.Sprintf("paste the real %s_CLIENT_ID and %s_CLIENT_SECRET (%s), or set %s back to %s/%s", env, env, docs, strings.Join(offMock, ", "), p.mockURL(), pr)})
		default:
			checks = append(checks, Check{ID: id, Status: Warn, Message: fmt.Sprintf("%s is half-switched: a real client id, but %s still points at the stand-in", pr.Label(), strings.Join(onMock, ", ")), Fix: fmt.Sprintf("delete %s from .env.local; register %s in the console (%s)", strings.Join(onMock, " and "), redirect, docs)})
		}
	}
	return checks
}
