// Package deploycheck holds the tests of the generated deploy files. For every golden
// scenario, every overlay of deploy/k8s is rendered with kustomize's Go API, decoded
// strictly into the Kubernetes API types, and checked the way a reviewer would check it;
// docker-compose.yml is loaded with compose-go and .env.local, and each container's
// environment, reachability and lifecycle are checked. No cluster and no engine are used.
package deploycheck
