package lang

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated EBNF section of docs/language.md")

const (
	ebnfBegin = "<!-- BEGIN EBNF: generated from lang/grammar.go by `go test ./lang -run TestEBNFDocs -update`; do not edit -->\n```ebnf\n"
	ebnfEnd   = "```\n<!-- END EBNF -->"
)

// TestEBNFDocs fails when the grammar in docs/language.md is not the parser's grammar.
func TestEBNFDocs(t *testing.T) {
	path := filepath.Join("..", "docs", "language.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, ebnfBegin)
	j := strings.Index(doc, ebnfEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no EBNF section between the markers:\n%s...\n%s", path, ebnfBegin, ebnfEnd)
	}
	got := doc[i+len(ebnfBegin) : j]
	want := EBNF()
	if got == want {
		return
	}
	if *update {
		doc = doc[:i+len(ebnfBegin)] + want + doc[j:]
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the EBNF in %s is stale; run go test ./lang -run TestEBNFDocs -update\nwant:\n%s", path, want)
}

func TestEBNFNames(t *testing.T) {
	e := EBNF()
	for _, rule := range []string{"Entry = ParamDecl | Summarize | Select .", "Select = (\"explain\" \"analyze\"?)? \"select\" \"distinct\"? Item"} {
		if !strings.Contains(e, rule) {
			t.Errorf("EBNF lacks %q:\n%s", rule, e)
		}
	}
}

// TestDocExamples parses every ```sql block of docs/language.md as a .rq file, so the
// reference cannot show a query that does not parse.
func TestDocExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "language.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(b), "```sql\n")
	if len(blocks) < 8 {
		t.Fatalf("found %d sql examples, want at least 7", len(blocks)-1)
	}
	for _, blk := range blocks[1:] {
		src, _, ok := strings.Cut(blk, "```")
		if !ok {
			t.Fatalf("unterminated sql block: %q", blk)
		}
		if _, err := ParseFile("language.md", src); err != nil {
			t.Errorf("doc example does not parse:\n%s\n%s", src, Render(err, src))
		}
	}
}
