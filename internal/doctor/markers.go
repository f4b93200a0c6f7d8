package doctor

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// skippedDirs are never the user's sources: dependencies, build output, local data.
var skippedDirs = map[string]bool{".git": true, "node_modules": true, ".next": true, ".bin": true, ".data": true, "coverage": true, ".turbo": true}

// maxScanned keeps the scan quick: conflict markers in a file this large are not ours.
const maxScanned = 1 << 20

// markerCheck finds files with unresolved conflict markers, which add or remove leave
// where the user's changes and nextmsa's overlap.
func markerCheck(root string) Check {
	var found []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable corner is not a conflict
		}
		if d.IsDir() {
			if skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if info, err := d.Info(); err != nil || !info.Mode().IsRegular() || info.Size() > maxScanned {
			return nil
		}
		if hasMarkers(path) {
			rel, _ := filepath.Rel(root, path)
			found = append(found, filepath.ToSlash(rel))
		}
		return nil
	})
	if len(found) > 0 {
		return Check{ID: "conflicts", Status: Fail, Message: fmt.Sprintf("unresolved conflict markers in %s", strings.Join(found, ", ")), Fix: "edit each file: keep what you want between <<<<<<< and >>>>>>>, delete the markers"}
	}
	return Check{ID: "conflicts", Status: OK, Message: "no conflict markers"}
}

// hasMarkers reports a <<<<<<< line followed later by a ======= and a >>>>>>> line, as a
// merge writes them.
func hasMarkers(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil || bytes.IndexByte(data, 0) >= 0 {
		return false
	}
	stage := 0
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(nil, maxScanned)
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case stage == 0 && strings.HasPrefix(line, "<<<<<<<"):
			stage = 1
		case stage == 1 && line == "=======":
			stage = 2
		case stage == 2 && strings.HasPrefix(line, ">>>>>>>"):
			return true
		}
	}
	return false
}
