// Command nextmsa scaffolds a Next.js + Go microservice monorepo.
package main

import (
	"os"
	"runtime/debug"

	"github.com/nextmsa/nextmsa/internal/cli"
)

// version is set by the release build: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	os.Exit(cli.Main(resolvedVersion(), os.Args[1:]))
}

// resolvedVersion lets `go install …@v1.2.3` report v1.2.3 without ldflags.
func resolvedVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}
