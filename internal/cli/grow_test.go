package cli

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/iostreams"
)

// runNextmsa runs a command line and returns its output and the exit code Main would give.
func runNextmsa(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	root := NewRoot(ios, "dev")
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	var coded exitCodeError
	switch {
	case err == nil:
	case errors.As(err, &coded):
		code = coded.code
	case isUsage(err):
		code, errOut = exitUsage, bytes.NewBufferString(errOut.String()+err.Error())
	default:
		code, errOut = exitError, bytes.NewBufferString(errOut.String()+err.Error())
	}
	return out.String(), errOut.String(), code
}

func initProject(t *testing.T, flags ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	runCLI(t, append([]string{"init", dir, "--yes", "--no-git"}, flags...)...)
	return dir
}

func mustGrow(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, errOut, code := runNextmsa(t, append(args, "-C", dir)...)
	if code != 0 {
		t.Fatalf("nextmsa %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func sameTree(t *testing.T, what string, got, want tree) {
	t.Helper()
	if got.manifest != want.manifest {
		t.Errorf("%s: the file lists differ:\n%s", what, lineDiff(want.manifest, got.manifest))
	}
	for path, data := range want.files {
		if g, ok := got.files[path]; ok && !bytes.Equal(g, data) {
			t.Errorf("%s: %s differs: %s", what, path, firstDiff(data, g))
		}
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

var providerSets = [][]string{{"google"}, {"naver"}, {"kakao"}, {"google", "naver"}, {"naver", "kakao"}, {"google", "kakao"}}

// init P, then add provider x, gives init P+x byte for byte (.env.local aside); removing x
// again gives init P.
func TestAddProviderIsInit(t *testing.T) {
	for _, gateway := range []string{"--gateway", "--no-gateway"} {
		for _, set := range providerSets {
			for _, x := range []string{"google", "naver", "kakao"} {
				if slices.Contains(set, x) {
					continue
				}
				name := strings.Join(set, "+") + "+" + x + gateway
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					list := strings.Join(set, ",")
					dir := initProject(t, gateway, "--providers", list)
					original := readTree(t, dir)
					mustGrow(t, dir, "add", "provider", x)
					sameTree(t, "add provider "+x, readTree(t, dir), readTree(t, initProject(t, gateway, "--providers", list+","+x)))
					mustGrow(t, dir, "remove", "provider", x)
					sameTree(t, "add then remove provider "+x, readTree(t, dir), original)
				})
			}
		}
	}
}

// init, then add service orders, gives init --config of a nextmsa.json listing both
// services; removing it again gives the original project.
func TestAddServiceIsInit(t *testing.T) {
	dir := initProject(t, "--providers", "google")
	original := readTree(t, dir)
	mustGrow(t, dir, "add", "service", "orders")
	grown := readTree(t, dir)
	if !bytes.Contains(grown.files["nextmsa.json"], []byte(`"name": "orders"`)) {
		t.Fatalf("nextmsa.json does not list orders:\n%s", grown.files["nextmsa.json"])
	}
	for _, path := range []string{"services/orders/go.mod", "services/orders/Dockerfile", "services/orders/README.md", "services/orders/cmd/orders/main.go", "services/orders/internal/server/server_test.go"} {
		if _, ok := grown.files[path]; !ok {
			t.Errorf("add service orders did not create %s", path)
		}
	}
	for path, want := range map[string]string{
		"go.work":                       "./services/orders\n",
		".env.example":                  "users=http://localhost:8081,orders=http://localhost:8082",
		"docker-compose.yml":            "dockerfile: services/orders/Dockerfile",
		"deploy/k8s/base/services.yaml": "name: orders",
		"README.md":                     "services/orders/",
	} {
		if !bytes.Contains(grown.files[path], []byte(want)) {
			t.Errorf("%s does not register orders (no %q)", path, want)
		}
	}
	config := filepath.Join(t.TempDir(), "nextmsa.json")
	if err := os.WriteFile(config, grown.files["nextmsa.json"], 0o644); err != nil {
		t.Fatal(err)
	}
	sameTree(t, "add service orders", grown, readTree(t, initProject(t, "--config", config)))
	mustGrow(t, dir, "remove", "service", "orders")
	sameTree(t, "add then remove service orders", readTree(t, dir), original)
}

// changedLines returns the first and last line index where a and b differ.
func changedLines(a, b []string) (first, last int) {
	first = 0
	for first < len(a) && first < len(b) && a[first] == b[first] {
		first++
	}
	last = 0
	for last < len(a)-first && last < len(b)-first && a[len(a)-1-last] == b[len(b)-1-last] {
		last++
	}
	return first, len(a) - 1 - last
}

func TestUserEditsAreMerged(t *testing.T) {
	const file = "apps/web/app/oauth/login/page.tsx"
	grownWith := readTree(t, initProject(t, "--providers", "google,kakao")).files[file]

	t.Run("an edit elsewhere survives", func(t *testing.T) {
		dir := initProject(t, "--providers", "google")
		path := filepath.Join(dir, file)
		base, _ := os.ReadFile(path)
		baseLines, nextLines := strings.Split(string(base), "\n"), strings.Split(string(grownWith), "\n")
		if _, last := changedLines(baseLines, nextLines); last >= len(baseLines)-3 {
			t.Fatalf("%s changes too close to its end for this test", file)
		}
		edited := string(base) + "// my note\n"
		os.WriteFile(path, []byte(edited), 0o644)
		out := mustGrow(t, dir, "add", "provider", "kakao")
		got, _ := os.ReadFile(path)
		if want := string(grownWith) + "// my note\n"; string(got) != want {
			t.Errorf("merged file:\n%s\nwant:\n%s", got, want)
		}
		if !strings.Contains(out, "merge    "+file) {
			t.Errorf("the report should say it merged %s:\n%s", file, out)
		}
	})

	t.Run("an overlapping edit is a conflict", func(t *testing.T) {
		dir := initProject(t, "--providers", "google")
		path := filepath.Join(dir, file)
		base, _ := os.ReadFile(path)
		lines := strings.Split(string(base), "\n")
		first, _ := changedLines(lines, strings.Split(string(grownWith), "\n"))
		lines[first] = "// my rewrite of this line"
		os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
		out, errOut, code := runNextmsa(t, "add", "provider", "kakao", "-C", dir)
		if code != exitConflicts {
			t.Fatalf("exit %d, want %d\n%s%s", code, exitConflicts, out, errOut)
		}
		got, _ := os.ReadFile(path)
		for _, marker := range []string{"<<<<<<< yours\n", "=======\n", ">>>>>>> nextmsa add provider kakao\n", "// my rewrite of this line"} {
			if !strings.Contains(string(got), marker) {
				t.Errorf("conflicted file lacks %q:\n%s", marker, got)
			}
		}
		if !strings.Contains(errOut, "  "+file+"\n") || !strings.Contains(out, "conflict "+file) {
			t.Errorf("the conflict is listed on stderr and in the report:\n%s\n%s", out, errOut)
		}
	})

	t.Run("a deleted file stays deleted, a user file is never touched", func(t *testing.T) {
		dir := initProject(t, "--providers", "google")
		os.Remove(filepath.Join(dir, file))
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)
		out := mustGrow(t, dir, "add", "provider", "kakao")
		if _, err := os.Stat(filepath.Join(dir, file)); !os.IsNotExist(err) {
			t.Errorf("%s came back: %v", file, err)
		}
		if !strings.Contains(out, "keep     "+file+"  (you deleted it: left deleted)") {
			t.Errorf("the report should name the deleted file:\n%s", out)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(got) != "mine" {
			t.Errorf("notes.txt = %q", got)
		}
	})

	t.Run("dry run reports and writes nothing", func(t *testing.T) {
		dir := initProject(t, "--providers", "google")
		path := filepath.Join(dir, file)
		base, _ := os.ReadFile(path)
		os.WriteFile(path, append(base, "// mine\n"...), 0o644)
		before := readTree(t, dir)
		env, _ := os.ReadFile(filepath.Join(dir, ".env.local"))
		out := mustGrow(t, dir, "add", "provider", "kakao", "--dry-run")
		for _, want := range []string{"dry run", "create   apps/web/public/logos/kakao.svg", "merge    " + file, "update   .env.local  (appended KAKAO_CLIENT_ID"} {
			if !strings.Contains(out, want) {
				t.Errorf("dry run output lacks %q:\n%s", want, out)
			}
		}
		after := readTree(t, dir)
		if after.manifest != before.manifest || !maps.EqualFunc(after.files, before.files, bytes.Equal) {
			t.Error("--dry-run changed the project")
		}
		if envAfter, _ := os.ReadFile(filepath.Join(dir, ".env.local")); !bytes.Equal(env, envAfter) {
			t.Error("--dry-run changed .env.local")
		}
	})
}

// .env.local keeps every value the user had and gains the new provider's stand-in lines.
func TestEnvLocalOnlyGrows(t *testing.T) {
	dir := initProject(t, "--providers", "google")
	name := filepath.Join(dir, ".env.local")
	before, _ := os.ReadFile(name)
	mine := append(bytes.ReplaceAll(before, []byte("GOOGLE_CLIENT_ID=mock-google-client"), []byte("GOOGLE_CLIENT_ID=1234.apps.googleusercontent.com")), "MY_VAR=1\n"...)
	os.WriteFile(name, mine, 0o600)
	mustGrow(t, dir, "add", "provider", "naver")
	mustGrow(t, dir, "add", "service", "orders")
	after, _ := os.ReadFile(name)
	if !bytes.HasPrefix(after, mine) {
		t.Fatalf(".env.local lost or changed a line:\n%s", after)
	}
	added := string(after[len(mine):])
	for _, want := range []string{"NAVER_CLIENT_ID=mock-naver-client", "NAVER_CLIENT_SECRET=", "GATEWAY_ROUTES=users=http://localhost:8081,orders=http://localhost:8082"} {
		if !strings.Contains(added, want) {
			t.Errorf("appended part lacks %q:\n%s", want, added)
		}
	}
	if info, _ := os.Stat(name); info.Mode().Perm() != 0o600 {
		t.Errorf(".env.local mode %o, want 0600", info.Mode().Perm())
	}
}
