package rq_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/refeval"
	"github.com/redcapql/rq/lang"
)

// demo serves the demo project and opens it.
func demo(t testing.TB, records int, faults redcaptest.Faults, opts ...rq.Option) (*rq.Project, *client.Client) {
	t.Helper()
	c := serveClient(t, redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 3}), faults)
	return open(t, c, opts...), c
}

// serveClient serves proj (with faults) until the test ends and returns a
// client of it without a rate limit.
func serveClient(t testing.TB, proj *redcaptest.Project, faults redcaptest.Faults) *client.Client {
	t.Helper()
	srv := startServer(t, faults, proj)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// open opens c's project with opts.
func open(t testing.TB, c *client.Client, opts ...rq.Option) *rq.Project {
	t.Helper()
	p, err := rq.OpenClient(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// reader returns a function that reads every row of a query, as text.
func reader(t testing.TB) func(rows *rq.Rows, err error) [][]string {
	return func(rows *rq.Rows, err error) [][]string {
		t.Helper()
		return readAll(t, rows, err)
	}
}

func readAll(t testing.TB, rows *rq.Rows, err error) [][]string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
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

const headline = "select age, score from records where score > 5 and form = 'baseline'"

func TestHeadlineQuery(t *testing.T) {
	p, c := demo(t, 200, redcaptest.Faults{})
	ctx := context.Background()
	got := reader(t)(p.Query(ctx, headline, nil))

	db, err := refeval.Load(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	stmt, _ := lang.Parse(headline)
	want, err := db.Run(stmt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want.Rows) || len(got) < 50 {
		t.Fatalf("%d rows, reference %d (about half of 200 records expected)", len(got), len(want.Rows))
	}
	for i, r := range want.Rows {
		if w := []string{r[0].String(), r[1].String()}; !slices.Equal(got[i], w) {
			t.Fatalf("row %d = %v, want %v", i, got[i], w)
		}
	}
	ex, err := p.Explain(ctx, headline, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ex.Text, "forms: baseline") || !strings.Contains(ex.Text, "[score] > 5") {
		t.Errorf("plan lacks forms=baseline or [score] > 5:\n%s", ex.Text)
	}
	lines := reader(t)(p.Query(ctx, "explain analyze "+headline, nil))
	text := ""
	for _, l := range lines {
		text += l[0] + "\n"
	}
	if !strings.Contains(text, "[score] > 5") || !strings.Contains(text, "rows read") {
		t.Errorf("explain analyze statement:\n%s", text)
	}
	var doc struct {
		Calls []struct {
			Params struct {
				Forms       []string `json:"forms"`
				FilterLogic string   `json:"filterLogic"`
			} `json:"params"`
		} `json:"calls"`
	}
	// One call, or an ids-first call with the filter and then the batches
	// exporting the form.
	if err := json.Unmarshal(ex.JSON, &doc); err != nil || len(doc.Calls) < 1 || len(doc.Calls) > 2 ||
		!slices.Equal(doc.Calls[len(doc.Calls)-1].Params.Forms, []string{"baseline"}) || !strings.Contains(doc.Calls[0].Params.FilterLogic, "[score] > 5") {
		t.Errorf("JSON plan (%v):\n%s", err, ex.JSON)
	}
}

func TestCellLimitExplainAnalyze(t *testing.T) {
	p, c := demo(t, 300, redcaptest.Faults{MaxCells: 3000})
	ctx := context.Background()
	if _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); !errors.Is(err, client.ErrTooLarge) {
		t.Fatalf("whole export in one call: %v, want ErrTooLarge", err)
	}
	rows := reader(t)(p.Query(ctx, "select * from records", nil))
	_, whole := demo(t, 300, redcaptest.Faults{}) // the same project without the limit
	db, err := refeval.Load(ctx, whole)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != db.Len() {
		t.Fatalf("%d rows, the project has %d", len(rows), db.Len())
	}
	ex, err := p.Explain(ctx, "select * from records", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ex.Text, "splits") || strings.Contains(ex.Text, "splits 0)") {
		t.Errorf("explain analyze shows no splits:\n%s", ex.Text)
	}
	if !strings.Contains(string(ex.JSON), `"Splits"`) && !strings.Contains(string(ex.JSON), `"splits"`) {
		t.Errorf("JSON lacks splits:\n%s", ex.JSON)
	}
	t.Log(ex.Text)
}

func TestQueryErrors(t *testing.T) {
	p, _ := demo(t, 10, redcaptest.Faults{})
	ctx := context.Background()
	for _, tc := range []struct{ src, want string }{
		{"select agee from records", "1:8"},
		{"select age from records where score > $min", "$min"},
		{"select age from", "1:"},
	} {
		_, err := p.Query(ctx, tc.src, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want it to mention %q", tc.src, err, tc.want)
		}
	}
}

func TestExec(t *testing.T) {
	p, _ := demo(t, 30, redcaptest.Faults{})
	ctx := context.Background()
	src := `param $min = 5 comment 'lowest score';
param $site;
select count(*) from records where score > $min;
select record from records where site = $site and form = 'enrollment' limit 2;
`
	if err := p.Exec(ctx, "q.rq", src, nil, func(*lang.Select, *rq.Rows) error { return nil }); err == nil ||
		!strings.Contains(err.Error(), "q.rq:4:41:") || !strings.Contains(err.Error(), "$site") {
		t.Fatalf("missing parameter: err = %v", err)
	}
	var counts []string
	err := p.Exec(ctx, "q.rq", src, map[string]string{"site": "nyc"}, func(s *lang.Select, rows *rq.Rows) error {
		for rows.Next() {
			counts = append(counts, strings.Join(rows.Strings(), ","))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 3 {
		t.Fatalf("results %v: want a count and two records", counts)
	}
	// the default applies: same as the literal
	want := reader(t)(p.Query(ctx, "select count(*) from records where score > 5", nil))
	if counts[0] != want[0][0] {
		t.Errorf("count with default $min = %s, want %s", counts[0], want[0][0])
	}
	stop := errors.New("stop")
	if err := p.Exec(ctx, "q.rq", src, map[string]string{"site": "nyc"}, func(*lang.Select, *rq.Rows) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error: %v", err)
	}
}

func TestFilter(t *testing.T) {
	p, _ := demo(t, 60, redcaptest.Faults{})
	ctx := context.Background()
	// the ids: records with a matching row, once each, in record order
	ids := reader(t)(p.Filter(ctx, "sbp > 140"))
	want := reader(t)(p.Query(ctx, "select record from records where sbp > 140", nil))
	var wantIDs [][]string
	for _, r := range want {
		if !slices.ContainsFunc(wantIDs, func(x []string) bool { return x[0] == r[0] }) {
			wantIDs = append(wantIDs, r)
		}
	}
	if len(ids) == 0 || !slices.EqualFunc(ids, wantIDs, slices.Equal) {
		t.Fatalf("ids %v, want %v", ids, wantIDs)
	}
	// a builder expression gives the same
	built := reader(t)(p.Filter(ctx, lang.Field("sbp").Gt(140)))
	if !slices.EqualFunc(built, ids, slices.Equal) {
		t.Errorf("builder ids %v, want %v", built, ids)
	}
	// output fields: every row of those records, the record id first
	rows, err := p.Filter(ctx, "sbp > 140", "sbp", "age")
	if err != nil {
		t.Fatal(err)
	}
	if cols := rows.Columns(); !slices.Equal(cols, []string{"record_id", "sbp", "age"}) {
		t.Errorf("columns %v", cols)
	}
	n, low := 0, 0
	for rows.Next() {
		n++
		if v := rows.Value(1); !v.IsNull() && v.Num <= 140 {
			low++ // other rows of a matching record are kept
		}
		if !slices.ContainsFunc(ids, func(x []string) bool { return x[0] == rows.Value(0).String() }) {
			t.Errorf("row of record %s that does not match", rows.Value(0))
		}
	}
	rows.Close()
	if n <= len(ids) || low == 0 {
		t.Errorf("%d rows (%d with sbp <= 140) for %d records: want whole records", n, low, len(ids))
	}
	// a bad condition reports its own position
	_, err = p.Filter(ctx, "sbp >> 140")
	var le *lang.Error
	var ll lang.ErrorList
	if !errors.As(err, &le) && !errors.As(err, &ll) {
		t.Fatalf("bad condition: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "1:") {
		t.Errorf("position not in the condition: %v", err)
	}
	if rows, err := p.Filter(ctx, "record = 'nope'", "age"); err != nil || len(readAll(t, rows, nil)) != 0 {
		t.Errorf("no match: %v", err)
	}
}

func TestLabels(t *testing.T) {
	p, _ := demo(t, 20, redcaptest.Faults{}, rq.WithLabels(true))
	rows := reader(t)(p.Query(context.Background(), "select sex, site, age from records where form = 'enrollment' and sex is not null", nil))
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, r := range rows {
		if !slices.Contains([]string{"Female", "Male", "Other"}, r[0]) {
			t.Errorf("sex %q is not a label", r[0])
		}
		if r[1] != "" && !slices.Contains([]string{"New York", "Boston", "Chicago"}, r[1]) {
			t.Errorf("site %q is not a label", r[1])
		}
	}
}

func TestSources(t *testing.T) {
	p, _ := demo(t, 10, redcaptest.Faults{})
	rows := reader(t)(p.Query(context.Background(), "select field_name from metadata where field_type = 'checkbox'", nil))
	if len(rows) != 1 || rows[0][0] != "race" {
		t.Errorf("checkbox fields %v, want race", rows)
	}
	ev := reader(t)(p.Query(context.Background(), "select unique_event_name from events where arm_num = 2", nil))
	if len(ev) != 2 {
		t.Errorf("arm 2 events %v", ev)
	}
}

func TestCancel(t *testing.T) {
	p, _ := demo(t, 400, redcaptest.Faults{}, rq.WithMaxIDsPerBatch(5), rq.WithConcurrency(3))
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := p.Query(ctx, "select * from records", nil)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	cancel()
	for rows.Next() {
	}
	if !errors.Is(rows.Err(), context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", rows.Err())
	}
	rows.Close()
	// an already cancelled context fetches nothing
	if _, err := p.Query(ctx, "select * from records", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled query: %v", err)
	}
	// no goroutine of the engine is left (idle HTTP connections may be)
	if g := engineGoroutines(); g != "" {
		t.Errorf("goroutines left after cancel:\n%s", g)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []rq.Option{rq.WithConcurrency(0), rq.WithCellsPerBatch(-1), rq.WithMaxIDsPerBatch(0), rq.WithClock(nil)} {
		if _, err := rq.Open("http://127.0.0.1:1/api/", strings.Repeat("A", 32), o); err == nil {
			t.Error("bad option accepted")
		}
	}
	if _, err := rq.Open("http://127.0.0.1:1/api/", "not a token"); err == nil || strings.Contains(err.Error(), "not a token") {
		t.Errorf("bad token: %v", err)
	}
	if _, err := rq.OpenClient(nil); err == nil {
		t.Error("nil client accepted")
	}
}

// engineGoroutines returns the stacks of goroutines running planner code.
func engineGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "rq/planner.") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

func TestProgress(t *testing.T) {
	var last rq.Progress
	calls := 0
	p, _ := demo(t, 80, redcaptest.Faults{}, rq.WithMaxIDsPerBatch(10), rq.WithProgress(func(pr rq.Progress) {
		calls++
		if pr.Records < last.Records || pr.Calls < last.Calls || pr.Bytes < last.Bytes {
			t.Errorf("progress went back: %+v after %+v", pr, last)
		}
		last = pr
	}))
	rows := reader(t)(p.Query(context.Background(), "select record from records where form = 'enrollment'", nil))
	if len(rows) != 80 {
		t.Fatalf("%d rows", len(rows))
	}
	if last.Records != 80 || last.Total != 80 || last.Calls < 9 || last.Bytes == 0 || calls < last.Calls {
		t.Errorf("last progress %+v after %d reports", last, calls)
	}
}

func TestFilterManyRecords(t *testing.T) {
	const maxIDs = 500 // several batches of ids
	p, _ := demo(t, 1500, redcaptest.Faults{}, rq.WithConcurrency(3), rq.WithMaxIDsPerBatch(maxIDs))
	ctx := context.Background()
	ids := reader(t)(p.Filter(ctx, "age >= 25"))
	if len(ids) <= maxIDs {
		t.Fatalf("%d matching records: the test needs more than %d", len(ids), maxIDs)
	}
	rows, err := p.Filter(ctx, "age >= 25", "age", "sbp")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	prev := ""
	for rows.Next() {
		id := rows.Value(0).String()
		if id != prev && seen[id] {
			t.Fatalf("record %s comes back twice, apart: not in record order", id)
		}
		seen[id], prev = true, id
	}
	if rows.Err() != nil || len(seen) != len(ids) {
		t.Fatalf("%d records (err %v), want %d", len(seen), rows.Err(), len(ids))
	}
}

func TestLimitStopsEarly(t *testing.T) {
	p, _ := demo(t, 600, redcaptest.Faults{})
	rows, err := p.Query(context.Background(), "select record, event from records limit 5", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	if st := rows.Stats().Fetch; n != 5 || st.Rows > 60 {
		t.Errorf("%d rows out, %d fetched rows read (stats %+v): want a small first batch", n, st.Rows, st)
	}
}

func TestReload(t *testing.T) {
	p, _ := demo(t, 10, redcaptest.Faults{})
	ctx := context.Background()
	a, err := p.Planner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Reload()
	b, err := p.Planner(ctx)
	if err != nil || a == b {
		t.Fatalf("planner not rebuilt after Reload (err %v)", err)
	}
	if rows := reader(t)(p.Query(ctx, "select count(*) from records where form = 'enrollment'", nil)); rows[0][0] != "10" {
		t.Errorf("after Reload: %v", rows)
	}
}
