package lang

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse checks, for any input: no panic; an error is an ErrorList of errors with
// valid positions that render; and a
// parsed input formats to text that parses to the same tree and formats to itself.
func FuzzParse(f *testing.F) {
	f.Add(headline)
	f.Add("param $x = 'a' comment 'b'; explain analyze select count(distinct x) from records where [e][f] has any ('1') order by 1 desc limit $n offset 2")
	f.Add("select distinct case when a > 1 then 'x' else b end as k, percentile(c, 0.5) from records group by k having count(*) > 1 order by k desc nulls first")
	f.Fuzz(func(t *testing.T, src string) {
		if e, err := ParseExpr(src); err == nil {
			back, err := ParseExpr(e.String())
			if err != nil || !Equal(back, e) {
				t.Fatalf("ParseExpr(String()) does not round-trip (%v): %q", err, e.String())
			}
		} else {
			_ = Render(err, src)
		}
		file, err := ParseFile("fuzz.rq", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not a non-empty ErrorList: %#v", err)
			}
			for _, e := range list {
				if e.Pos.Offset < 0 || e.Pos.Offset > len(src) || !e.Pos.IsValid() || e.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			_ = Render(err, src)
			return
		}
		out, err := Format(src)
		if err != nil {
			t.Fatalf("Format fails on input that parses: %v", err)
		}
		again, err := ParseFile("fuzz.rq", out)
		if err != nil {
			t.Fatalf("formatted text does not parse: %v\nsrc: %q\nformatted: %q", err, src, out)
		}
		if !sameFile(file, again) {
			t.Fatalf("parse(Format(src)) != parse(src)\nsrc: %q\nformatted: %q", src, out)
		}
		if out2, err := Format(out); err != nil || out2 != out {
			t.Fatalf("Format not idempotent (%v)\nfirst: %q\nsecond: %q", err, out, out2)
		}
		for _, s := range file.Statements {
			back, err := Parse(s.String())
			if err != nil || !Equal(back, s) {
				t.Fatalf("String() does not round-trip (%v): %q", err, s.String())
			}
		}
	})
}

// readSeed reads one file of the fuzz corpus (the "go test fuzz v1" format).
func readSeed(t *testing.T, path string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\n", 2)
	if len(lines) < 2 || lines[0] != "go test fuzz v1" {
		return "", false
	}
	v := strings.TrimSpace(lines[1])
	if !strings.HasPrefix(v, "string(") || !strings.HasSuffix(v, ")") {
		return "", false
	}
	s, err := strconv.Unquote(v[len("string(") : len(v)-1])
	return s, err == nil
}
