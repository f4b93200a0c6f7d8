package update

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// AppendEnv returns the user's .env.local with what the new options need added at the
// end, and the keys it added. Nothing already there is changed or removed: the file holds
// the user's secrets and real credentials. A key the user lacks is appended with the
// comment lines above it in next. A list-valued key (GATEWAY_ROUTES: name=url,...) that
// must gain or lose entries gets a new line below the old one, which then no longer
// applies (the last definition wins for Node's loadEnvFile, dotenv and a shell): the
// user's own entries are carried over, only the entries next adds or drops differ.
func AppendEnv(existing, base, next []byte, listKeys ...string) ([]byte, []string) {
	have, old, want := parseEnv(existing), parseEnv(base), parseEnv(next)
	var tail bytes.Buffer
	var added []string
	for _, e := range want.entries {
		current, ok := have.value(e.key)
		switch {
		case !ok:
			tail.WriteString(e.comment)
			fmt.Fprintf(&tail, "%s=%s\n", e.key, e.value)
			added = append(added, e.key)
		case slices.Contains(listKeys, e.key):
			baseValue, _ := old.value(e.key)
			if merged := mergeList(current, baseValue, e.value); merged != current {
				fmt.Fprintf(&tail, "# %s updated by nextmsa; this line replaces the one above.\n", e.key)
				fmt.Fprintf(&tail, "%s=%s\n", e.key, merged)
				added = append(added, e.key)
			}
		}
	}
	if tail.Len() == 0 {
		return existing, nil
	}
	out := slices.Clip(existing)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	out = append(out, '\n')
	return append(out, tail.Bytes()...), added
}

// mergeList applies the difference between base and next (comma lists of name=value) to
// current, keeping current's order and the entries the user added.
func mergeList(current, base, next string) string {
	names := func(list string) map[string]string {
		m := map[string]string{}
		for _, item := range splitList(list) {
			name, _, _ := strings.Cut(item, "=")
			m[name] = item
		}
		return m
	}
	oldItems, newItems := names(base), names(next)
	var out []string
	seen := map[string]bool{}
	for _, item := range splitList(current) {
		name, _, _ := strings.Cut(item, "=")
		_, wasGenerated := oldItems[name]
		_, stillGenerated := newItems[name]
		if wasGenerated && !stillGenerated {
			continue // the command removes this entry
		}
		seen[name] = true
		out = append(out, item)
	}
	for _, item := range splitList(next) {
		name, _, _ := strings.Cut(item, "=")
		if _, wasGenerated := oldItems[name]; !wasGenerated && !seen[name] {
			out = append(out, item)
		}
	}
	return strings.Join(out, ",")
}

func splitList(list string) []string {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

type envEntry struct {
	key, value string
	comment    string // the comment lines right above the entry, with their newlines
}

type envFile struct{ entries []envEntry }

// value is the effective value of key: the last definition wins.
func (f envFile) value(key string) (string, bool) {
	for i := len(f.entries) - 1; i >= 0; i-- {
		if f.entries[i].key == key {
			return f.entries[i].value, true
		}
	}
	return "", false
}

// parseEnv reads KEY=VALUE lines (an optional "export " prefix, # comments, blank lines),
// the subset of dotenv syntax nextmsa writes and users type.
func parseEnv(data []byte) envFile {
	var f envFile
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
				f.entries = append(f.entries, envEntry{key: strings.TrimSpace(key), value: strings.TrimSpace(value), comment: comment.String()})
			}
			comment.Reset()
		}
	}
	return f
}
