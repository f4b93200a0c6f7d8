// Package dotenv reads the subset of .env syntax nextmsa writes and users type: KEY=VALUE
// lines, an optional "export " prefix, # comment lines and blank lines. Values are taken
// as written (no quotes or escapes are interpreted), which is how the project's files
// keep them.
package dotenv

import (
	"bufio"
	"bytes"
	"strings"
)

// Entry is one KEY=VALUE line.
type Entry struct {
	Key, Value string
	Comment    string // the comment lines right above the entry, newlines included
}

// File is a parsed .env file, entries in file order.
type File struct{ Entries []Entry }

// Parse reads data; lines that are neither comments nor KEY=VALUE are skipped.
func Parse(data []byte) File {
	var f File
	var comment strings.Builder
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		switch {
		case line == "":
			comment.Reset()
		case strings.HasPrefix(line, "#"):
			comment.WriteString(line + "\n")
		default:
			key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if ok {
				f.Entries = append(f.Entries, Entry{Key: strings.TrimSpace(key), Value: strings.TrimSpace(value), Comment: comment.String()})
			}
			comment.Reset()
		}
	}
	return f
}

// Value is the effective value of key: the last definition wins, as with Node's
// process.loadEnvFile, dotenv and a shell sourcing the file.
func (f File) Value(key string) (string, bool) {
	for i := len(f.Entries) - 1; i >= 0; i-- {
		if f.Entries[i].Key == key {
			return f.Entries[i].Value, true
		}
	}
	return "", false
}

// Keys lists the keys in order of first appearance.
func (f File) Keys() []string {
	seen := map[string]bool{}
	var keys []string
	for _, e := range f.Entries {
		if !seen[e.Key] {
			seen[e.Key] = true
			keys = append(keys, e.Key)
		}
	}
	return keys
}
