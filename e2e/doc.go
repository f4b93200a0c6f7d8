// Package e2e holds the end-to-end tests of nextmsa: generate a project with the real
// binary; install, lint, build and test it with pnpm; start the whole stack with
// `pnpm start` (web, gateway, users, the offline OAuth stand-in dev/mock-oauth); sign in
// with every chosen provider in headless Chromium; check the gateway's token rotation,
// logout and HTTP contract; and that one request is one trace across web, gateway and
// users.
//
// The tests are behind the build tag e2e (they need Node, pnpm, Go, Chromium, the ports
// 3000, 8080, 8081, 9400, 9090, 9091 and 4318, and minutes):
//
//	go test -tags e2e ./e2e/...
//
// See README.md in this directory.
package e2e
