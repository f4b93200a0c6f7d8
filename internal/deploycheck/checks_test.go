package deploycheck

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/nextmsa/nextmsa/internal/spec"
)

// review runs every check on one rendered overlay.
func review(t *testing.T, overlay string, o objects, p project) {
	ws := o.workloads()
	checkNames(t, o)
	for _, w := range ws {
		checkWorkload(t, w)
	}
	checkServices(t, o, ws)
	checkIngresses(t, overlay, o)
	checkScaling(t, overlay, o, ws)
	checkGateway(t, o)
	checkEnv(t, o, p)
	checkImages(t, ws, p)
	checkRedis(t, o)
	checkTelemetry(t, o, p)
}

// workload is a Deployment or a StatefulSet: what owns pods.
type workload struct {
	kind, name string
	selector   *metav1.LabelSelector
	replicas   *int32
	pod        corev1.PodTemplateSpec
}

func (w workload) id() string { return w.kind + "/" + w.name }

func (w workload) matches(sel *metav1.LabelSelector) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && !s.Empty() && s.Matches(labels.Set(w.pod.Labels))
}

func (o objects) workloads() []workload {
	var ws []workload
	for _, d := range o.deployments {
		ws = append(ws, workload{"Deployment", d.Name, d.Spec.Selector, d.Spec.Replicas, d.Spec.Template})
	}
	for _, s := range o.statefulSets {
		ws = append(ws, workload{"StatefulSet", s.Name, s.Spec.Selector, s.Spec.Replicas, s.Spec.Template})
	}
	return ws
}

func (o objects) workload(kind, name string) (workload, bool) {
	for _, w := range o.workloads() {
		if w.kind == kind && w.name == name {
			return w, true
		}
	}
	return workload{}, false
}

func checkNames(t *testing.T, o objects) {
	t.Helper()
	for _, id := range o.names {
		kind, name, _ := strings.Cut(id, "/")
		problems := validation.IsDNS1123Subdomain(name)
		if kind == "Service" {
			problems = validation.IsDNS1035Label(name)
		}
		for _, p := range problems {
			t.Errorf("%s: invalid name: %s", id, p)
		}
	}
}

// checkWorkload: the selector selects the pod template; every container has readiness and
// liveness probes on a port it declares, CPU and memory requests and a memory limit, runs
// as a numeric non-root user on a read-only root file system without privilege escalation,
// and mounts no Secret through subPath (a subPath mount never sees a Secret update). A
// Deployment's containers pause in preStop, and the grace period covers that pause plus
// the 10 s drain of the Go servers after SIGTERM.
func checkWorkload(t *testing.T, w workload) {
	t.Helper()
	if !w.matches(w.selector) {
		t.Errorf("%s: selector %v does not select its pod labels %v", w.id(), w.selector, w.pod.Labels)
	}
	spec := w.pod.Spec
	podSec := spec.SecurityContext
	if podSec == nil {
		podSec = &corev1.PodSecurityContext{}
	}
	secretVolumes := map[string]bool{}
	for _, v := range spec.Volumes {
		secretVolumes[v.Name] = v.Secret != nil
	}
	if len(spec.Containers) == 0 {
		t.Errorf("%s: no containers", w.id())
	}
	for _, c := range spec.Containers {
		id := w.id() + " container " + c.Name
		for name, probe := range map[string]*corev1.Probe{"readinessProbe": c.ReadinessProbe, "livenessProbe": c.LivenessProbe, "startupProbe": c.StartupProbe} {
			if probe == nil {
				if name != "startupProbe" {
					t.Errorf("%s: no %s", id, name)
				}
				continue
			}
			if err := probeTarget(probe, c); err != nil {
				t.Errorf("%s: %s: %v", id, name, err)
			}
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
				t.Errorf("%s: no %s request", id, r)
			}
		}
		if q, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok || q.IsZero() {
			t.Errorf("%s: no memory limit", id)
		}
		sec := c.SecurityContext
		if sec == nil {
			sec = &corev1.SecurityContext{}
		}
		if !isTrue(sec.RunAsNonRoot) && !isTrue(podSec.RunAsNonRoot) {
			t.Errorf("%s: runAsNonRoot is not set", id)
		}
		if uid := firstSet(sec.RunAsUser, podSec.RunAsUser); uid == nil || *uid == 0 {
			t.Errorf("%s: no numeric non-root runAsUser (the images name their user, which runAsNonRoot cannot check)", id)
		}
		if !isTrue(sec.ReadOnlyRootFilesystem) {
			t.Errorf("%s: the root file system is writable", id)
		}
		if sec.AllowPrivilegeEscalation == nil || *sec.AllowPrivilegeEscalation {
			t.Errorf("%s: allowPrivilegeEscalation is not false", id)
		}
		for _, m := range c.VolumeMounts {
			if secretVolumes[m.Name] && m.SubPath != "" {
				t.Errorf("%s: Secret volume %s mounted with subPath %q: updates would never reach the pod", id, m.Name, m.SubPath)
			}
		}
		if w.kind != "Deployment" {
			continue
		}
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
			t.Errorf("%s: no preStop sleep: the Service may still send requests after SIGTERM", id)
			continue
		}
		const drain = 10
		need := c.Lifecycle.PreStop.Sleep.Seconds + drain
		if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds < need {
			t.Errorf("%s: terminationGracePeriodSeconds %v is less than preStop %d s + drain %d s", id, deref(spec.TerminationGracePeriodSeconds), c.Lifecycle.PreStop.Sleep.Seconds, drain)
		}
	}
}

