package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// outsideReference matches what a generated project must never say: sections and notes of
// this repository's contract, paths of this machine, the design's scenario labels.
var outsideReference = regexp.MustCompile(`SPEC §|SPEC\.md|\.\./shared|/work/|shared/notes|(?i:\bscenario [0-9])`)

// TestGeneratedFilesAreSelfContained generates the default project and every golden
// scenario (.env.local included) and fails on any file that refers outside the project,
// including the directory it was generated into.
func TestGeneratedFilesAreSelfContained(t *testing.T) {
	cases := []scenario{{name: "default"}}
	for _, sc := range goldenScenarios(t) {
		if len(sc.flags) > 0 { // the one without flags is the default project
			cases = append(cases, sc)
		}
	}
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			dir := generate(t, sc.flags)
			root := filepath.Dir(dir) // the temp dir: no file may name it
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				rel = filepath.ToSlash(rel)
				var found []string
				if m := outsideReference.Find(data); m != nil {
					found = append(found, string(m))
				}
				if bytes.Contains(data, []byte(root)) {
					found = append(found, root)
				}
				if len(found) > 0 {
					t.Errorf("%s refers outside the project: %q", rel, found)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
