package doctor

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
	"github.com/nextmsa/nextmsa/templates"
)

// generate writes the project init would write for s, .env.local included.
func generate(t *testing.T, s spec.Spec) string {
	t.Helper()
	src, err := fs.Sub(templates.FS, "project")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(s.WithDefaults(), src, "dev")
	if err != nil {
		t.Fatal(err)
	}
	env, err := plan.EnvLocal(s.WithDefaults(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range append(p.Files, env) {
		writeFile(t, dir, f.Path, string(f.Data))
	}
	return dir
}

func writeFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	name := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func editFile(t *testing.T, dir, rel string, edit func(string) string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, rel, edit(string(raw)))
}

// fakeTools answers like a machine with exactly the tools given (name → output).
func fakeTools(tools map[string]string) func(context.Context, string, ...string) (string, error) {
	return func(_ context.Context, name string, _ ...string) (string, error) {
		out, ok := tools[name]
		if !ok {
			return "", errors.New("executable file not found in $PATH")
		}
		return out, nil
	}
}

var goodTools = map[string]string{"node": "v20.20.0", "pnpm": plan.PnpmVersion, "go": "go1.26.0", "git": "git version 2.47.3"}

func fakeEnv(root string, tools map[string]string, busy ...int) Env {
	return Env{Root: root, Version: "dev", Output: fakeTools(tools), PortFree: func(port int) bool {
		for _, b := range busy {
			if b == port {
				return false
			}
		}
		return true
	}}
}

func find(t *testing.T, checks []Check, id string) []Check {
	t.Helper()
	var out []Check
	for _, c := range checks {
		if c.ID == id {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s check among %+v", id, checks)
	}
	return out
}

func TestFreshProjectPasses(t *testing.T) {
	dir := generate(t, spec.Default("shop"))
	checks := Run(context.Background(), fakeEnv(dir, goodTools))
	for _, c := range checks {
		if c.Status != OK {
			t.Errorf("%s: %s %s (fix: %s)", c.ID, c.Status, c.Message, c.Fix)
		}
	}
	if Failed(checks) || !strings.HasPrefix(Summary(checks), "All ") {
		t.Errorf("summary %q", Summary(checks))
	}
	for _, id := range []string{"node", "pnpm", "go", "git", "manifest", "env-local", "env-ignored", "env-keys", "env-secrets", "provider-google", "provider-naver", "provider-kakao", "routes", "ports", "conflicts"} {
		find(t, checks, id)
	}
	if c := find(t, checks, "provider-kakao")[0]; !strings.Contains(c.Message, "http://localhost:3000/api/auth/callback/kakao") {
		t.Errorf("the provider check names the redirect URI to register: %q", c.Message)
	}
}

// Each case breaks one thing and expects exactly that check in that state, with a fix.
func TestEachCheckFails(t *testing.T) {
	tests := []struct {
		name   string
		tools  map[string]string
		busy   []int
		break_ func(t *testing.T, dir string)
		id     string
		status Status
		want   string
	}{
		{name: "node missing", tools: without(goodTools, "node"), id: "node", status: Fail, want: "not installed"},
		{name: "node too old", tools: with(goodTools, "node", "v18.19.0"), id: "node", status: Fail, want: "18.19.0"},
		{name: "node unreadable", tools: with(goodTools, "node", "weird"), id: "node", status: Warn, want: "cannot tell"},
		{name: "pnpm missing", tools: without(goodTools, "pnpm"), id: "pnpm", status: Fail, want: "not installed"},
		{name: "pnpm other version", tools: with(goodTools, "pnpm", "9.0.0"), id: "pnpm", status: Fail, want: "pnpm 9.0.0 is installed"},
		{name: "go missing", tools: without(goodTools, "go"), id: "go", status: Fail, want: "not installed"},
		{name: "go too old", tools: with(goodTools, "go", "go1.22.5"), id: "go", status: Fail, want: "1.22.5"},
		{name: "git missing", tools: without(goodTools, "git"), id: "git", status: Warn, want: "not installed"},
		{name: "not a project", break_: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "nextmsa.json")) }, id: "manifest", status: Fail, want: "only the machine was checked"},
		{name: "manifest broken", break_: func(t *testing.T, dir string) { writeFile(t, dir, "nextmsa.json", "{") }, id: "manifest", status: Fail, want: "not a valid nextmsa.json"},
		{name: "another version", break_: func(t *testing.T, dir string) {
			editFile(t, dir, "nextmsa.json", func(s string) string { return strings.Replace(s, `"version": "dev"`, `"version": "v0.1.0"`, 1) })
		}, id: "manifest", status: Fail, want: "v0.1.0"},
		{name: "env missing", break_: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, ".env.local")) }, id: "env-local", status: Fail, want: "missing"},
		{name: "env not ignored", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".gitignore", func(s string) string {
				return strings.NewReplacer(".env.local\n", "", ".env*.local\n", "").Replace(s)
			})
		}, id: "env-ignored", status: Fail, want: "not git-ignored"},
		{name: "env key missing", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".env.local", func(s string) string { return dropLine(s, "GATEWAY_AUDIENCE=") })
		}, id: "env-keys", status: Fail, want: "GATEWAY_AUDIENCE"},
		{name: "short secret", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".env.local", func(s string) string { return s + "NEXTAUTH_SECRET=short\n" })
		}, id: "env-secrets", status: Fail, want: "NEXTAUTH_SECRET"},
		{name: "provider id empty", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".env.local", func(s string) string { return s + "NAVER_CLIENT_ID=\n" })
		}, id: "provider-naver", status: Fail, want: "NAVER_CLIENT_ID is empty"},
		{name: "real id, stand-in URL", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".env.local", func(s string) string { return s + "GOOGLE_CLIENT_ID=1234.apps.googleusercontent.com\n" })
		}, id: "provider-google", status: Warn, want: "GOOGLE_ISSUER still points at the stand-in"},
		{name: "stand-in id, real URL", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".env.local", func(s string) string { return s + "KAKAO_ISSUER=https://kauth.kakao.com\n" })
		}, id: "provider-kakao", status: Warn, want: "stand-in's client id"},
		{name: "service without route", break_: func(t *testing.T, dir string) {
			writeFile(t, dir, "services/orders/go.mod", "module example.com/shop/services/orders\n")
		}, id: "routes", status: Fail, want: "services/orders has no route"},
		{name: "route without service", break_: func(t *testing.T, dir string) {
			editFile(t, dir, ".env.local", func(s string) string {
				return s + "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082\n"
			})
		}, id: "routes", status: Warn, want: "no services/orders"},
		{name: "port busy", busy: []int{8081}, id: "ports", status: Warn, want: "8081 (the users service)"},
		{name: "conflict left", break_: func(t *testing.T, dir string) {
			editFile(t, dir, "README.md", func(s string) string { return s + "<<<<<<< yours\na\n=======\nb\n>>>>>>> nextmsa\n" })
		}, id: "conflicts", status: Fail, want: "README.md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := generate(t, spec.Default("shop"))
			if tt.break_ != nil {
				tt.break_(t, dir)
			}
			tools := tt.tools
			if tools == nil {
				tools = goodTools
			}
			checks := Run(context.Background(), fakeEnv(dir, tools, tt.busy...))
			var hit bool
			for _, c := range find(t, checks, tt.id) {
				if c.Status == tt.status && strings.Contains(c.Message, tt.want) {
					hit = true
					if c.Fix == "" {
						t.Errorf("%s: a %s check needs a fix", c.ID, c.Status)
					}
				}
			}
			if !hit {
				t.Errorf("want %s %s containing %q, got %+v", tt.id, tt.status, tt.want, find(t, checks, tt.id))
			}
			for _, c := range checks {
				if c.ID != tt.id && c.Status != OK {
					t.Errorf("only %s should be affected, but %s is %s: %s", tt.id, c.ID, c.Status, c.Message)
				}
			}
			if Failed(checks) != (tt.status == Fail) {
				t.Errorf("Failed = %v for a %s", Failed(checks), tt.status)
			}
		})
	}
}

