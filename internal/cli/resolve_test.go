package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// parse runs `nextmsa init args…` without a terminal up to the resolved Request; nothing is
// written.
func parse(t *testing.T, args []string) (Request, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	var got Request
	cmd := NewCmdInit(ios, "dev", func(_ context.Context, o *InitOptions) error {
		r, err := resolve(o)
		got = r
		return err
	})
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	return got, cmd.ExecuteContext(context.Background())
}

func TestNewCmdInit(t *testing.T) {
	all := []spec.Provider{spec.Google, spec.Naver, spec.Kakao}
	shop := spec.Spec{Name: "shop", Module: "example.com/shop", Providers: all, Gateway: true}.WithDefaults()
	with := func(change func(*Request)) Request {
		r := Request{Dir: "shop", Spec: shop, Git: true}
		r.Spec.Providers = append([]spec.Provider(nil), all...)
		change(&r)
		r.Spec = r.Spec.WithDefaults() // services follow the gateway, as resolve does
		return r
	}
	config := filepath.Join(t.TempDir(), "nextmsa.json")
	os.WriteFile(config, []byte(`{"generator": "nextmsa", "version": "dev", "options": {"name": "fixture", "module": "example.org/fx", "providers": ["kakao"], "gateway": false, "debugTokens": true}}`), 0o644)
	fixture := spec.Spec{Name: "fixture", Module: "example.org/fx", Providers: []spec.Provider{spec.Kakao}, DebugTokens: true}.WithDefaults()

	for _, tc := range []struct {
		cli     string
		want    Request
		wantErr string
	}{
		{cli: "shop", want: with(func(*Request) {})},
		{cli: "shop --name market", want: with(func(r *Request) { r.Spec.Name, r.Spec.Module = "market", "example.com/market" })},
		{cli: "--name @acme/shop", want: with(func(r *Request) { r.Spec.Name, r.Spec.Module = "@acme/shop", "example.com/acme/shop" })},
		{cli: "shop --module github.com/acme/shop", want: with(func(r *Request) { r.Spec.Module = "github.com/acme/shop" })},
		{cli: "shop --providers Kakao,google,kakao", want: with(func(r *Request) { r.Spec.Providers = []spec.Provider{spec.Google, spec.Kakao} })},
		{cli: "shop --no-gateway --debug-tokens", want: with(func(r *Request) { r.Spec.Gateway, r.Spec.DebugTokens = false, true })},
		{cli: "shop --gateway=false", want: with(func(r *Request) { r.Spec.Gateway = false })},
		{cli: "shop --no-git", want: with(func(r *Request) { r.Git = false })},
		{cli: "shop --git=false", want: with(func(r *Request) { r.Git = false })},
		{cli: "shop --install --force --yes --dry-run --json", want: with(func(r *Request) { r.Install, r.Force, r.Yes, r.DryRun, r.JSON = true, true, true, true, true })},
		{cli: "shop -y", want: with(func(r *Request) { r.Yes = true })},
		{cli: "shop --config " + config, want: with(func(r *Request) { r.Spec, r.Config = fixture, config })},
		{cli: "shop --config " + config + " --providers naver --gateway", want: with(func(r *Request) {
			r.Spec, r.Config = fixture, config
			r.Spec.Providers, r.Spec.Gateway = []spec.Provider{spec.Naver}, true
		})},
		{cli: "shop --config " + config + " --name other", want: with(func(r *Request) { r.Spec, r.Config = fixture, config; r.Spec.Name = "other" })},

		{cli: "", wantErr: "say where to create the project: nextmsa init <directory>"},
		{cli: "a b", wantErr: "init takes one directory, got 2 arguments"},
		{cli: "shop --git --no-git", wantErr: "--git and --no-git contradict each other; give one"},
		{cli: "shop --gateway --no-gateway", wantErr: "--gateway and --no-gateway contradict each other; give one"},
		{cli: "Shop", wantErr: `--name "Shop" is not valid: the directory's name is not a valid npm package name (npm package names must be lowercase); pass --name`},
		{cli: "shop --name Shop", wantErr: `--name "Shop" is not valid: npm package names must be lowercase`},
		{cli: "shop --module a//b", wantErr: `--module "a//b" is not valid: `},
		{cli: "shop --providers github", wantErr: `--providers "github" is not valid: unknown provider "github" (choose from google, naver, kakao)`},
		{cli: "shop --config " + config + " --name Bad", wantErr: `--name "Bad" is not valid`},
	} {
		t.Run(tc.cli, func(t *testing.T) {
			got, err := parse(t, strings.Fields(tc.cli))
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) || !isUsage(err) {
					t.Fatalf("err = %v (usage %v), want a usage error starting %q", err, isUsage(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("resolved\n  %+v\nwant\n  %+v", got, tc.want)
			}
		})
	}
}

// TestRerunCommandRoundTrips spells every combination of the options as the printed
// command, parses it again and wants the same Request: the command a prompt session prints
// makes exactly the project the session made.
func TestRerunCommandRoundTrips(t *testing.T) {
	subsets := [][]spec.Provider{}
	for mask := 1; mask < 1<<len(spec.AllProviders); mask++ {
		var ps []spec.Provider
		for i, p := range spec.AllProviders {
			if mask&(1<<i) != 0 {
				ps = append(ps, p)
			}
		}
		subsets = append(subsets, ps)
	}
	names := []struct{ dir, name, module string }{
		{"shop", "shop", "example.com/shop"},
		{"shop", "shop", "github.com/acme/shop"},
		{"work/my shop", "market", "example.com/market"},
		{"shop", "@acme/shop", "example.com/acme/shop"},
	}
	n := 0
	for _, nm := range names {
		for _, ps := range subsets {
			for bits := range 1 << 7 {
				on := func(i int) bool { return bits&(1<<i) != 0 }
				want := Request{
					Dir:  nm.dir,
					Spec: spec.Spec{Name: nm.name, Module: nm.module, Providers: ps, Gateway: on(0), DebugTokens: on(1)}.WithDefaults(),
					Git:  on(2), Install: on(3), Force: on(4), DryRun: on(5), JSON: on(6),
					Yes: true, // the printed command never asks
				}
				got, err := parse(t, rerunArgs(want))
				if err != nil {
					t.Fatalf("%s: %v", rerunCommand(want), err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s\n  resolves to %+v\n  want        %+v", rerunCommand(want), got, want)
				}
				n++
			}
		}
	}
	t.Logf("%d requests round-tripped", n)
}

// TestPromptedRerunCommandMakesTheSameRequest is the bug the derived command fixes: prompted
// with --module and --force, the printed command dropped both.
func TestPromptedRerunCommandMakesTheSameRequest(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs a POSIX shell to split the printed command")
	}
	dir := filepath.Join(t.TempDir(), "my shop")
	prompted, stderr, err := runWithStderr(t, &fakePrompter{name: "shop"}, nil, dir, "--module", "github.com/acme/shop", "--force", "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	_, line, ok := strings.Cut(stderr, "To do this again without questions:\n  ")
	line, _, _ = strings.Cut(line, "\n")
	if !ok || !strings.HasPrefix(line, "nextmsa init ") {
		t.Fatalf("no command printed:\n%s", stderr)
	}
	// The shell splits the line as a user's shell would.
	out, err := exec.Command("sh", "-c", `printf '%s\0' `+strings.TrimPrefix(line, "nextmsa init ")).Output()
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	again, err := parse(t, args)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	prompted.Yes = true
	if !reflect.DeepEqual(again, prompted) {
		t.Errorf("%s\n  resolves to %+v\n  the session made %+v", line, again, prompted)
	}
}
