package rq_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/redcapql/rq"

// projectImports returns the project packages a folder's non-test Go files
// import (relative to the module: "" is the root package).
func projectImports(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if path == module {
				out[""] = true
			} else if rel, ok := strings.CutPrefix(path, module+"/"); ok {
				out[rel] = true
			}
		}
	}
	return out
}

// TestImportsFlowDownward: a statement walks down only, session → rq →
// planner → exec/fetch → client (docs/embedding.md), and lang and client
// import nothing of the project.
func TestImportsFlowDownward(t *testing.T) {
	// Each package may import only packages further down this list (and
	// internal/ helpers below it); lang and client nothing of the project.
	order := []string{"cmd/rq", "repl", "", "mirror", "planner/exec", "planner", "planner/fetch", "planner/catalog", "lang", "client"}
	rank := map[string]int{}
	for i, p := range order {
		rank[p] = i
	}
	for i, pkg := range order {
		dir := pkg
		if dir == "" {
			dir = "."
		}
		for im := range projectImports(t, dir) {
			switch {
			case pkg == "lang" || pkg == "client":
				t.Errorf("%s imports %s: it must import nothing of the project", pkg, im)
			case strings.HasPrefix(im, "internal/"): // helpers, below all
			default:
				if r, known := rank[im]; known && r <= i {
					t.Errorf("%q imports %q, which is not below it (%s)", pkg, im, strings.Join(order, " → "))
				}
			}
		}
	}
}
