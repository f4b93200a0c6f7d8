package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/nextmsa/nextmsa/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"nextmsa": func() { os.Exit(cli.Main("dev", os.Args[1:])) },
	})
}

// TestScript runs testdata/script/*.txtar: the CLI's behaviour as a user sees it.
// NEXTMSA_UPDATE=1 rewrites the expected outputs in the scripts.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("NEXTMSA_UPDATE") == "1",
		Setup: func(env *testscript.Env) error {
			env.Setenv("CI", "") // scripts opt into CI themselves
			env.Setenv("SOURCE_DATE_EPOCH", "")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     cmdExits,
			"treehash":  cmdTreehash,
			"gitlog":    cmdGitlog,
			"jsonfield": cmdJSONField,
		},
	})
}

// exits N command args... runs the command and requires exit status N (stdout and stderr
// are kept for the next stdout/stderr lines, as with exec).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("exits: %v", err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// treehash DIR prints one line per entry under DIR (mode, size, sha256, path), every file
// included, so `cmp` of two outputs proves nothing on disk changed.
func cmdTreehash(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: treehash DIR")
	}
	root := ts.MkAbs(args[0])
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		sum := ""
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(data))[:16]
		}
		fmt.Fprintf(ts.Stdout(), "%v %d %s %s\n", info.Mode(), sizeOf(info), sum, filepath.ToSlash(rel))
		return nil
	})
	ts.Check(err)
}

func sizeOf(info fs.FileInfo) int64 {
	if info.IsDir() {
		return 0 // directory sizes depend on the file system, not on what is in them
	}
	return info.Size()
}

// gitlog DIR prints the branch, the number of commits, the head hash and whether the
// worktree is clean, read with go-git.
func cmdGitlog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: gitlog DIR")
	}
	repo, err := git.PlainOpen(ts.MkAbs(args[0]))
	ts.Check(err)
	head, err := repo.Head()
	ts.Check(err)
	commits, err := repo.Log(&git.LogOptions{From: head.Hash()})
	ts.Check(err)
	n := 0
	ts.Check(commits.ForEach(func(c *object.Commit) error { n++; return nil }))
	wt, err := repo.Worktree()
	ts.Check(err)
	status, err := wt.Status()
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "branch %s\ncommits %d\nhead %s\nclean %v\n", head.Name().Short(), n, head.Hash(), status.IsClean())
}

// jsonfield FILE NAME parses FILE as one JSON object and prints its field NAME re-encoded
// compactly; it fails if FILE is not JSON.
func cmdJSONField(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: jsonfield FILE NAME")
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("%s is not a JSON object: %v", args[0], err)
	}
	field, ok := doc[args[1]]
	if !ok {
		ts.Fatalf("no field %q in the JSON", args[1])
	}
	var v any
	ts.Check(json.Unmarshal(field, &v))
	out, err := json.Marshal(v)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%s\n", out)
}
