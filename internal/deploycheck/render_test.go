package deploycheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/nextmsa/nextmsa/internal/cli"
	"github.com/nextmsa/nextmsa/internal/iostreams"
	"github.com/nextmsa/nextmsa/internal/plan"
	"github.com/nextmsa/nextmsa/internal/spec"
)

// TestManifests generates the project of every golden scenario (the archive comments hold
// the flags) and the default one, then renders and checks each overlay of deploy/k8s.
// A project without the gateway must have no deploy/k8s at all.
func TestManifests(t *testing.T) {
	for _, args := range scenarios(t) {
		name := strings.Join(args, " ")
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			dir := generate(t, args)
			p := readProject(t, dir)
			k8s := filepath.Join(dir, "deploy", "k8s")
			if !p.spec.Gateway {
				if _, err := os.Stat(k8s); !os.IsNotExist(err) {
					t.Errorf("deploy/k8s exists in a project without the gateway (stat: %v)", err)
				}
				return
			}
			entries, err := os.ReadDir(filepath.Join(k8s, "overlays"))
			if err != nil {
				t.Fatal(err)
			}
			var overlays []string
			for _, e := range entries {
				overlays = append(overlays, e.Name())
			}
			if !slices.Contains(overlays, "dev") || !slices.Contains(overlays, "prod") {
				t.Fatalf("deploy/k8s/overlays has %v, want at least dev and prod", overlays)
			}
			for _, overlay := range overlays {
				t.Run(overlay, func(t *testing.T) {
					objs := render(t, filepath.Join(k8s, "overlays", overlay))
					t.Logf("%s: %s", overlay, strings.Join(objs.names, ", "))
					review(t, overlay, objs, p)
				})
			}
		})
	}
}

// scenarios are the flag sets of testdata/golden, plus no flags at all.
func scenarios(t *testing.T) [][]string {
	archives, _ := filepath.Glob("../../testdata/golden/*.txtar")
	if len(archives) == 0 {
		t.Fatal("no golden scenarios found")
	}
	all := [][]string{{}}
	for _, file := range archives {
		if filepath.Base(file) == "shared.txtar" { // the content scenarios share, not a scenario
			continue
		}
		a, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		args := strings.Fields(string(a.Comment))
		if !slices.ContainsFunc(all, func(seen []string) bool { return slices.Equal(seen, args) }) {
			all = append(all, args)
		}
	}
	return all
}

func generate(t *testing.T, args []string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	ios, _, _, errOut := iostreams.Test()
	root := cli.NewRoot(ios, "dev")
	root.SetArgs(append([]string{"init", dir, "--yes", "--no-git"}, args...))
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("nextmsa init %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return dir
}

// project is what the checks know about the generated project besides the manifests.
type project struct {
	dir    string
	spec   spec.Spec
	readme string
}

func readProject(t *testing.T, dir string) project {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "nextmsa.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m plan.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("nextmsa.json: %v", err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return project{dir: dir, spec: m.Options, readme: string(readme)}
}

// objects is one rendered overlay, decoded into the API types.
type objects struct {
	names        []string // kind/name of every object, in kustomize's order
	deployments  []appsv1.Deployment
	statefulSets []appsv1.StatefulSet
	services     []corev1.Service
	ingresses    []networkingv1.Ingress
	hpas         []autoscalingv2.HorizontalPodAutoscaler
	pdbs         []policyv1.PodDisruptionBudget
	configMaps   []corev1.ConfigMap
}

// render runs kustomize on the overlay as `kubectl apply -k` would and decodes every object
// strictly: an unknown or misspelled field, a duplicate field or a wrong type fails, and so
// does a kind or apiVersion the manifests are not expected to use. A Secret fails too:
// Secrets are created with kubectl (README.md), never rendered from files in the project.
func render(t *testing.T, dir string) objects {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objs objects
	for _, r := range resources.Resources() {
		id := r.GetKind() + "/" + r.GetName()
		objs.names = append(objs.names, id)
		doc, err := r.AsYAML()
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if err := objs.add(r.GetApiVersion(), r.GetKind(), doc); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	return objs
}

func (o *objects) add(apiVersion, kind string, doc []byte) error {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return decodeInto(doc, &o.deployments)
	case "apps/v1 StatefulSet":
		return decodeInto(doc, &o.statefulSets)
	case "v1 Service":
		return decodeInto(doc, &o.services)
	case "networking.k8s.io/v1 Ingress":
		return decodeInto(doc, &o.ingresses)
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return decodeInto(doc, &o.hpas)
	case "policy/v1 PodDisruptionBudget":
		return decodeInto(doc, &o.pdbs)
	case "v1 ConfigMap":
		return decodeInto(doc, &o.configMaps)
	case "v1 Secret":
		return fmt.Errorf("a Secret is rendered; its values would sit in the repository")
	}
	return fmt.Errorf("unexpected object %s %s (add it to the decoder and the checks)", apiVersion, kind)
}

func decodeInto[T any](doc []byte, list *[]T) error {
	var obj T
	if err := yaml.UnmarshalStrict(doc, &obj); err != nil {
		return fmt.Errorf("strict decoding: %w\n%s", err, bytes.TrimSpace(doc))
	}
	*list = append(*list, obj)
	return nil
}