func TestNoGatewayProject(t *testing.T) {
	s := spec.Default("site")
	s.Gateway = false
	s.Providers = []spec.Provider{spec.Naver}
	dir := generate(t, s)
	checks := Run(context.Background(), fakeEnv(dir, goodTools, 8080))
	if Failed(checks) {
		t.Errorf("a fresh --no-gateway project fails: %+v", checks)
	}
	for _, c := range checks {
		if c.ID == "routes" || c.ID == "provider-google" {
			t.Errorf("unexpected check %s in a naver-only project without gateway", c.ID)
		}
		if c.Status != OK {
			t.Errorf("%s: %s %s (8080 is not used without the gateway)", c.ID, c.Status, c.Message)
		}
	}
}

func TestJSONShape(t *testing.T) {
	raw, err := json.Marshal(Report{Checks: []Check{{ID: "node", Status: OK, Message: "Node 20"}}})
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"checks":[{"id":"node","status":"ok","message":"Node 20","fix":""}]}` {
		t.Errorf("JSON %s", raw)
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, value := range m {
		if key != k {
			out[key] = value
		}
	}
	return out
}

func without(m map[string]string, k string) map[string]string {
	out := map[string]string{}
	for key, value := range m {
		if key != k {
			out[key] = value
		}
	}
	return out
}

func dropLine(s, prefix string) string {
	var kept []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, prefix) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}
