package plan

import (
	"strings"
	"testing"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// Every file of the skeleton is generated once per service, and a service other than users
// mentions neither the skeleton's name nor its port anywhere.
func TestTheSkeletonIsGeneratedPerService(t *testing.T) {
	s := spec.Default("shop").WithDefaults()
	s.Module = "example.com/shop"
	s.Services = append(s.Services, spec.Service{Name: "order-book", Port: 8090})
	p, err := Build(s, projectFS(t), "test")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range p.Files {
		files[f.Path] = string(f.Data)
	}
	var skeleton []string
	for path := range files {
		if rest, ok := strings.CutPrefix(path, "services/users/"); ok {
			skeleton = append(skeleton, strings.Replace(rest, "cmd/users/", "cmd/order-book/", 1))
		}
	}
	if len(skeleton) < 5 {
		t.Fatalf("services/users has only %v", skeleton)
	}
	for _, rest := range skeleton {
		path := "services/order-book/" + rest
		data, ok := files[path]
		if !ok {
			t.Errorf("%s is not generated", path)
			continue
		}
		for _, word := range []string{"users", "Users", "USERS", "8081"} {
			if strings.Contains(data, word) {
				t.Errorf("%s mentions %q", path, word)
			}
		}
	}
	main := files["services/order-book/cmd/order-book/main.go"]
	for _, want := range []string{`name        = "order-book"`, "defaultPort = 8090", `"example.com/shop/services/order-book/internal/server"`, `"example.com/shop/libs/gatewayauth"`} {
		if !strings.Contains(main, want) {
			t.Errorf("main.go lacks %s:\n%s", want, main)
		}
	}
	if d := files["services/order-book/Dockerfile"]; !strings.Contains(d, "ENV ORDER_BOOK_ADDR=:8090") {
		t.Errorf("the Dockerfile does not set ORDER_BOOK_ADDR:\n%s", d)
	}
	for _, path := range []string{"go.work", ".env.example", "docker-compose.yml", "deploy/k8s/base/services.yaml", "README.md"} {
		if !strings.Contains(files[path], "order-book") {
			t.Errorf("%s does not list the service order-book", path)
		}
	}
}

func TestSetServiceIdentityNeedsBothConstants(t *testing.T) {
	svc := ServiceData{Name: "orders", Port: 8082}
	got, err := setServiceIdentity("main.go", []byte("package main\n\nconst (\n\tname        = \"users\" // the name\n\tdefaultPort = 8081\n)\n"), svc)
	if want := "package main\n\nconst (\n\tname        = \"orders\" // the name\n\tdefaultPort = 8082\n)\n"; err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	for _, src := range []string{"package main\n\nconst name = \"users\"\n", "package main\n\nvar name, defaultPort = \"users\", 8081\n"} {
		if _, err := setServiceIdentity("main.go", []byte(src), svc); err == nil {
			t.Errorf("no error for %q", src)
		}
	}
}

// Without the users service (removed with --force) the main page greets from the session
// alone and never calls /api/users/me.
func TestTheMainPageCallsUsersOnlyIfItExists(t *testing.T) {
	for _, tc := range []struct {
		services []spec.Service
		calls    bool
	}{
		{spec.DefaultServices(), true},
		{[]spec.Service{{Name: "orders", Port: 8082}}, false},
	} {
		s := spec.Default("shop").WithDefaults()
		s.Services = tc.services
		p, err := Build(s, projectFS(t), "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Files {
			if f.Path == "apps/web/app/page.tsx" {
				if got := strings.Contains(string(f.Data), "fetchMe"); got != tc.calls {
					t.Errorf("services %v: the main page calls fetchMe: %v, want %v", tc.services, got, tc.calls)
				}
			}
		}
	}
}
