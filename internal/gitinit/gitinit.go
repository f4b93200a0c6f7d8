// Package gitinit makes the generated project's first commit with go-git, so no git binary
// is needed and the commit hash is reproducible under SOURCE_DATE_EPOCH.
package gitinit

import (
	"fmt"

	"strconv"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Message is the initial commit's message.
const Message = "Initial commit from nextmsa init\n"

// Author signs the initial commit. A fixed author (rather than the user's git config) keeps
// the hash reproducible; users amend it if they care.
var Author = object.Signature{Name: "nextmsa", Email: "nextmsa@users.noreply.github.com"}

// Commit initialises a repository on branch main in dir and commits exactly paths.
func Commit(dir string, paths []string, when time.Time) error {
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	if err != nil {
		return err
	}
	wt, err := repo.Worktree()
	if err != nil {
		return err
	}
	for _, p := range paths {
		if _, err := wt.Add(p); err != nil {
			return fmt.Errorf("adding %s: %w", p, err)
		}
	}
	who := Author
	who.When = when
	_, err = wt.Commit(Message, &git.CommitOptions{Author: &who, Committer: &who})
	return err
}

// CommitTime is SOURCE_DATE_EPOCH when set (reproducible builds' convention), else now.
func CommitTime(getenv func(string) string, now func() time.Time) (time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return now(), nil
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970", v)
	}
	return time.Unix(secs, 0).UTC(), nil
}