func probeTarget(p *corev1.Probe, c corev1.Container) error {
	switch {
	case p.HTTPGet != nil:
		if !strings.HasPrefix(p.HTTPGet.Path, "/") {
			return fmt.Errorf("path %q", p.HTTPGet.Path)
		}
		return hasPort(c, p.HTTPGet.Port)
	case p.TCPSocket != nil:
		return hasPort(c, p.TCPSocket.Port)
	case p.Exec != nil:
		if len(p.Exec.Command) == 0 {
			return fmt.Errorf("empty exec command")
		}
		return nil
	}
	return fmt.Errorf("no handler")
}

// hasPort reports whether port (a name or a number) is one the container declares.
func hasPort(c corev1.Container, port intstr.IntOrString) error {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return nil
		}
	}
	return fmt.Errorf("port %s is not a port of container %s", port.String(), c.Name)
}

// checkServices: every Service selects the pods of some workload and sends to ports those
// pods declare.
func checkServices(t *testing.T, o objects, ws []workload) {
	t.Helper()
	for _, s := range o.services {
		id := "Service/" + s.Name
		i := slices.IndexFunc(ws, func(w workload) bool { return w.matches(&metav1.LabelSelector{MatchLabels: s.Spec.Selector}) })
		if i < 0 {
			t.Errorf("%s: selector %v matches the pods of no Deployment or StatefulSet", id, s.Spec.Selector)
			continue
		}
		for _, port := range s.Spec.Ports {
			target := port.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(port.Port)
			}
			if !slices.ContainsFunc(ws[i].pod.Spec.Containers, func(c corev1.Container) bool { return hasPort(c, target) == nil }) {
				t.Errorf("%s: port %s targets %s, which %s does not declare", id, port.Name, target.String(), ws[i].id())
			}
		}
	}
}

// checkIngresses: every backend is a Service port that exists. In prod the Ingress names
// its host with TLS, and NEXTAUTH_URL is that host's https origin.
func checkIngresses(t *testing.T, overlay string, o objects) {
	t.Helper()
	for _, ing := range o.ingresses {
		id := "Ingress/" + ing.Name
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				t.Errorf("%s: a rule without http paths", id)
				continue
			}
			for _, path := range rule.HTTP.Paths {
				if err := o.servicePort(path.Backend.Service); err != nil {
					t.Errorf("%s: path %s: %v", id, path.Path, err)
				}
			}
		}
		if overlay != "prod" {
			continue
		}
		if len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host == "" || len(ing.Spec.TLS) == 0 || !slices.Contains(ing.Spec.TLS[0].Hosts, ing.Spec.Rules[0].Host) {
			t.Errorf("%s: prod serves one named host over TLS; got rules %v, tls %v", id, ing.Spec.Rules, ing.Spec.TLS)
			continue
		}
		web, _ := o.workload("Deployment", "web")
		if got, want := envValue(web, "web", "NEXTAUTH_URL"), "https://"+ing.Spec.Rules[0].Host; got != want {
			t.Errorf("web NEXTAUTH_URL is %q; the Ingress serves %s", got, want)
		}
	}
}

