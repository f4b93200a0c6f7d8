package spec

import (
	"fmt"
	"slices"
	"strings"
)

// The edits below turn a project's options into the options of the grown (or trimmed)
// project. Each refuses a change that makes no sense with a *UsageError, so the command
// answers with exit code 2 before anything is rendered.

// MainPageService is the service the generated main page calls (GET /api/users/me).
const MainPageService = "users"

// AddProvider adds p to the chosen providers.
func AddProvider(s Spec, p Provider) (Spec, error) {
	if err := checkProvider(p); err != nil {
		return s, err
	}
	if s.Has(p) {
		return s, usage("%s is already a provider of this project", p)
	}
	s.Providers = Canonical(append(slices.Clone(s.Providers), p))
	return s, nil
}

// RemoveProvider removes p; the last provider stays, since a login page needs one.
func RemoveProvider(s Spec, p Provider) (Spec, error) {
	if err := checkProvider(p); err != nil {
		return s, err
	}
	if !s.Has(p) {
		return s, usage("%s is not a provider of this project (it has %s)", p, joinProviders(s.Providers))
	}
	if len(s.Providers) == 1 {
		return s, usage("%s is the project's only provider, and the login page needs one: add another first (nextmsa add provider ...)", p)
	}
	s.Providers = slices.DeleteFunc(slices.Clone(s.Providers), func(q Provider) bool { return q == p })
	return s, nil
}

// AddService adds a service behind the gateway; port 0 takes the next free port.
func AddService(s Spec, name string, port int) (Spec, error) {
	if !s.Gateway {
		return s, usage("this project has no gateway (it was made with --no-gateway), so it has no services to add to")
	}
	if err := ValidateServiceName(name); err != nil {
		return s, &UsageError{Flag: "service name", Value: name, Reason: err.Error()}
	}
	if _, exists := s.ServiceNamed(name); exists {
		return s, usage("the project already has a service %q (services/%s)", name, name)
	}
	if port == 0 {
		port = NextPort(s.Services)
	}
	if err := ValidatePort(port); err != nil {
		return s, &UsageError{Flag: "--port", Value: fmt.Sprint(port), Reason: err.Error()}
	}
	for _, other := range s.Services {
		if other.Port == port {
			return s, &UsageError{Flag: "--port", Value: fmt.Sprint(port), Reason: fmt.Sprintf("service %q already uses it; leave --port out to take the next free one (%d)", other.Name, NextPort(s.Services))}
		}
	}
	grown := append(slices.Clone(s.Services), Service{Name: name, Port: port})
	if err := validateServices(grown); err != nil {
		return s, &UsageError{Flag: "--port", Value: fmt.Sprint(port), Reason: err.Error()}
	}
	s.Services = grown
	return s, nil
}

// RemoveService removes a service. The one the main page calls goes only with force; the
// last one stays (an empty list would read back as the default, and the gateway routes to
// at least one service).
func RemoveService(s Spec, name string, force bool) (Spec, error) {
	if _, exists := s.ServiceNamed(name); !exists {
		return s, usage("the project has no service %q (it has %s)", name, joinServices(s.Services))
	}
	if name == MainPageService && !force {
		return s, usage("the main page greets the user with data from %s (GET /api/%s/me): pass --force to remove it anyway", name, name)
	}
	if len(s.Services) == 1 {
		return s, usage("%s is the project's last service; add another one first", name)
	}
	s.Services = slices.DeleteFunc(slices.Clone(s.Services), func(svc Service) bool { return svc.Name == name })
	return s, nil
}

func checkProvider(p Provider) error {
	if !slices.Contains(AllProviders, p) {
		return usage("unknown provider %q (choose from %s)", p, providerNames())
	}
	return nil
}

func joinProviders(ps []Provider) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	return joinNames(names)
}

func joinServices(services []Service) string {
	names := make([]string, len(services))
	for i, svc := range services {
		names[i] = svc.Name
	}
	return joinNames(names)
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func usage(format string, args ...any) error {
	return &UsageError{Reason: fmt.Sprintf(format, args...)}
}
