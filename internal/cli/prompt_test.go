package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/prompt"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// fakePrompter answers like a user would and records what it was asked.
type fakePrompter struct {
	asked     prompt.Questions
	name      string
	providers []spec.Provider
	overwrite map[string]bool
	confirmed []string
}

func (f *fakePrompter) Fill(q prompt.Questions) error {
	f.asked = q
	if q.Name != nil && f.name != "" {
		*q.Name = f.name
	}
	if q.Providers != nil && f.providers != nil {
		*q.Providers = f.providers
	}
	if q.Git != nil {
		*q.Git = false
	}
	return nil
}

func (f *fakePrompter) ConfirmOverwrite(path string) (bool, error) {
	f.confirmed = append(f.confirmed, path)
	return f.overwrite[path], nil
}

// runWith runs init like a terminal user (TTY, no CI) with the given prompter.
func runWith(t *testing.T, p Prompter, env map[string]string, args ...string) (Request, error) {
	o, _, err := runWithStderr(t, p, env, args...)
	return o, err
}

func runWithStderr(t *testing.T, p Prompter, env map[string]string, args ...string) (Request, string, error) {
	t.Helper()
	ios, _, _, errOut := iostreams.Test()
	ios.SetTTY(true)
	ios.Getenv = func(k string) string { return env[k] }
	var captured Request
	cmd := NewCmdInit(ios, "dev", func(ctx context.Context, o *InitOptions) error {
		o.Prompter = p
		r, err := resolve(o)
		if err != nil {
			return err
		}
		captured = r
		return run(ctx, o, r)
	})
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	err := cmd.ExecuteContext(context.Background())
	return captured, errOut.String(), err
}

func TestPromptsAskOnlyWhatFlagsDidNotSay(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	f := &fakePrompter{name: "market", providers: []spec.Provider{spec.Kakao, spec.Google}}
	o, stderr, err := runWithStderr(t, f, nil, dir, "--install=false")
	if err != nil {
		t.Fatal(err)
	}
	if f.asked.Name == nil || f.asked.Providers == nil || f.asked.Git == nil {
		t.Errorf("name, providers and git should be asked: %+v", f.asked)
	}
	if f.asked.Install != nil {
		t.Error("--install was given, so it must not be asked")
	}
	if o.Spec.Name != "market" || !slices.Equal(o.Spec.Providers, []spec.Provider{spec.Google, spec.Kakao}) {
		t.Errorf("answers not used: %+v", o.Spec)
	}
	want := "nextmsa init " + dir + " --name market --providers google,kakao --no-git --yes"
	if !strings.Contains(stderr, want) {
		t.Errorf("the equivalent command is missing; want %q in:\n%s", want, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); !os.IsNotExist(err) {
		t.Error("the user answered no to git, yet a repository exists")
	}
}

func TestNoPromptUnderCIOrYes(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
	}{
		"CI":    {env: map[string]string{"CI": "true"}},
		"--yes": {args: []string{"--yes"}},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakePrompter{name: "asked"}
			dir := filepath.Join(t.TempDir(), "shop")
			o, err := runWith(t, f, tc.env, append([]string{dir, "--no-git"}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if f.asked != (prompt.Questions{}) || o.Spec.Name != "shop" {
				t.Errorf("prompted anyway: %+v, name %q", f.asked, o.Spec.Name)
			}
		})
	}
}

func TestConflictsAreAskedPerFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if _, err := runWith(t, &fakePrompter{}, nil, dir, "--no-git", "--yes"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"README.md", ".editorconfig"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := &fakePrompter{overwrite: map[string]bool{"README.md": true}}
	if _, err := runWith(t, f, nil, dir, "--force", "--no-git", "--install=false", "--name", "shop", "--providers", "google,naver,kakao"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.confirmed, ",") != ".editorconfig,README.md" {
		t.Errorf("asked about %v", f.confirmed)
	}
	readme, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	editorconfig, _ := os.ReadFile(filepath.Join(dir, ".editorconfig"))
	if string(readme) == "mine\n" || string(editorconfig) != "mine\n" {
		t.Errorf("README.md should be overwritten and .editorconfig kept; got %q / %q", readme[:10], editorconfig)
	}
}

// TestAccessibleFormWithScriptedInput drives the real huh form in accessible mode, the way
// a screen-reader user answers it, without a terminal.
func TestAccessibleFormWithScriptedInput(t *testing.T) {
	name := ""
	providers := []spec.Provider{spec.Google, spec.Naver, spec.Kakao}
	git := true
	var out strings.Builder
	h := prompt.Huh{In: strings.NewReader("Bad Name\nshop\n2\n0\nn\n"), Out: &out, Accessible: true}
	if err := h.Fill(prompt.Questions{Name: &name, Providers: &providers, Git: &git}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if name != "shop" {
		t.Errorf("name %q; the invalid first answer must be refused and asked again", name)
	}
	if !slices.Equal(providers, []spec.Provider{spec.Google, spec.Kakao}) {
		t.Errorf("providers %v: toggling option 2 should deselect naver", providers)
	}
	if git {
		t.Error("answered n to git")
	}
	if !strings.Contains(out.String(), "lowercase") {
		t.Errorf("the validation message was not shown:\n%s", out.String())
	}
}
