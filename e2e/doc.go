// Package e2e holds the end-to-end tests of nextmsa: generate a project with the real
// binary, install, lint, build and test it with pnpm, run `next start` and drive the
// login page with headless Chromium against a fake Google/Naver/Kakao.
//
// The tests are behind the build tag e2e (they need Node, pnpm, Chromium and minutes):
//
//	go test -tags e2e ./e2e/...
//
// See README.md in this directory.
package e2e
