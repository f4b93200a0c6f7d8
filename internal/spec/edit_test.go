package spec

import (
	"slices"
	"strings"
	"testing"
)

func TestEdits(t *testing.T) {
	base := Default("shop").WithDefaults()
	googleOnly := base
	googleOnly.Providers = []Provider{Google}
	noGateway := base
	noGateway.Gateway = false
	noGateway = noGateway.WithDefaults()
	withOrders, err := AddService(base, "orders", 0)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		edit    func() (Spec, error)
		wantErr string
		check   func(Spec) bool
	}{
		{"add provider keeps canonical order", func() (Spec, error) { return AddProvider(Spec{Providers: []Provider{Kakao}}, Google) },
			"", func(s Spec) bool { return slices.Equal(s.Providers, []Provider{Google, Kakao}) }},
		{"add a provider twice", func() (Spec, error) { return AddProvider(base, Naver) }, "already a provider", nil},
		{"add an unknown provider", func() (Spec, error) { return AddProvider(base, "github") }, `unknown provider "github"`, nil},
		{"remove a provider", func() (Spec, error) { return RemoveProvider(base, Naver) },
			"", func(s Spec) bool { return slices.Equal(s.Providers, []Provider{Google, Kakao}) }},
		{"remove the last provider", func() (Spec, error) { return RemoveProvider(googleOnly, Google) }, "only provider", nil},
		{"remove a provider not chosen", func() (Spec, error) { return RemoveProvider(googleOnly, Kakao) }, "it has google", nil},
		{"add a service takes the next port", func() (Spec, error) { return AddService(base, "orders", 0) },
			"", func(s Spec) bool { return slices.Equal(s.Services, []Service{{"users", 8081}, {"orders", 8082}}) }},
		{"add a service on a chosen port", func() (Spec, error) { return AddService(base, "orders", 9100) },
			"", func(s Spec) bool { return s.Services[1] == Service{"orders", 9100} }},
		{"add an existing service", func() (Spec, error) { return AddService(withOrders, "orders", 0) }, "already has a service", nil},
		{"add a reserved name", func() (Spec, error) { return AddService(base, "auth", 0) }, "reserved", nil},
		{"add an invalid name", func() (Spec, error) { return AddService(base, "Orders", 0) }, "lowercase", nil},
		{"add on a used port", func() (Spec, error) { return AddService(base, "orders", 8081) }, `"users" already uses it`, nil},
		{"add on the gateway's port", func() (Spec, error) { return AddService(base, "orders", 8080) }, "used by", nil},
		{"add on another service's metrics port", func() (Spec, error) { return AddService(base, "orders", 9091) }, "both use port 9091", nil},
		{"add without a gateway", func() (Spec, error) { return AddService(noGateway, "orders", 0) }, "no gateway", nil},
		{"remove a service", func() (Spec, error) { return RemoveService(withOrders, "orders", false) },
			"", func(s Spec) bool { return slices.Equal(s.Services, DefaultServices()) }},
		{"remove the main page's service", func() (Spec, error) { return RemoveService(base, "users", false) }, "--force", nil},
		{"remove it with force", func() (Spec, error) { return RemoveService(withOrders, "users", true) },
			"", func(s Spec) bool { return len(s.Services) == 1 && s.Services[0].Name == "orders" }},
		{"remove the last service", func() (Spec, error) { return RemoveService(base, "users", true) }, "last service", nil},
		{"remove an unknown service", func() (Spec, error) { return RemoveService(base, "orders", false) }, "it has users", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.edit()
			if tt.wantErr != "" {
				if _, usage := err.(*UsageError); !usage || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) {
				t.Errorf("unexpected result %+v", got)
			}
		})
	}
	if len(base.Services) != 1 || len(base.Providers) != 3 {
		t.Errorf("an edit changed its input: %+v", base)
	}
}

func TestWithDefaultsServices(t *testing.T) {
	old := Spec{Name: "shop", Providers: []Provider{Google}, Gateway: true}.WithDefaults()
	if !slices.Equal(old.Services, DefaultServices()) {
		t.Errorf("a nextmsa.json without services means the users service, got %v", old.Services)
	}
	none := Spec{Name: "shop", Providers: []Provider{Google}, Services: DefaultServices()}.WithDefaults()
	if none.Services != nil {
		t.Errorf("no gateway, no services; got %v", none.Services)
	}
}

func TestNextPortSkipsReserved(t *testing.T) {
	if got := NextPort([]Service{{"a", 9089}}); got != 9091 {
		t.Errorf("NextPort after 9089 = %d, want 9091 (9090 is the gateway's metrics)", got)
	}
}
