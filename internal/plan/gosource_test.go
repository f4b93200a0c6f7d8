package plan

import (
	"bytes"
	"go/format"
	"io/fs"
	"path"
	"testing"

	"github.com/nextmsa/nextmsa/templates"
)

func TestRewriteImports(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{
			name: "only the template's own imports change",
			src: `// Package main mentions github.com/nextmsa/nextmsa/templates/project/ in a comment.
package main

import (
	"fmt"

	"github.com/nextmsa/nextmsa/internal/spec"
	cfg "github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/config"
	"github.com/nextmsa/nextmsa/templates/project/services/gateway/internal/server"
)

const s = "github.com/nextmsa/nextmsa/templates/project/x"
`,
			want: `// Package main mentions github.com/nextmsa/nextmsa/templates/project/ in a comment.
package main

import (
	"fmt"

	"github.com/nextmsa/nextmsa/internal/spec"
	cfg "example.com/shop/services/gateway/internal/config"
	"example.com/shop/services/gateway/internal/server"
)

const s = "github.com/nextmsa/nextmsa/templates/project/x"
`,
		},
		{
			name: "a single import",
			src:  "package p\n\nimport \"github.com/nextmsa/nextmsa/templates/project/dev/mock-oauth/x\"\n",
			want: "package p\n\nimport \"example.com/shop/dev/mock-oauth/x\"\n",
		},
		{
			name: "trailing comments are realigned as gofmt does",
			src: `package p

import (
	"github.com/nextmsa/nextmsa/templates/project/services/users/internal/auth" // a
	"io"                                                                       // b
)
`,
			want: `package p

import (
	"example.com/shop/services/users/internal/auth" // a
	"io"                                            // b
)
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rewriteImports("x.go", []byte(tt.src), projectImports("example.com/shop"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRewriteImportsLeavesOtherFilesAlone(t *testing.T) {
	src := []byte("package p\n\nimport \"fmt\"\n")
	got, err := rewriteImports("x.go", src, projectImports("example.com/shop"))
	if err != nil || !bytes.Equal(got, src) {
		t.Errorf("got %q, %v; want the source unchanged", got, err)
	}
}

func TestRewriteImportsRejectsBrokenGo(t *testing.T) {
	if _, err := rewriteImports("x.go", []byte("package p\nimport (\n"), projectImports("example.com/shop")); err == nil {
		t.Error("want a parse error")
	}
}

// TestTemplateGoNamesPrefixOnlyInImports guards what rewriteImports cannot fix: a mention
// of the template prefix outside an import path (a string, a comment) would reach the
// generated project unchanged. It also checks that the rewritten files are gofmt-clean.
func TestTemplateGoNamesPrefixOnlyInImports(t *testing.T) {
	src, err := fs.Sub(templates.FS, "project")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = fs.WalkDir(src, ".", func(name string, entry fs.DirEntry, err error) error {
		if err != nil || path.Ext(name) != ".go" {
			return err
		}
		files++
		raw, err := fs.ReadFile(src, name)
		if err != nil {
			return err
		}
		got, err := rewriteImports(name, raw, projectImports("example.com/shop"))
		if err != nil {
			return err
		}
		if bytes.Contains(got, []byte(templateImportPrefix)) {
			t.Errorf("%s mentions %s outside its import paths", name, templateImportPrefix)
		}
		if formatted, err := format.Source(got); err != nil || !bytes.Equal(formatted, got) {
			t.Errorf("%s is not gofmt-clean after rewriting (err %v)", name, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no .go files under templates/project")
	}
}
