package doctor

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// route is one name=url entry of GATEWAY_ROUTES.
type route struct {
	name string
	url  *url.URL
}

func (p *projectFiles) routes() []route {
	var out []route
	for item := range strings.SplitSeq(p.setting("GATEWAY_ROUTES"), ",") {
		name, raw, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		if u, err := url.Parse(raw); err == nil {
			out = append(out, route{name: name, url: u})
		}
	}
	return out
}

// serviceDirs are the Go services on disk: services/<name> with a go.mod, the gateway
// aside.
func (p *projectFiles) serviceDirs() []string {
	matches, _ := filepath.Glob(p.path("services/*/go.mod"))
	var names []string
	for _, m := range matches {
		if name := filepath.Base(filepath.Dir(m)); name != "gateway" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func isLocal(u *url.URL) bool {
	host := u.Hostname()
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// routeChecks compares GATEWAY_ROUTES with services/: a service without a route cannot be
// reached, a local route without a service answers 502. A route to another host is the
// user's business.
func routeChecks(p *projectFiles) []Check {
	if !p.manifest.Options.Gateway || !p.hasLocal {
		return nil
	}
	routes := p.routes()
	names := map[string]route{}
	for _, r := range routes {
		names[r.name] = r
	}
	var checks []Check
	for _, dir := range p.serviceDirs() {
		if _, ok := names[dir]; !ok {
			port := p.servicePort(dir)
			checks = append(checks, Check{ID: "routes", Status: Fail, Message: fmt.Sprintf("services/%s has no route in GATEWAY_ROUTES (.env.local), so /api/%s/ answers 404", dir, dir), Fix: fmt.Sprintf("append ,%s=http://localhost:%d to GATEWAY_ROUTES in .env.local", dir, port)})
		}
	}
	for _, r := range routes {
		if _, err := os.Stat(p.path("services/" + r.name)); err != nil && isLocal(r.url) {
			checks = append(checks, Check{ID: "routes", Status: Warn, Message: fmt.Sprintf("GATEWAY_ROUTES sends /api/%s/ to %s, but there is no services/%s", r.name, r.url, r.name), Fix: fmt.Sprintf("remove %s from GATEWAY_ROUTES in .env.local, or nextmsa add service %s", r.name, r.name)})
		}
	}
	if len(checks) == 0 {
		checks = append(checks, Check{ID: "routes", Status: OK, Message: "GATEWAY_ROUTES matches services/"})
	}
	return checks
}

// servicePort is the port nextmsa.json gives a service, or the next free one.
func (p *projectFiles) servicePort(name string) int {
	if svc, ok := p.manifest.Options.ServiceNamed(name); ok {
		return svc.Port
	}
	return spec.NextPort(p.manifest.Options.Services)
}

// devPorts are the ports pnpm dev listens on, each with who listens there.
func (p *projectFiles) devPorts() map[int]string {
	ports := map[int]string{3000: "the web app", 9400: "the OAuth stand-in (dev/mock-oauth)"}
	if !p.manifest.Options.Gateway {
		return ports
	}
	ports[8080] = "the gateway"
	for _, r := range p.routes() {
		if !isLocal(r.url) {
			continue
		}
		if port, err := strconv.Atoi(r.url.Port()); err == nil {
			ports[port] = "the " + r.name + " service"
		}
	}
	return ports
}

func portChecks(env Env, p *projectFiles) []Check {
	ports := p.devPorts()
	keys := make([]int, 0, len(ports))
	for port := range ports {
		keys = append(keys, port)
	}
	slices.Sort(keys)
	var busy []string
	for _, port := range keys {
		if !env.PortFree(port) {
			busy = append(busy, fmt.Sprintf("%d (%s)", port, ports[port]))
		}
	}
	if len(busy) > 0 {
		return []Check{{ID: "ports", Status: Warn, Message: "in use, so pnpm dev cannot listen there: " + strings.Join(busy, ", "), Fix: "stop what listens there (is pnpm dev already running? lsof -i :" + strings.Fields(busy[0])[0] + " names it)"}}
	}
	var list []string
	for _, port := range keys {
		list = append(list, strconv.Itoa(port))
	}
	return []Check{{ID: "ports", Status: OK, Message: "ports " + strings.Join(list, ", ") + " are free"}}
}
