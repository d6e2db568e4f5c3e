package duckdbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/parquetio"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/mirror"
)

// result is one statement's answer from query.mjs.
type result struct {
	Columns []string `json:"columns"`
	Types   []string `json:"types"`
	Rows    [][]any  `json:"rows"`
}

// duckdb runs statements with DuckDB, or skips (fails when required).
func duckdb(t *testing.T, stmts ...string) []result {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("node_modules", "@duckdb", "node-api", "package.json"))
	}
	if err != nil {
		msg := "DuckDB absent (" + err.Error() + "): run `npm ci` in internal/duckdbtest"
		if os.Getenv("RQ_REQUIRE_FIXTURES") == "1" || os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	cmd := exec.Command(node, append([]string{"query.mjs"}, stmts...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s", err, stderr.String())
	}
	var res []result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("duckdb output: %v\n%s", err, out)
	}
	return res
}

// fixture serves a demo project and writes rq's Parquet files: a query's
// result, a record export (as `rq export records -o x.parquet` writes it)
// and the export partitioned by event.
type fixture struct {
	p                      *rq.Project
	query, export, byEvent string
	mirror                 string // the parts of a mirror of the project (a glob)
}

func newFixture(t *testing.T) *fixture {
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 300, Seed: 5}))
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fx := &fixture{p: p, query: filepath.Join(dir, "q.parquet"), export: filepath.Join(dir, "x.parquet"), byEvent: filepath.Join(dir, "ev")}
	ctx := context.Background()

	rows, err := p.Query(ctx, "select * from records", nil)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(fx.query)
	if _, err := render.Write(f, render.Parquet, rows, render.Options{}); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	f.Close()

	pl, err := p.Planner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts := parquetio.Options{Dict: pl.Dictionary(), Metadata: rq.ProjectMetadata(pl.Dictionary(), pl.Catalog().Design())}
	export := func(w interface{ WriteRaw([]string) error }, close func() error) {
		rs, err := p.Client().ExportRecordsStream(ctx, client.ExportRecordsParams{})
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			if err := w.WriteRaw(rs.Row()); err != nil {
				t.Fatal(err)
			}
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		if err := close(); err != nil {
			t.Fatal(err)
		}
	}
	xf, _ := os.Create(fx.export)
	cols := exportColumns(t, p)
	xw := parquetio.NewWriter(xf, cols, opts)
	export(xw, xw.Close)
	xf.Close()
	dw, err := parquetio.NewDirWriter(fx.byEvent, "event", cols, opts)
	if err != nil {
		t.Fatal(err)
	}
	export(dw, dw.Close)

	// a mirror in three parts, as `rq mirror` writes it
	m := filepath.Join(dir, "m")
	if _, err := mirror.Sync(ctx, p.Client(), m, mirror.Options{PartRecords: 100}); err != nil {
		t.Fatal(err)
	}
	st, err := mirror.ReadState(m)
	if err != nil || len(st.Parts) != 3 {
		t.Fatalf("mirror: %v, %+v", err, st)
	}
	fx.mirror = filepath.Join(m, st.Generation, "part-*.parquet")
	return fx
}

// exportColumns is the full export's header.
func exportColumns(t *testing.T, p *rq.Project) []string {
	rs, err := p.Client().ExportRecordsStream(context.Background(), client.ExportRecordsParams{Records: []string{"1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
	}
	return rs.Columns()
}

// rqOne runs an rq query and returns its rows as text.
func rqRows(t *testing.T, p *rq.Project, q string) [][]string {
	t.Helper()
	rows, err := p.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		out = append(out, rows.Strings())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// same compares numbers loosely (DuckDB and rq sum in different orders).
func same(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(x))
}

func TestDuckDBReadsRqParquet(t *testing.T) {
	fx := newFixture(t)
	types := map[string]string{
		"record_id": "VARCHAR", "redcap_repeat_instance": "BIGINT", "age": "BIGINT", "weight": "DOUBLE",
		"dob": "DATE", "consent_dt": "TIMESTAMP", "smoker": "BOOLEAN", "email": "VARCHAR", "sex": "BIGINT",
		"race___1": "BOOLEAN", "visit_time": "TIME", "enrollment_complete": "BIGINT", "rq_raw": "VARCHAR",
	}
	for _, file := range []string{fx.query, fx.export, fx.mirror} {
		res := duckdb(t, fmt.Sprintf("describe select * from '%s'", file))[0]
		got := map[string]string{}
		for _, r := range res.Rows {
			got[text(r[0])] = text(r[1])
		}
		for col, want := range types {
			if got[col] != want {
				t.Errorf("%s: column %s is %q in DuckDB, want %s", filepath.Base(file), col, got[col], want)
			}
		}
	}

	// counts and aggregates: DuckDB over rq's files against rq's own answers
	checks := []struct{ duck, rq string }{
		{"select count(*) from '%s'", "select count(*) from records"},
		{"select count(*), avg(age), sum(weight), min(dob), max(consent_dt) from '%s'", "select count(*), avg(age), sum(weight), min(dob), max(consent_dt) from records"},
		{"select count(*) from '%s' where smoker", "select count(*) from records where smoker = 1"},
		{"select count(*) from '%s' where race___2", "select count(*) from records where race has '2'"},
		{"select sex, count(*) from '%s' where sex is not null group by sex order by sex", "select sex, count(*) from records where sex is not null group by sex order by sex"},
	}
	for _, file := range []string{fx.query, fx.export, fx.mirror} {
		var stmts []string
		for _, c := range checks {
			stmts = append(stmts, fmt.Sprintf(c.duck, file))
		}
		res := duckdb(t, stmts...)
		for i, c := range checks {
			want := rqRows(t, fx.p, c.rq)
			got := res[i].Rows
			if len(got) != len(want) {
				t.Errorf("%s: %d rows in DuckDB, %d in rq", c.rq, len(got), len(want))
				continue
			}
			for r := range want {
				for j := range want[r] {
					g := text(got[r][j])
					if j < len(got[r]) && strings.HasPrefix(res[i].Types[j], "TIMESTAMP") {
						g = strings.TrimSuffix(strings.Replace(g, "T", " ", 1), ":00.000Z")
						g = strings.TrimSuffix(g, ":00")
					}
					if !same(g, want[r][j]) {
						t.Errorf("%s (%s): row %d col %d: DuckDB %q, rq %q", c.rq, filepath.Base(file), r, j, g, want[r][j])
					}
				}
			}
		}
	}

	// hive partitions: DuckDB reads the event folders back, event per row
	res := duckdb(t, fmt.Sprintf("select event, count(*) from read_parquet('%s/**/*.parquet', hive_partitioning=true) group by event order by event", fx.byEvent))[0]
	want := rqRows(t, fx.p, "select event, count(*) from records group by event order by event")
	if len(res.Rows) != len(want) || len(want) < 2 {
		t.Fatalf("hive: DuckDB %v, rq %v", res.Rows, want)
	}
	for i := range want {
		if text(res.Rows[i][0]) != want[i][0] || text(res.Rows[i][1]) != want[i][1] {
			t.Errorf("hive row %d: DuckDB %v, rq %v", i, res.Rows[i], want[i])
		}
	}
}
