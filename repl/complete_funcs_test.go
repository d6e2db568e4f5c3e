package repl

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/redcapql/rq/lang"
)

// Completion offers lang.Functions, the table the planner checks against.
// This test keeps them together: every name offered is a function the
// planner knows, and every function the planner accepts among the
// candidates (the table, and every name(...) the docs mention) is offered.
func TestCompletionFunctionsMatchPlanner(t *testing.T) {
	s := demoShell(t)
	p, err := s.project()
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Planner(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	functions := lang.FunctionNames()
	known := func(name string) bool {
		stmt, err := lang.Parse("select " + name + "(age) from records")
		if err != nil {
			return false // not even a call (a keyword such as 'in' or 'date')
		}
		_, err = pl.Plan(stmt, nil)
		// Arity and type errors still mean the planner knows the name.
		return err == nil || !strings.Contains(err.Error(), "no function "+name)
	}

	for _, f := range functions {
		if !known(f) {
			t.Errorf("completion offers %s(), which the planner does not know", f)
		}
	}

	cands := map[string]bool{}
	for _, f := range functions {
		cands[f] = true
	}
	call := regexp.MustCompile(`\b([a-z_][a-z0-9_]*)\(`)
	docs, _ := filepath.Glob("../docs/*.md")
	docs = append(docs, "../README.md")
	for _, path := range docs {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			cands[m[1]] = true
		}
	}
	if len(cands) < len(functions)+5 {
		t.Fatalf("only %d candidate names found in the docs: is ../docs there?", len(cands))
	}
	var missing []string
	for name := range cands {
		if !slices.Contains(functions, name) && known(name) {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("the planner accepts %v, which completion lacks: add them to lang.Functions", missing)
	}
}
