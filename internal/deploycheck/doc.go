// Package deploycheck holds the tests of the generated deploy/k8s manifests: every overlay
// of every golden scenario is rendered with kustomize's Go API, decoded strictly into the
// Kubernetes API types, and checked the way a reviewer would check it. No cluster is used.
package deploycheck
