package merge

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// gitMerger runs `git merge-file` in a scratch directory, with no user or system git
// configuration (merge.conflictStyle would change the output).
type gitMerger struct {
	git string
	dir string
	env []string
}

func newGitMerger(t testing.TB) *gitMerger {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not on PATH: the comparison with git merge-file needs it")
	}
	home := t.TempDir()
	return &gitMerger{git: git, dir: t.TempDir(), env: append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
	)}
}

// merge runs git merge-file for one case in its own subdirectory (name), so calls with
// different names can run in parallel. It returns git's output and its conflict count.
func (g *gitMerger) merge(name string, base, user, generated []byte, labels Labels) ([]byte, int, error) {
	dir := filepath.Join(g.dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	for file, text := range map[string][]byte{"base": base, "user": user, "generated": generated} {
		if err := os.WriteFile(filepath.Join(dir, file), text, 0o644); err != nil {
			return nil, 0, err
		}
	}
	cmd := exec.Command(g.git, "merge-file", "-p",
		"-L", labels.User, "-L", "base", "-L", labels.Generated, "user", "base", "generated")
	cmd.Dir, cmd.Env = dir, g.env
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0, nil
	case errors.As(err, &exit) && exit.ExitCode() > 0 && exit.ExitCode() < 128:
		return out, exit.ExitCode(), nil // the exit code counts the conflicts
	case errors.As(err, &exit):
		return nil, 0, fmt.Errorf("git merge-file: %v: %s", err, exit.Stderr)
	default:
		return nil, 0, fmt.Errorf("git merge-file: %v", err)
	}
}

// TestMergeCasesMatchGit keeps the hand-written expectations honest: each is what git
// merge-file itself gives.
func TestMergeCasesMatchGit(t *testing.T) {
	g := newGitMerger(t)
	for i, tc := range mergeCases {
		out, conflicts, err := g.merge(strconv.Itoa(i), []byte(tc.base), []byte(tc.user), []byte(tc.generated), testLabels)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tc.want || conflicts != tc.conflicts {
			t.Errorf("%s: git merge-file gives %d conflicts\n%s\nthe case wants %d\n%s", tc.name, conflicts, show(out), tc.conflicts, show([]byte(tc.want)))
		}
	}
}