func (o objects) servicePort(b *networkingv1.IngressServiceBackend) error {
	if b == nil {
		return fmt.Errorf("no service backend")
	}
	for _, s := range o.services {
		if s.Name != b.Name {
			continue
		}
		for _, p := range s.Spec.Ports {
			if (b.Port.Name != "" && p.Name == b.Port.Name) || (b.Port.Number != 0 && p.Port == b.Port.Number) {
				return nil
			}
		}
		return fmt.Errorf("Service %s has no port %+v", b.Name, b.Port)
	}
	return fmt.Errorf("no Service %s", b.Name)
}

// checkScaling: HPAs and PDBs target workloads that exist. A Deployment under an HPA has no
// replicas field (an apply would reset the count) and CPU requests (the HPA measures
// against them). dev runs one replica of everything and no HPA; in prod the gateway has an
// HPA with at least 2 replicas, every Deployment keeps 2 or more pods, and a PDB that still
// lets a node drain.
func checkScaling(t *testing.T, overlay string, o objects, ws []workload) {
	t.Helper()
	minReplicas := map[string]int32{} // Deployment name → the fewest pods it runs
	for _, d := range o.deployments {
		minReplicas[d.Name] = 1
		if d.Spec.Replicas != nil {
			minReplicas[d.Name] = *d.Spec.Replicas
		}
	}
	for _, h := range o.hpas {
		id := "HorizontalPodAutoscaler/" + h.Name
		ref := h.Spec.ScaleTargetRef
		w, ok := o.workload(ref.Kind, ref.Name)
		if !ok || ref.APIVersion != "apps/v1" {
			t.Errorf("%s: targets %s %s/%s, which is not rendered", id, ref.APIVersion, ref.Kind, ref.Name)
			continue
		}
		if w.replicas != nil {
			t.Errorf("%s: %s sets replicas %d; every apply would reset what the HPA chose", id, w.id(), *w.replicas)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 || h.Spec.MaxReplicas < *h.Spec.MinReplicas {
			t.Errorf("%s: minReplicas %v, maxReplicas %d; want 2 <= min <= max", id, deref(h.Spec.MinReplicas), h.Spec.MaxReplicas)
		} else {
			minReplicas[ref.Name] = *h.Spec.MinReplicas
		}
		for _, m := range h.Spec.Metrics {
			if m.Resource == nil || m.Resource.Name != corev1.ResourceCPU {
				continue
			}
			for _, c := range w.pod.Spec.Containers {
				if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
					t.Errorf("%s: scales on CPU, but container %s has no CPU request", id, c.Name)
				}
			}
		}
	}
	covered := map[string]bool{}
	for _, pdb := range o.pdbs {
		id := "PodDisruptionBudget/" + pdb.Name
		i := slices.IndexFunc(ws, func(w workload) bool { return w.kind == "Deployment" && w.matches(pdb.Spec.Selector) })
		if i < 0 {
			t.Errorf("%s: selector %v matches no Deployment's pods", id, pdb.Spec.Selector)
			continue
		}
		covered[ws[i].name] = true
		pods := minReplicas[ws[i].name]
		if mu := pdb.Spec.MaxUnavailable; mu != nil && mu.IntValue() < 1 {
			t.Errorf("%s: maxUnavailable %s blocks every eviction", id, mu.String())
		}
		if ma := pdb.Spec.MinAvailable; ma != nil && ma.Type == intstr.Int && ma.IntVal >= pods {
			t.Errorf("%s: minAvailable %d with %d replicas blocks every eviction", id, ma.IntVal, pods)
		}
	}
	switch overlay {
	case "dev":
		if len(o.hpas) > 0 {
			t.Errorf("dev has an HPA; it runs one replica of each")
		}
		for _, w := range ws {
			if w.replicas == nil || *w.replicas != 1 {
				t.Errorf("dev: %s replicas %v, want 1", w.id(), deref(w.replicas))
			}
		}
	case "prod":
		if !slices.ContainsFunc(o.hpas, func(h autoscalingv2.HorizontalPodAutoscaler) bool { return h.Spec.ScaleTargetRef.Name == "gateway" }) {
			t.Errorf("prod: no HPA for the gateway")
		}
		for _, d := range o.deployments {
			if minReplicas[d.Name] < 2 {
				t.Errorf("prod: Deployment/%s runs %d replica(s); want 2 or more", d.Name, minReplicas[d.Name])
			}
			if !covered[d.Name] {
				t.Errorf("prod: Deployment/%s has no PodDisruptionBudget", d.Name)
			}
		}
	}
}

