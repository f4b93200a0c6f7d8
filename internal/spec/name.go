package spec

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/mod/module"
)

// ValidateModule checks a Go module path prefix the way the go command checks import
// paths; the services get <module>/services/<name>.
func ValidateModule(path string) error {
	if path == "" {
		return errors.New("it is empty")
	}
	if err := module.CheckImportPath(path + "/services/gateway"); err != nil {
		var ie *module.InvalidPathError
		if errors.As(err, &ie) {
			return ie.Err
		}
		return err
	}
	return nil
}

// ValidateName applies npm's rules for a new package name (validate-npm-package-name):
// not empty, at most 214 characters, lowercase, URL-safe, no leading '.' or '_', not a
// Node core module. A scoped name (@scope/name) is checked part by part.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("it is empty")
	case len(name) > 214:
		return fmt.Errorf("it is %d characters long; npm allows at most 214", len(name))
	case strings.TrimSpace(name) != name:
		return errors.New("it starts or ends with a space")
	case strings.ToLower(name) != name:
		return errors.New("npm package names must be lowercase")
	case strings.HasPrefix(name, "."):
		return errors.New(`it starts with "."`)
	case strings.HasPrefix(name, "_"):
		return errors.New(`it starts with "_"`)
	case name == "node_modules" || name == "favicon.ico":
		return fmt.Errorf("%q is a reserved name", name)
	case slices.Contains(nodeBuiltins, name):
		return fmt.Errorf("%q is the name of a Node.js core module", name)
	}
	if strings.ContainsAny(name, "~'!()*") {
		return errors.New(`it contains one of the characters ~'!()*`)
	}
	parts := []string{name}
	if scope, pkg, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		parts = []string{scope[1:], pkg}
	}
	for _, part := range parts {
		if part == "" || url.PathEscape(part) != part || strings.Contains(part, "/") {
			return errors.New("it contains characters that are not URL-safe (use a-z, 0-9, '-', '.', '_')")
		}
	}
	return nil
}

// nodeBuiltins are the core modules npm refuses as package names (node 20's builtinModules).
var nodeBuiltins = []string{
	"_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing",
	"_http_server", "_stream_duplex", "_stream_passthrough", "_stream_readable",
	"_stream_transform", "_stream_wrap", "_stream_writable", "_tls_common", "_tls_wrap",
	"assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
	"crypto", "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "http",
	"http2", "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process",
	"punycode", "querystring", "readline", "repl", "stream", "string_decoder", "sys",
	"timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi",
	"worker_threads", "zlib",
}
