package planner

import (
	"fmt"
	"github.com/redcapql/rq/planner/fetch"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/planner/catalog"
)

// demoClient starts the embedded server with the demo project and returns a
// client for it, with planners (pushdown on and off) built from the server's
// own dictionary and structure exports.
func demoClient(t *testing.T, records int) (*client.Client, *Planner, *Planner) {
	t.Helper()
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 7})
	srv := redcaptest.NewServer(t, proj)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	on, off := planners(t, c)
	return c, on, off
}

// planners builds planners (pushdown on and off) the way the rq package
// does: from the client's cached project structure and dictionary.
func planners(t *testing.T, c *client.Client) (*Planner, *Planner) {
	t.Helper()
	proj, err := c.Project(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.FromProject(proj)
	if err != nil {
		t.Fatal(err)
	}
	return New(cat), New(cat, WithoutPushdown())
}

// fetchPlan exports what a plan asks for, the simplest correct way: one call
// with every pushed parameter, or, with a record-level filter, the ids first
// and then those records without any filter.
func fetchPlan(t *testing.T, c *client.Client, p *Plan) fetch.RawRows {
	t.Helper()
	if p.Empty {
		return nil
	}
	ex := p.ExportParams()
	if p.RecordFilter != "" {
		// A repeating instance shows only through a value of its own form:
		// ask for the plan's fields so no passing row is hidden.
		ids := client.ExportRecordsParams{Fields: ex.Fields, Forms: ex.Forms, Records: ex.Records, Events: ex.Events, FilterLogic: p.RecordFilter}
		if ex.FilterLogic != "" {
			ids.FilterLogic = "(" + ex.FilterLogic + ") and (" + p.RecordFilter + ")"
		}
		recs, err := c.ExportRecords(t.Context(), ids)
		if err != nil {
			t.Fatalf("ids for %s: %v", p.Stmt, err)
		}
		seen := map[string]bool{}
		ex.Records = nil
		for _, r := range recs.Rows {
			if !seen[r[0]] {
				seen[r[0]] = true
				ex.Records = append(ex.Records, r[0])
			}
		}
		if len(ex.Records) == 0 {
			return &memRows{}
		}
		ex.FilterLogic = ""
	}
	rs, err := c.ExportRecordsStream(t.Context(), ex)
	if err != nil {
		t.Fatalf("export for %s (%+v): %v", p.Stmt, ex, err)
	}
	return rs
}

func collect(t *testing.T, rows TestRows) []string {
	t.Helper()
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cells []string
		for _, v := range rows.Row() {
			cells = append(cells, fmt.Sprintf("%d:%s", v.Kind, v.String()))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDemoHeadline runs the headline query through the demo server.
func TestDemoHeadline(t *testing.T) {
	c, pl, off := demoClient(t, 60)
	const q = "select age, score from records where score > 5 and form = 'baseline'"
	p := mustPlan(t, pl, q, nil)
	if strings.Join(p.Export.Forms, ",") != "baseline" || !strings.Contains(p.Export.FilterLogic, "[score] > 5") {
		t.Fatalf("headline plan: forms %v, filterLogic %q", p.Export.Forms, p.Export.FilterLogic)
	}
	got := collect(t, runPlan(t.Context(), p, fetchPlan(t, c, p)))
	ref := mustPlan(t, off, q, nil)
	want := collect(t, runPlan(t.Context(), ref, fetchPlan(t, c, ref)))
	if len(want) < 10 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("headline: %d rows with pushdown, %d without\n%v\n%v", len(got), len(want), got, want)
	}
	for _, r := range got {
		_, score, _ := strings.Cut(r, "|")
		var n float64
		if _, err := fmt.Sscanf(score, "2:%g", &n); err != nil || n <= 5 {
			t.Errorf("row %s: score is not a number > 5", r)
		}
	}
}

// TestDemoPushdownAgrees runs every golden query of the demo project, and
// more, with pushdown and without, through the demo server: the rows must
// be the same.
func TestDemoPushdownAgrees(t *testing.T) {
	c, pl, off := demoClient(t, 60)
	queries := []string{
		"select record, med_name, med_dose from records where med_dose > 50",
		"select record, redcap_repeat_instance from records where med_start >= '2020-01-01'",
		"select record, sbp from records where [enrollment_arm_1][age] > 50 and sbp > 120",
		"select * from records where [enrollment_arm_2][score] > 5",
		"select record, med_dose from records where [enrollment_arm_1][age] > 40 and med_dose > 50",
		"select [enrollment_arm_1][age], sbp from records where sbp > 120",
		"select record, sbp from records where sbp > 120 order by [enrollment_arm_1][score] desc, record",
		"select record, med_dose, score from records where med_dose > 50 or score > 8",
		"select record, event, instance from records where score is null",
		"select record from records where race has '-1' or race has 'oth'",
		"select record, age from records where not (age between 30 and 60)",
		"select record from records where sex <> 1 and site <> 'nyc'",
		"select record, dag from records where dag = 'site_b' and score > 5",
		"select count(*), count(distinct record) from records where form = 'medications'",
		"select record from records where form = 'baseline' and smoker = false",
		"select * from records where event = 'week_12_arm_1' and adverse_event = 1",
		"select record from records where visit_time >= '12:00' and dbp < 90",
		"select record, weight from records where weight is not null and height > 150 order by weight desc limit 5",
		"select record from records where datediff(dob, today(), 'y') >= 65",
		"select record, bmi from records where bmi >= 30 or bmi < 18.5",
		"select record from records where email like '%@%' and contains(email, 'example')",
		"select record from records where notes is not null",
		"select record, AGE from records where Age > 60 and SEX = 2",
		"select distinct sex, site from records where sex is not null order by site desc nulls last, sex",
		"select site, mode(sex), var(age), percentile(age, 0.1) from records group by site having max(age) > 80 order by site",
		"select record, case when sbp > 140 then 'high' else 'ok' end as bp from records where sbp is not null and record between 5 and 40",
	}
	for _, g := range goldenPlans {
		if g.planner == "demo" && !strings.Contains(g.query, "$") && !strings.Contains(g.query, "from metadata") && !strings.Contains(g.query, "from events") && !strings.HasPrefix(g.query, "explain") {
			queries = append(queries, g.query)
		}
	}
	nonEmpty := 0
	for _, q := range queries {
		p := mustPlan(t, pl, q, nil)
		got := collect(t, runPlan(t.Context(), p, fetchPlan(t, c, p)))
		ref := mustPlan(t, off, q, nil)
		want := collect(t, runPlan(t.Context(), ref, fetchPlan(t, c, ref)))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s\n%s\npushdown: %d rows, reference: %d rows", q, p.Explain(), len(got), len(want))
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(queries)/2 {
		t.Errorf("only %d of %d queries return rows: the comparison is weak", nonEmpty, len(queries))
	}
}

// TestDemoFetchAgrees runs the same comparison through the engine's Fetch,
// with batches small enough to force its two-step path (ids, then records).
func TestDemoFetchAgrees(t *testing.T) {
	c, pl, off := demoClient(t, 40)
	queries := []string{
		"select record, med_name, med_dose from records where med_dose > 50",
		"select age, score from records where score > 5 and form = 'baseline'",
		"select record, sbp from records where [enrollment_arm_1][age] > 50 and sbp > 120",
		"select record from records where race has '2'",
	}
	for _, q := range queries {
		p := mustPlan(t, pl, q, nil)
		raw, err := fetch.Fetch(t.Context(), c, p.ExportParams(), fetch.FetchOptions{RecordIDField: pl.cat.RecordID(), RecordFilter: p.RecordFilter, CellsPerBatch: 200, MaxIDsPerBatch: 5, Dictionary: pl.cat.Dictionary()})
		if err != nil {
			t.Fatal(err)
		}
		got := collect(t, runPlan(t.Context(), p, raw))
		ref := mustPlan(t, off, q, nil)
		want := collect(t, runPlan(t.Context(), ref, fetchPlan(t, c, ref)))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s\n%s\nFetch: %d rows, reference: %d rows", q, p.Explain(), len(got), len(want))
		}
	}
}

// TestDemoInvalidCounted: the demo project holds text in number fields
// (weight "abc"); through the server, with and without pushdown, a query
// reading weight counts them with examples naming record, field and value.
func TestDemoInvalidCounted(t *testing.T) {
	c, pl, off := demoClient(t, 60)
	tests := []struct {
		q    string
		same bool // pushdown on and off read the same rows
	}{
		{"select record, weight from records where form = 'baseline'", true},
		{"select record from records where weight is null and form = 'baseline'", true},
		{"select record, bmi from records where weight is null or score > 5", true},
		{"select count(weight), avg(weight) from records", true},
		{"select record from records where form = 'baseline' order by weight", true},
		// A pushed leaf is false for REDCap on a value that is not a number, so
		// such a row is dropped by the server: it could not be kept (weight is
		// null for rq too) and its invalid value is not met.
		{"select record from records where weight > 50", false},
	}
	for _, tt := range tests {
		var inv [2]int64
		for i, planner := range []*Planner{pl, off} {
			p := mustPlan(t, planner, tt.q, nil)
			rows := runPlan(t.Context(), p, fetchPlan(t, c, p))
			collect(t, rows)
			st := rows.Stats()
			inv[i] = st.Invalid
			if i == 1 || tt.same {
				if st.Invalid == 0 || len(st.Examples) == 0 {
					t.Errorf("%s (pushdown %v): no invalid values counted", tt.q, i == 0)
					continue
				}
				for _, ex := range st.Examples {
					if !strings.HasPrefix(ex, `record "`) || !strings.Contains(ex, `field "weight": value "abc"`) {
						t.Errorf("%s: example %q does not name record, field weight and value abc", tt.q, ex)
					}
				}
			}
		}
		if tt.same && inv[0] != inv[1] {
			t.Errorf("%s: %d invalid values with pushdown, %d without", tt.q, inv[0], inv[1])
		}
		if !tt.same && inv[0] > inv[1] {
			t.Errorf("%s: %d invalid values with pushdown, more than %d without", tt.q, inv[0], inv[1])
		}
	}
}
