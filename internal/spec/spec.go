// Package spec holds what decides the bytes of a generated project, and the rules that make
// it valid. It is pure: no I/O, no prompts.
package spec

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is everything that changes the generated files. It is saved as the options of
// nextmsa.json, so its JSON form is part of the contract: keep field names and order.
type Spec struct {
	Name        string     `json:"name"`
	Module      string     `json:"module"`
	Providers   []Provider `json:"providers"`
	Gateway     bool       `json:"gateway"`
	DebugTokens bool       `json:"debugTokens"`
	// Services behind the gateway (none without it), in the order they were added.
	Services []Service `json:"services,omitempty"`
}

// Default is the spec used when neither flags, prompts nor a config say otherwise.
// Module stays empty until the name is known (see WithDefaults).
func Default(name string) Spec {
	return Spec{Name: name, Providers: slices.Clone(AllProviders), Gateway: true, Services: DefaultServices()}
}

// WithDefaults fills what derives from other fields: the Go module path from the name,
// and the services from the gateway (a nextmsa.json that predates the services list means
// the example service; without the gateway there are none).
func (s Spec) WithDefaults() Spec {
	if s.Module == "" && s.Name != "" {
		s.Module = "example.com/" + strings.TrimPrefix(s.Name, "@")
	}
	switch {
	case !s.Gateway:
		s.Services = nil
	case s.Services == nil:
		s.Services = DefaultServices()
	}
	return s
}

// Has reports whether the provider is chosen.
func (s Spec) Has(p Provider) bool {
	return slices.Contains(s.Providers, p)
}

// Validate returns a *UsageError naming the flag at fault, or nil.
func (s Spec) Validate() error {
	if err := ValidateName(s.Name); err != nil {
		return &UsageError{Flag: "--name", Value: s.Name, Reason: err.Error()}
	}
	if err := ValidateModule(s.Module); err != nil {
		return &UsageError{Flag: "--module", Value: s.Module, Reason: err.Error()}
	}
	if len(s.Providers) == 0 {
		return &UsageError{Flag: "--providers", Reason: fmt.Sprintf("choose at least one of %s", providerNames())}
	}
	for _, p := range s.Providers {
		if _, err := ParseProviders(string(p)); err != nil {
			return &UsageError{Flag: "--providers", Reason: err.Error()}
		}
	}
	if err := validateServices(s.Services); err != nil {
		return &UsageError{Flag: "services", Reason: err.Error()}
	}
	return nil
}

// UsageError is invalid input; the CLI answers it with exit code 2.
type UsageError struct {
	Flag   string
	Value  string
	Reason string
}

func (e *UsageError) Error() string {
	if e.Flag == "" {
		return e.Reason
	}
	if e.Value != "" {
		return fmt.Sprintf("%s %q is not valid: %s", e.Flag, e.Value, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Flag, e.Reason)
}
