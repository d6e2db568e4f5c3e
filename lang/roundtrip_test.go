package lang

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoundTripFiles parses every .rq file under the repository's testdata/ (except the
// deliberately broken ones in directories whose name contains "errors"), and checks that
// parse(Format(src)) == parse(src), that Format is idempotent, and that File.String()
// parses back to the same file.
func TestRoundTripFiles(t *testing.T) {
	root := filepath.Join("..", "testdata")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.Contains(d.Name(), "errors") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".rq") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("found %d .rq files under %s, want at least 15", len(files), root)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, rel, string(b))
		})
	}
}

func checkRoundTrip(t *testing.T, name, src string) {
	t.Helper()
	f1, err := ParseFile(name, src)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, Render(err, src))
	}
	out, err := Format(src)
	if err != nil {
		t.Fatalf("Format: %v", err)
	}
	f2, err := ParseFile(name, out)
	if err != nil {
		t.Fatalf("formatted text does not parse: %v\n%s", err, Render(err, out))
	}
	if !sameFile(f1, f2) {
		t.Errorf("parse(Format(src)) differs from parse(src)\nsrc:\n%s\nformatted:\n%s", src, out)
	}
	again, err := Format(out)
	if err != nil || again != out {
		t.Errorf("Format is not idempotent (%v)\nfirst:\n%s\nsecond:\n%s", err, out, again)
	}
	if strings.Count(out, "--")+strings.Count(out, "/*") < strings.Count(src, "--")+strings.Count(src, "/*") &&
		!strings.Contains(src, "'") {
		t.Errorf("Format lost comments:\n%s", out)
	}
	f3, err := ParseFile(name, f1.String())
	if err != nil || !sameFile(f1, f3) {
		t.Errorf("File.String() does not round-trip (%v):\n%s", err, f1.String())
	}
}

func sameFile(a, b *File) bool {
	if len(a.Params) != len(b.Params) || len(a.Statements) != len(b.Statements) {
		return false
	}
	for i := range a.Params {
		if !Equal(a.Params[i], b.Params[i]) {
			return false
		}
	}
	for i := range a.Statements {
		if !Equal(a.Statements[i], b.Statements[i]) {
			return false
		}
	}
	return true
}

func TestFormat(t *testing.T) {
	src := `-- header comment
param $site='nyc'   comment 'Site';  -- trailing on a declaration
param $n = 5;
SELECT a,b   FROM records /* inside */ WHERE x==1&&(y=2||z=3) ; -- trailing
select * from metadata
-- the end`
	want := `-- header comment
param $site = 'nyc' comment 'Site'; -- trailing on a declaration
param $n = 5;

/* inside */
select a, b
from records
where x = 1 and (y = 2 or z = 3); -- trailing

select *
from metadata;

-- the end
`
	got, err := Format(src)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	if _, err := Format("select from"); err == nil {
		t.Error("Format of bad input succeeded")
	}
}

// edgeInputs are statements, one per line, near the edges of the grammar: some parse,
// some do not. TestEdgeInputs checks each either round-trips or fails with positioned
// errors, as FuzzParse does for random input.
const edgeInputs = `select a from records where a not b
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
select a from records where a = 1 or b = 2 or (c = 3 or d = 4) and (e = 5 and f = 6)
select distinct a, b from records order by a desc nulls first, b nulls last
select a, count(*) from records group by a having count(*) > 1 and a is not null
select case when a > 1 then 'x' when a is null then null else 'y' end as k from records
select -case when a then 1 end * 2, case when not a then (case when b then 1 end) end from records
select [case], [end], [having] from records
select percentile(x, 0.9), median(x), mode(x), stddev(x), var(x), count(distinct x) from records`

func TestEdgeInputs(t *testing.T) {
	parsed := 0
	for _, src := range strings.Split(edgeInputs, "\n") {
		f, err := ParseFile("", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Errorf("%q: error is not an ErrorList: %v", src, err)
			}
			for _, e := range list {
				if !e.Pos.IsValid() || e.Msg == "" {
					t.Errorf("%q: error without position or message: %#v", src, e)
				}
			}
			continue
		}
		parsed++
		for _, s := range f.Statements {
			back, err := Parse(s.String())
			if err != nil || !Equal(back, s) {
				t.Errorf("%q: String() %q does not round-trip (%v)", src, s.String(), err)
			}
		}
	}
	if parsed < 10 {
		t.Errorf("only %d edge inputs parse; the list has lost its valid half", parsed)
	}
}
