// Package doctor checks the machine and a generated project and reports, per problem, the
// command that fixes it. It changes nothing, never prompts and never uses the network:
// tools are asked for their version, files are read, ports are probed on loopback.
package doctor

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
)

// Status is a check's outcome. Only Fail makes doctor exit non-zero.
type Status string

const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Check is one finding.
type Check struct {
	ID      string `json:"id"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// Report is doctor's --json output.
type Report struct {
	Checks []Check `json:"checks"`
}

// Env is what the checks look at; tests replace its parts.
type Env struct {
	Root    string // the project root
	Version string // this nextmsa's version
	// Output runs a tool and returns its standard output; an error means it is missing or
	// failed.
	Output func(ctx context.Context, name string, args ...string) (string, error)
	// PortFree reports whether nothing listens on the loopback port.
	PortFree func(port int) bool
}

// System is the real machine: tools from PATH, ports probed by listening on them.
func System(root, version string) Env {
	return Env{Root: root, Version: version, Output: runTool, PortFree: portFree}
}

func runTool(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return strings.TrimSpace(string(out)), err
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// Run performs every check, machine first, then the project.
func Run(ctx context.Context, env Env) []Check {
	p := loadProject(env)
	var checks []Check
	checks = append(checks, toolchain(ctx, env, p)...)
	checks = append(checks, p.manifestCheck)
	if p.manifestCheck.Status == Fail {
		return checks
	}
	checks = append(checks, envChecks(p)...)
	checks = append(checks, providerChecks(p)...)
	checks = append(checks, routeChecks(p)...)
	checks = append(checks, portChecks(env, p)...)
	checks = append(checks, markerCheck(env.Root))
	return checks
}

// Failed reports whether any check failed.
func Failed(checks []Check) bool {
	for _, c := range checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// Summary is the closing line of the human report.
func Summary(checks []Check) string {
	counts := map[Status]int{}
	for _, c := range checks {
		counts[c.Status]++
	}
	if counts[Fail]+counts[Warn] == 0 {
		return fmt.Sprintf("All %d checks passed.", len(checks))
	}
	return fmt.Sprintf("%d failed, %d warnings, %d passed.", counts[Fail], counts[Warn], counts[OK])
}
