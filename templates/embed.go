// Package templates holds the files nextmsa generates. project/ mirrors the generated tree
// one to one: a file ending in .tmpl is rendered with text/template (suffix stripped), every
// other file is copied as is.
//
// The Go code of the generated modules is stored as ordinary .go files and belongs to the
// nextmsa module (import path github.com/nextmsa/nextmsa/templates/project/...), so gopls,
// go vet and this repository's go test build and test it; generation rewrites that import
// prefix to the project's module path (internal/plan/gosource.go). Their go.mod files are
// stored as go.mod.tmpl: a real go.mod would start a nested module, which go:embed refuses
// to cross and which would hide the code from this repository's go test. Likewise
// gitignore → .gitignore, since git would honour a real .gitignore here.
package templates

import "embed"

//go:embed all:project
var FS embed.FS
