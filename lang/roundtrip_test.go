package lang

import (
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
