package plan

import (
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// funcs is a whitelist: sprig's "hermetic" map still has random and time functions, and a
// template must never make output vary between runs.
var funcs = pick(sprig.TxtFuncMap(), "join", "upper", "lower", "title", "quote", "indent", "nindent", "trim", "trimAll", "replace", "repeat")

func pick(all template.FuncMap, names ...string) template.FuncMap {
	m := template.FuncMap{}
	for _, n := range names {
		m[n] = all[n]
	}
	return m
}
