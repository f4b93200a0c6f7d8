package update

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/nextmsa/nextmsa/internal/dotenv"
)

// AppendEnv returns the user's .env.local with what the new options need added at the
// end, and the keys it added. Nothing already there is changed or removed: the file holds
// the user's secrets and real credentials. A key the user lacks is appended with the
// comment lines above it in next. A list-valued key (GATEWAY_ROUTES: name=url,...) that
// must gain or lose entries gets a new line below the old one, which then no longer
// applies (the last definition wins for Node's loadEnvFile, dotenv and a shell): the
// user's own entries are carried over, only the entries next adds or drops differ.
func AppendEnv(existing, base, next []byte, listKeys ...string) ([]byte, []string) {
	have, old, want := dotenv.Parse(existing), dotenv.Parse(base), dotenv.Parse(next)
	var tail bytes.Buffer
	var added []string
	for _, e := range want.Entries {
		current, ok := have.Value(e.Key)
		switch {
		case !ok:
			tail.WriteString(e.Comment)
			fmt.Fprintf(&tail, "%s=%s\n", e.Key, e.Value)
			added = append(added, e.Key)
		case slices.Contains(listKeys, e.Key):
			baseValue, _ := old.Value(e.Key)
			if merged := mergeList(current, baseValue, e.Value); merged != current {
				fmt.Fprintf(&tail, "# %s updated by nextmsa; this line replaces the one above.\n", e.Key)
				fmt.Fprintf(&tail, "%s=%s\n", e.Key, merged)
				added = append(added, e.Key)
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