// gatewayRequires are the variables the gateway needs in a cluster: its JWT claims and
// shared secret, the routes, Redis (several replicas share it), the signing keys every
// replica reads, the encryption keys, the metrics listener, and a writable data dir.
var gatewayRequires = []string{
	"GATEWAY_ISSUER", "GATEWAY_AUDIENCE", "GATEWAY_INTERNAL_SECRET", "GATEWAY_ROUTES",
	"REDIS_URL", "GATEWAY_SIGNING_KEYS_DIR", "GATEWAY_ENCRYPTION_KEYS", "GATEWAY_METRICS_ADDR",
	"GATEWAY_DATA_DIR",
}

// checkGateway: the gateway gets every variable it requires; the signing keys directory
// is a Secret volume mounted whole; the data dir is writable; the metrics port is declared
// and announced for scraping; each route is a Service; each service and web trust and
// reach this gateway.
func checkGateway(t *testing.T, o objects) {
	t.Helper()
	gw, ok := o.workload("Deployment", "gateway")
	if !ok {
		t.Fatal("no Deployment/gateway")
	}
	for _, name := range gatewayRequires {
		if _, ok := findEnv(gw, "gateway", name); !ok {
			t.Errorf("gateway: %s is not set", name)
		}
	}
	c := container(gw, "gateway")
	volumes := map[string]corev1.Volume{}
	for _, v := range gw.pod.Spec.Volumes {
		volumes[v.Name] = v
	}
	mountAt := func(path string) (corev1.VolumeMount, bool) {
		i := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return filepath.Clean(m.MountPath) == filepath.Clean(path) })
		if i < 0 {
			return corev1.VolumeMount{}, false
		}
		return c.VolumeMounts[i], true
	}
	keysDir := envValue(gw, "gateway", "GATEWAY_SIGNING_KEYS_DIR")
	if m, ok := mountAt(keysDir); !ok || m.SubPath != "" || volumes[m.Name].Secret == nil {
		t.Errorf("gateway: GATEWAY_SIGNING_KEYS_DIR %q is not a Secret volume mounted whole (mount %+v)", keysDir, m)
	}
	dataDir := envValue(gw, "gateway", "GATEWAY_DATA_DIR")
	if m, ok := mountAt(dataDir); !ok || m.ReadOnly || (volumes[m.Name].EmptyDir == nil && volumes[m.Name].PersistentVolumeClaim == nil) {
		t.Errorf("gateway: GATEWAY_DATA_DIR %q is not a writable volume on the read-only root file system", dataDir)
	}

	checkMetricsPort(t, gw, "gateway", "GATEWAY_METRICS_ADDR")

	gatewayURL := func(raw string) error {
		u, err := url.Parse(raw)
		if err != nil {
			return err
		}
		return o.serviceAt(u, "gateway")
	}
	routed := map[string]bool{"web": true, "gateway": true, "redis": true}
	for route := range strings.SplitSeq(envValue(gw, "gateway", "GATEWAY_ROUTES"), ",") {
		name, raw, _ := strings.Cut(route, "=")
		routed[name] = true
		u, err := url.Parse(raw)
		if err == nil {
			err = o.serviceAt(u, name)
		}
		if err != nil {
			t.Errorf("gateway: route %q: %v", route, err)
		}
		svc, ok := o.workload("Deployment", name)
		if !ok {
			t.Errorf("gateway: route %q has no Deployment", route)
			continue
		}
		for _, v := range []string{"GATEWAY_ISSUER", "GATEWAY_AUDIENCE"} {
			if got, want := envValue(svc, name, v), envValue(gw, "gateway", v); got != want {
				t.Errorf("%s: %s is %q, the gateway's is %q", name, v, got, want)
			}
		}
		if err := gatewayURL(envValue(svc, name, "GATEWAY_JWKS_URL")); err != nil {
			t.Errorf("%s: GATEWAY_JWKS_URL: %v", name, err)
		}
	}
	for _, d := range o.deployments {
		if !routed[d.Name] {
			t.Errorf("Deployment/%s is not in the gateway's GATEWAY_ROUTES", d.Name)
		}
	}
	web, ok := o.workload("Deployment", "web")
	if !ok {
		t.Fatal("no Deployment/web")
	}
	if err := gatewayURL(envValue(web, "web", "GATEWAY_URL")); err != nil {
		t.Errorf("web: GATEWAY_URL: %v", err)
	}
	webSecret, _ := findEnv(web, "web", "GATEWAY_INTERNAL_SECRET")
	gwSecret, _ := findEnv(gw, "gateway", "GATEWAY_INTERNAL_SECRET")
	if ref(webSecret) == nil || ref(gwSecret) == nil || *ref(webSecret) != *ref(gwSecret) {
		t.Errorf("web and gateway must read GATEWAY_INTERNAL_SECRET from the same Secret key")
	}
}

