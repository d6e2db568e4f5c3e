package lang

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// checkSamePaths parses every statement of src with both the fast parser and the
// participle grammar, and fails unless both accept it and build identical trees
// (positions included), or both reject it.
func checkSamePaths(t *testing.T, src string) {
	t.Helper()
	s := scan("", src)
	for _, ch := range split(s.toks) {
		if ch.hasError() || checkParens(ch.toks) != nil {
			continue
		}
		fast, ok := fastEntry(ch.toks)
		slow, errs := parseChunk(ch)
		switch {
		case ok && len(errs) > 0:
			t.Errorf("fast parser accepts what the grammar rejects (%v):\n%s", errs, src)
		case !ok && len(errs) == 0:
			t.Errorf("fast parser rejects what the grammar accepts (%s):\n%s", slow, src)
		case ok && !reflect.DeepEqual(fast, slow):
			t.Errorf("fast and grammar trees differ:\n%s\nfast: %#v\nslow: %#v", src, fast, slow)
		}
	}
}

// TestFastMatchesGrammar runs the differential check on every input the other tests use.
func TestFastMatchesGrammar(t *testing.T) {
	var inputs []string
	for _, dir := range []string{"queries", "lang-errors"} {
		files, _ := filepath.Glob(filepath.Join("..", "testdata", dir, "*.rq"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, string(b))
		}
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "*"))
	for _, f := range seeds {
		if src, ok := readSeed(t, f); ok {
			inputs = append(inputs, src)
		}
	}
	inputs = append(inputs, strings.Split(differentialExtra, "\n")...)
	for _, c := range canonicalCases {
		inputs = append(inputs, c.src)
	}
	if len(inputs) < 100 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	for _, src := range inputs {
		checkSamePaths(t, src)
	}
}

// differentialExtra are statements, one per line, near the edges of the grammar.
const differentialExtra = `select a from records where a not b
select a from records where not not not a = 1 and not - - b
select a from records where x has any
select a from records where x has y
select f(,) from records
select f() from records
select count(distinct) from records
select a from records where not
select a from records order by a asc desc
explain analyze analyze select a from records
explain
param $x comment
param $x = date '2024-01-01' comment 'd'
param $x = -date '2024-01-01'
param $x = --5
param $x = - 5
select - 5, -(5), - - 5 from records
select a from records where x between 1 and 2 and 3
select a from records where x not between (1 and 2) and 3
select a from records where (x) in ((1), (2 + 3))
select [a][b] as [c], 'q' as "r" from records
select a from records limit $x offset $y
select a from records limit 1 offset
select date 'x' from records
select datetime from records where date = datetime
select a from records where x ~ 'a' ~ 'b'
select a from records where x is not null is null
select * as a from records
select a from records group by a order by b limit 1 offset 2
select a from records where a = 1 or b = 2 or (c = 3 or d = 4) and (e = 5 and f = 6)`

// checkSameExprPaths is checkSamePaths for ParseExpr: the fast parser and the participle
// expression grammar must agree on src as a condition on its own.
func checkSameExprPaths(t *testing.T, src string) {
	t.Helper()
	s := scan("", src)
	if len(s.errs) > 0 || len(s.toks) < 2 {
		return
	}
	toks := s.toks[:len(s.toks)-1]
	if checkParens(toks) != nil {
		return
	}
	fast, ok := (&fastParser{toks: toks}).fastTop()
	ch := chunk{toks: toks, exprOnly: true, eof: s.toks[len(s.toks)-1].Pos}
	var slow Expr
	g, err := exprGrammar.ParseFromLexer(ch.peeking())
	if err == nil {
		c := &converter{}
		slow = c.top(g)
		if len(c.errs) > 0 {
			err = c.errs
		}
	}
	switch {
	case ok && err != nil:
		t.Errorf("fast parser accepts the expression the grammar rejects (%v): %q", err, src)
	case !ok && err == nil:
		t.Errorf("fast parser rejects the expression the grammar accepts (%s): %q", slow, src)
	case ok && !reflect.DeepEqual(fast, slow):
		t.Errorf("fast and grammar expression trees differ: %q", src)
	}
}

func TestFastMatchesGrammarExpr(t *testing.T) {
	for _, c := range canonicalCases {
		_, cond, ok := strings.Cut(c.src, " where ")
		if ok {
			checkSameExprPaths(t, cond)
		}
	}
	for _, src := range strings.Split(differentialExtra, "\n") {
		checkSameExprPaths(t, src)
		if _, cond, ok := strings.Cut(src, " where "); ok {
			checkSameExprPaths(t, cond)
		}
	}
}
