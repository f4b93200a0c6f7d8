// Package templates holds the files nextmsa generates. project/ mirrors the generated tree
// one to one: a file ending in .tmpl is rendered with text/template (suffix stripped), every
// other file is copied as is. Names that would be live in this repository are stored
// renamed (gitignore → .gitignore; go.mod.tmpl, *.go.tmpl) because go:embed skips nested
// modules and git would honour a real .gitignore here.
package templates

import "embed"

//go:embed all:project
var FS embed.FS