// serviceAt checks that an in-cluster URL names Service want on one of its ports.
func (o objects) serviceAt(u *url.URL, want string) error {
	if u.Hostname() != want {
		return fmt.Errorf("%s does not point at Service %s", u, want)
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 && u.Scheme == "http" {
		port = 80
	}
	return o.servicePort(&networkingv1.IngressServiceBackend{Name: want, Port: networkingv1.ServiceBackendPort{Number: int32(port)}})
}

// secretLike names variables whose values are credentials.
var secretLike = regexp.MustCompile(`SECRET|PASSWORD|_KEYS$|_KEY$`)

// kubectlSecret matches a `kubectl create secret generic NAME ...` command of README.md,
// after its continuation lines are joined.
var kubectlSecret = regexp.MustCompile(`kubectl create secret generic (\S+)(.*)`)

// checkEnv: credentials come from Secrets, never a value in the YAML; every Secret that a
// pod reads is one the README tells the user to create, with the key the pod reads; only
// chosen providers appear, and web gets each chosen provider's client id and secret.
func checkEnv(t *testing.T, o objects, p project) {
	t.Helper()
	created := map[string][]string{} // Secret name → the README command's arguments
	for _, line := range strings.Split(strings.ReplaceAll(p.readme, "\\\n", " "), "\n") {
		if m := kubectlSecret.FindStringSubmatch(line); m != nil {
			created[m[1]] = strings.Fields(m[2])
		}
	}
	readmeSets := func(secret, key string) bool {
		return slices.ContainsFunc(created[secret], func(arg string) bool {
			return strings.HasPrefix(arg, "--from-literal="+key+"=") || strings.HasPrefix(arg, "--from-file="+key+"=")
		})
	}
	chosen := map[string]bool{}
	for _, pr := range p.spec.Providers {
		chosen[pr.Env()] = true
	}
	for _, w := range o.workloads() {
		for _, v := range w.pod.Spec.Volumes {
			if v.Secret != nil && created[v.Secret.SecretName] == nil {
				t.Errorf("%s: volume %s reads Secret %s, which README.md does not create", w.id(), v.Name, v.Secret.SecretName)
			}
		}
		for _, c := range w.pod.Spec.Containers {
			if len(c.EnvFrom) > 0 {
				t.Errorf("%s container %s: envFrom hands over whole objects; name each variable", w.id(), c.Name)
			}
			for _, e := range c.Env {
				id := fmt.Sprintf("%s container %s: %s", w.id(), c.Name, e.Name)
				if r := ref(e); r != nil {
					if !readmeSets(r.Name, r.Key) {
						t.Errorf("%s reads key %s of Secret %s, which README.md does not create", id, r.Key, r.Name)
					}
				} else if secretLike.MatchString(e.Name) {
					t.Errorf("%s is a credential with a value in the YAML; read it from a Secret", id)
				}
				prefix, _, _ := strings.Cut(e.Name, "_")
				if slices.ContainsFunc(spec.AllProviders, func(pr spec.Provider) bool { return pr.Env() == prefix }) && !chosen[prefix] {
					t.Errorf("%s belongs to a provider that was not chosen", id)
				}
			}
		}
	}
	web, _ := o.workload("Deployment", "web")
	gw, _ := o.workload("Deployment", "gateway")
	for env := range chosen {
		for _, v := range []string{env + "_CLIENT_ID", env + "_CLIENT_SECRET"} {
			if _, ok := findEnv(web, "web", v); !ok {
				t.Errorf("web: %s is not set", v)
			}
		}
		if _, ok := findEnv(gw, "gateway", env+"_CLIENT_ID"); !ok {
			t.Errorf("gateway: %s_CLIENT_ID is not set; the provider would be disabled", env)
		}
	}
}

// dockerBuild matches `docker build -t NAME [-f FILE] CONTEXT` in README.md.
var dockerBuild = regexp.MustCompile(`docker build -t (\S+)(?: -f (\S+))? (\S+)`)

// checkImages: the images the pods run are the ones README.md's docker build commands make
// (from Dockerfiles that exist in the project), and every built image is run; Redis is the
// one public image.
func checkImages(t *testing.T, ws []workload, p project) {
	t.Helper()
	built := map[string]bool{}
	for _, m := range dockerBuild.FindAllStringSubmatch(p.readme, -1) {
		dockerfile := m[2]
		if dockerfile == "" {
			dockerfile = filepath.Join(m[3], "Dockerfile")
		}
		if _, err := os.Stat(filepath.Join(p.dir, dockerfile)); err != nil {
			t.Errorf("README.md builds %s from %s: %v", m[1], dockerfile, err)
		}
		built[m[1]] = false
	}
	if len(built) == 0 {
		t.Fatal("README.md has no docker build commands")
	}
	for _, w := range ws {
		for _, c := range w.pod.Spec.Containers {
			repo := c.Image
			if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
				repo = repo[:i]
			}
			if _, ok := built[repo]; ok {
				built[repo] = true
			} else if repo != "redis" {
				t.Errorf("%s container %s runs %s, which README.md does not build", w.id(), c.Name, c.Image)
			}
		}
	}
	for image, used := range built {
		if !used {
			t.Errorf("README.md builds %s, which no pod runs", image)
		}
	}
}

