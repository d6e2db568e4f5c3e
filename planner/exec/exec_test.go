package exec_test

import (
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/catalog"
	"github.com/redcapql/rq/planner/exec"
	"github.com/redcapql/rq/planner/fetch"
)

func demo(t *testing.T) (*client.Client, *planner.Planner) {
	t.Helper()
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 20, Seed: 3})
	srv := redcaptest.NewServer(t, proj)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	return c, planner.New(cat)
}

func plan(t *testing.T, pl *planner.Planner, src string) *planner.Plan {
	t.Helper()
	stmt, err := lang.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pl.Plan(stmt, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func drain(t *testing.T, r *exec.Result) []string {
	t.Helper()
	rows := r.Rows()
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := rows.Row()
		if r.Labels() != nil {
			vals = exec.ApplyLabels(vals, r.Labels())
		}
		var cells []string
		for _, v := range vals {
			cells = append(cells, v.String())
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Run dispatches on what the plan reads and keeps the run's figures in its
// own Stats: a record export counts its calls, a source or an empty plan
// makes no record export.
func TestRun(t *testing.T) {
	c, pl := demo(t)
	for _, tc := range []struct {
		query   string
		opts    exec.Options
		fetched bool
		check   func([]string) bool
	}{
		{"select record, age from records where age > 30 and form = 'enrollment' limit 3", exec.Options{Tuning: planner.Tuning{Concurrency: 1}}, true,
			func(rows []string) bool { return len(rows) == 3 }},
		{"select count(*) from records where record in ()", exec.Options{}, false,
			func(rows []string) bool { return len(rows) == 1 && rows[0] == "0" }},
		{"select field_name from metadata where field_name = 'age'", exec.Options{}, false,
			func(rows []string) bool { return len(rows) == 1 && rows[0] == "age" }},
		{"select sex from records where sex is not null limit 1", exec.Options{Labels: true}, true,
			func(rows []string) bool { return len(rows) == 1 && rows[0] != "1" && rows[0] != "2" }},
		{"summarize records where form = 'enrollment'", exec.Options{}, true,
			func(rows []string) bool { return len(rows) > 1 }},
	} {
		p := plan(t, pl, tc.query)
		r, err := exec.Run(t.Context(), c, p, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		rows := drain(t, r)
		if !tc.check(rows) {
			t.Errorf("%s: rows %q", tc.query, rows)
		}
		st := r.Stats()
		if st.Fetched != tc.fetched || (st.Fetched && st.Fetch.Calls == 0) || st.Run.RowsOut == 0 && len(rows) > 0 && !p.Stmt.Summarize {
			t.Errorf("%s: stats %+v", tc.query, st)
		}
	}
}

// Records from elsewhere (a mirror) replace the API's export.
func TestRunRecordsFromElsewhere(t *testing.T) {
	_, pl := demo(t)
	p := plan(t, pl, "select record from records")
	asked := false
	r, err := exec.Run(t.Context(), nil, p, exec.Options{Records: func(q *planner.Plan) (exec.RawRows, error) {
		asked = q == p
		return fetch.NewTableRows([]string{"record_id"}, [][]string{{"7"}, {"8"}}), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rows := drain(t, r); !asked || strings.Join(rows, ",") != "7,8" || r.Stats().Fetched {
		t.Errorf("rows %q, asked %v, stats %+v", rows, asked, r.Stats())
	}
}

// Analyze returns the figures explain analyze shows.
func TestAnalyze(t *testing.T) {
	c, pl := demo(t)
	p := plan(t, pl, "explain analyze select age from records where age > 30")
	run, err := exec.Analyze(t.Context(), c, p, exec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if run.Fetch == nil || run.Fetch.Calls == 0 || run.Local == nil || run.Local.RowsRead == 0 {
		t.Fatalf("run %+v", run)
	}
	if text := p.ExplainWith(planner.ExplainOptions{Run: run}); !strings.Contains(text, "rows read: ") {
		t.Errorf("explain analyze:\n%s", text)
	}
}
