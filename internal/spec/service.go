package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Service is one Go service behind the gateway: services/<Name>, reached as
// /api/<Name>/... and listening on Port in development.
type Service struct {
	Name string `json:"name"`
	Port int    `json:"port"`
}

// DefaultServices is what a project with the gateway starts with, and what a nextmsa.json
// written before services were listed means: the example service the main page calls.
func DefaultServices() []Service { return []Service{{Name: "users", Port: FirstServicePort}} }

// FirstServicePort is where service ports start; each new service takes the next free one.
const FirstServicePort = 8081

// reservedPorts are taken by the rest of the stack in development: web, gateway, its
// metrics, the OAuth stand-in and Redis.
var reservedPorts = []int{3000, 8080, 9090, 9400, 6379}

// reservedServiceNames would clash with the gateway's own routes or the stack's parts.
var reservedServiceNames = []string{"auth", "api", "gateway", "web", "healthz", "readyz", "metrics", ".well-known", "libs", "mock-oauth", "redis"}

var dnsLabel = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateServiceName checks a new service's name: a DNS label (it becomes a Kubernetes
// Service and a compose host name), not one of the gateway's own paths.
func ValidateServiceName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("it is empty")
	case len(name) > 63:
		return fmt.Errorf("it is longer than 63 characters")
	case slices.Contains(reservedServiceNames, name):
		return fmt.Errorf("it is reserved (%s are taken by the gateway and the stack)", strings.Join(reservedServiceNames, ", "))
	case !dnsLabel.MatchString(name):
		return fmt.Errorf("use lowercase letters, digits and '-', starting with a letter and not ending with '-'")
	}
	return nil
}

// ValidatePort checks a service port: unprivileged, not used by the stack.
func ValidatePort(port int) error {
	switch {
	case port < 1024 || port > 65535:
		return fmt.Errorf("choose a port from 1024 to 65535")
	case slices.Contains(reservedPorts, port):
		return fmt.Errorf("port %d is used by the web app, the gateway, the OAuth stand-in or Redis", port)
	case MetricsPort(port) > 65535 || slices.Contains(reservedPorts, MetricsPort(port)):
		return fmt.Errorf("its metrics port would be %d, which is not free; choose another", MetricsPort(port))
	}
	return nil
}

// NextPort is the first free port after the existing services' ports.
func NextPort(services []Service) int {
	port := FirstServicePort
	for _, s := range services {
		port = max(port, s.Port+1)
	}
	for slices.Contains(reservedPorts, port) {
		port++
	}
	return port
}

// gatewayMetricsPort is where the gateway serves /metrics (GATEWAY_METRICS_ADDR's default).
const gatewayMetricsPort = 9090

// MetricsPort is where a service on port serves /metrics: its own port moved by a fixed
// offset (8081 → 9091, next to the gateway's 9090), so it stays put when other services
// come and go.
func MetricsPort(port int) int { return port + gatewayMetricsPort + 1 - FirstServicePort }

// ServiceNamed returns the service with that name.
func (s Spec) ServiceNamed(name string) (Service, bool) {
	i := slices.IndexFunc(s.Services, func(svc Service) bool { return svc.Name == name })
	if i < 0 {
		return Service{}, false
	}
	return s.Services[i], true
}

func validateServices(services []Service) error {
	seen := map[string]bool{}
	ports := map[int]string{}
	for _, svc := range services {
		if err := ValidateServiceName(svc.Name); err != nil {
			return fmt.Errorf("service %q: %v", svc.Name, err)
		}
		if err := ValidatePort(svc.Port); err != nil {
			return fmt.Errorf("service %q: %v", svc.Name, err)
		}
		if seen[svc.Name] {
			return fmt.Errorf("service %q is listed twice", svc.Name)
		}
		for _, port := range []int{svc.Port, MetricsPort(svc.Port)} {
			if other, taken := ports[port]; taken {
				return fmt.Errorf("services %q and %q both use port %d (a service listens on its port and serves /metrics %d higher)", other, svc.Name, port, MetricsPort(0))
			}
			ports[port] = svc.Name
		}
		seen[svc.Name] = true
	}
	return nil
}