// checkRedis: if Redis runs in the cluster it persists (AOF every second, on a volume
// claim mounted at its --dir) and never evicts a key.
func checkRedis(t *testing.T, o objects) {
	t.Helper()
	for _, s := range o.statefulSets {
		if s.Name != "redis" {
			continue
		}
		c := container(workload{pod: s.Spec.Template}, "redis")
		args := " " + strings.Join(append(c.Command, c.Args...), " ") + " "
		for _, want := range []string{" --appendonly yes ", " --appendfsync everysec ", " --maxmemory-policy noeviction ", " --maxmemory "} {
			if !strings.Contains(args, want) {
				t.Errorf("StatefulSet/redis: %q is not among its arguments %q", strings.TrimSpace(want), args)
			}
		}
		_, dir, _ := strings.Cut(args, " --dir ")
		dir, _, _ = strings.Cut(dir, " ")
		claims := map[string]bool{}
		for _, pvc := range s.Spec.VolumeClaimTemplates {
			claims[pvc.Name] = true
		}
		if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return claims[m.Name] && m.MountPath == dir && dir != "" }) {
			t.Errorf("StatefulSet/redis: its --dir %q is not on a volume claim", dir)
		}
	}
}

func container(w workload, name string) corev1.Container {
	for _, c := range w.pod.Spec.Containers {
		if c.Name == name {
			return c
		}
	}
	return corev1.Container{}
}

