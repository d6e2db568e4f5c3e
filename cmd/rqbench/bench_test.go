package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: github.com/redcapql/rq/planner
cpu: AMD EPYC
BenchmarkPlanHeadline 	  100000	     11012 ns/op	    4321 B/op	      61 allocs/op
BenchmarkResidual-2   	     300	   1903334 ns/op	  34430000 rows/s
BenchmarkExportDemo/csv         	       1	7573117289 ns/op	  52.04 MB/s
export csv of 1000000 demo records: 394000000 bytes
PASS
ok  	github.com/redcapql/rq/planner	3.1s
`
	got := parseBench(out)
	for _, c := range []struct {
		bench, unit string
		want        float64
	}{
		{"BenchmarkPlanHeadline", "ns/op", 11012},
		{"BenchmarkPlanHeadline", "allocs/op", 61},
		{"BenchmarkResidual", "rows/s", 34430000}, // -2 suffix removed
		{"BenchmarkExportDemo/csv", "MB/s", 52.04},
	} {
		if v, ok := got[c.bench][c.unit]; !ok || v != c.want {
			t.Errorf("%s %s = %v (found %v), want %v", c.bench, c.unit, v, ok, c.want)
		}
	}
	if len(got) != 3 {
		t.Errorf("parsed %d benchmarks, want 3: %v", len(got), got)
	}
}

func TestParseFlags(t *testing.T) {
	for _, c := range []struct {
		args    []string
		records []int
		conc    int
		err     string
	}{
		{nil, []int{20_000, 200_000}, 20_000, ""},
		{[]string{"-short"}, []int{2000}, 1000, ""},
		{[]string{"-records", "10_000, 500", "-conc-records", "300"}, []int{10_000, 500}, 300, ""},
		{[]string{"-records", "5"}, nil, 0, "want record counts from 10 to 1000000"},
		{[]string{"-records", "x"}, nil, 0, `"x"`},
		{[]string{"-rss-records", "2000000"}, nil, 0, "-rss-records 2000000"},
		{[]string{"-only", "cli,nope"}, nil, 0, `-only "nope"`},
		{[]string{"extra"}, nil, 0, `unexpected argument "extra"`},
	} {
		cfg, err := parseFlags(c.args)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseFlags(%q) error = %v, want one containing %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseFlags(%q): %v", c.args, err)
			continue
		}
		if !slices.Equal(cfg.records, c.records) || cfg.concRecords != c.conc {
			t.Errorf("parseFlags(%q) = %v, %d; want %v, %d", c.args, cfg.records, cfg.concRecords, c.records, c.conc)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{7623, "7623"}, {10_000, "10k"}, {379_400, "379.4k"}, {1_000_000, "1M"}, {3_840_000, "3.84M"}, {26_250_000, "26.25M"},
	} {
		if got := count(c.n); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestOnly(t *testing.T) {
	cfg, err := parseFlags([]string{"-only", "rss,gobench"})
	if err != nil {
		t.Fatal(err)
	}
	for part, want := range map[string]bool{"rss": true, "gobench": true, "cli": false, "concurrency": false} {
		if cfg.runs(part) != want {
			t.Errorf("-only rss,gobench: runs(%q) = %v", part, !want)
		}
	}
	all, _ := parseFlags(nil)
	for _, p := range parts {
		if !all.runs(p) {
			t.Errorf("without -only %q does not run", p)
		}
	}
}

// TestDecodeFile checks the decode floor reads every row of a saved body
// with rq's decoder, and reports a cut body as an error, not a short count.
func TestDecodeFile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		body string
		rows int
		err  bool
	}{
		{`[{"record_id":"1","a":"x"},{"record_id":"2","a":"y"}]`, 2, false},
		{`[]`, 0, false},
		{`[{"record_id":"1","a":"x"},{"record_id":"2"`, 1, true},
	} {
		path := filepath.Join(dir, "body.json")
		if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, rows, err := decodeFile(path)
		if (err != nil) != c.err || (!c.err && rows != c.rows) {
			t.Errorf("decodeFile(%s) = %d rows, %v; want %d rows, error %v", c.body, rows, err, c.rows, c.err)
		}
	}
}
