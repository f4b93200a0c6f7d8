// Package gitinit makes the generated project's first commit with go-git, so no git binary
// is needed and the commit hash is reproducible under SOURCE_DATE_EPOCH.
package gitinit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Message is the initial commit's message.
const Message = "Initial commit from nextmsa init\n"

// Author signs the initial commit. A fixed author (rather than the user's git config) keeps
// the hash reproducible; users amend it if they care.
var Author = object.Signature{Name: "nextmsa", Email: "nextmsa@users.noreply.github.com"}

// Commit initialises a repository on branch main in dir and commits exactly paths.
//
// The objects are built in memory and written as one packfile: go-git's default of one
// loose object per file costs a mkdir, a temp file and a rename each, which made a
// 140-file commit take most of a second.
func Commit(dir string, paths []string, when time.Time) error {
	main := plumbing.NewBranchReferenceName("main")
	mem := memory.NewStorage()
	inMemory, err := git.InitWithOptions(mem, osfs.New(dir), git.InitOptions{DefaultBranch: main})
	if err != nil {
		return err
	}
	if err := stage(inMemory, dir, paths); err != nil {
		return err
	}
	wt, err := inMemory.Worktree()
	if err != nil {
		return err
	}
	who := Author
	who.When = when
	head, err := wt.Commit(Message, &git.CommitOptions{Author: &who, Committer: &who})
	if err != nil {
		return err
	}
	onDisk, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: main}})
	if err != nil {
		return err
	}
	return persist(mem, onDisk.Storer, main, head)
}

// persist copies the in-memory objects into storer as one packfile, then points the branch
// at head and saves the index.
func persist(mem *memory.Storage, target storage.Storer, branch plumbing.ReferenceName, head plumbing.Hash) error {
	packer, ok := target.(storer.PackfileWriter)
	if !ok {
		return fmt.Errorf("the repository storage cannot write packfiles")
	}
	hashes := make([]plumbing.Hash, 0, len(mem.ObjectStorage.Objects))
	for h := range mem.ObjectStorage.Objects {
		hashes = append(hashes, h)
	}
	w, err := packer.PackfileWriter()
	if err != nil {
		return err
	}
	if _, err := packfile.NewEncoder(w, mem, false).Encode(hashes, 0); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := target.SetReference(plumbing.NewHashReference(branch, head)); err != nil {
		return err
	}
	idx, err := mem.Index()
	if err != nil {
		return err
	}
	return target.SetIndex(idx)
}

// stage writes each file as a blob and builds the index directly. Worktree.Add re-reads
// the index and walks the tree on every call, which made a 140-file commit take seconds.
func stage(repo *git.Repository, dir string, paths []string) error {
	idx := &index.Index{Version: 2}
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		data, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		info, err := os.Lstat(full)
		if err != nil {
			return err
		}
		blob := repo.Storer.NewEncodedObject()
		blob.SetType(plumbing.BlobObject)
		w, err := blob.Writer()
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		hash, err := repo.Storer.SetEncodedObject(blob)
		if err != nil {
			return fmt.Errorf("storing %s: %w", p, err)
		}
		mode, err := filemode.NewFromOSFileMode(info.Mode())
		if err != nil {
			return err
		}
		entry := idx.Add(p)
		entry.Hash, entry.Mode, entry.Size = hash, mode, uint32(len(data))
		entry.ModifiedAt = info.ModTime()
	}
	return repo.Storer.SetIndex(idx)
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