func findEnv(w workload, containerName, name string) (corev1.EnvVar, bool) {
	for _, e := range container(w, containerName).Env {
		if e.Name == name && (e.Value != "" || e.ValueFrom != nil) {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

func envValue(w workload, containerName, name string) string {
	e, _ := findEnv(w, containerName, name)
	return e.Value
}

func ref(e corev1.EnvVar) *corev1.SecretKeySelector {
	if e.ValueFrom == nil {
		return nil
	}
	return e.ValueFrom.SecretKeyRef
}

func isTrue(b *bool) bool { return b != nil && *b }

func firstSet[T any](ps ...*T) *T {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

func deref[T any](p *T) any {
	if p == nil {
		return "unset"
	}
	return *p
}

// checkMetricsPort: the container serves /metrics on <PREFIX>_METRICS_ADDR's port, a
// container port named metrics, and the pod's prometheus.io annotations announce it.
func checkMetricsPort(t *testing.T, w workload, containerName, envName string) {
	t.Helper()
	c := container(w, containerName)
	addr := envValue(w, containerName, envName)
	_, metricsPort, err := net.SplitHostPort(addr)
	if err != nil || hasPort(c, intstr.FromString("metrics")) != nil {
		t.Errorf("%s: %s %q needs a container port named metrics (%v)", w.id(), envName, addr, err)
	} else if n, _ := strconv.Atoi(metricsPort); hasPort(c, intstr.FromInt(n)) != nil {
		t.Errorf("%s: the metrics container port is not %s's %s", w.id(), envName, metricsPort)
	}
	if a := w.pod.Annotations; a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != metricsPort || a["prometheus.io/path"] != "/metrics" {
		t.Errorf("%s: prometheus.io annotations %v do not announce /metrics on %s", w.id(), a, metricsPort)
	}
}

// checkTelemetry: every Go service has its metrics port, and web, the gateway and every
// service read OTEL_EXPORTER_OTLP_ENDPOINT from a rendered ConfigMap that holds the key.
func checkTelemetry(t *testing.T, o objects, p project) {
	t.Helper()
	names := []string{"web", "gateway"}
	for _, svc := range p.spec.Services {
		names = append(names, svc.Name)
		w, ok := o.workload("Deployment", svc.Name)
		if !ok {
			continue // checkImages reports it
		}
		checkMetricsPort(t, w, svc.Name, strings.ToUpper(strings.ReplaceAll(svc.Name, "-", "_"))+"_METRICS_ADDR")
	}
	for _, name := range names {
		w, ok := o.workload("Deployment", name)
		if !ok {
			continue
		}
		e, ok := findEnv(w, name, "OTEL_EXPORTER_OTLP_ENDPOINT")
		if !ok || e.ValueFrom == nil || e.ValueFrom.ConfigMapKeyRef == nil {
			t.Errorf("%s: OTEL_EXPORTER_OTLP_ENDPOINT does not come from a ConfigMap", w.id())
			continue
		}
		ref := e.ValueFrom.ConfigMapKeyRef
		i := slices.IndexFunc(o.configMaps, func(cm corev1.ConfigMap) bool { return cm.Name == ref.Name })
		if i < 0 {
			t.Errorf("%s: OTEL_EXPORTER_OTLP_ENDPOINT reads ConfigMap %s, which is not rendered", w.id(), ref.Name)
		} else if _, ok := o.configMaps[i].Data[ref.Key]; !ok {
			t.Errorf("%s: ConfigMap %s has no key %s", w.id(), ref.Name, ref.Key)
		}
	}
}
