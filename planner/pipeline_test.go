package planner

import (
	"context"
	"encoding/json"
	"github.com/redcapql/rq/planner/fetch"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/planner/catalog"
)

// memRows is an in-memory fetch.RawRows.
type memRows struct {
	cols   []string
	rows   [][]string
	i      int
	closed bool
	read   int
}

func (m *memRows) Columns() []string { return m.cols }
func (m *memRows) Next() bool {
	if m.closed || m.i >= len(m.rows) {
		return false
	}
	m.i++
	m.read++
	return true
}
func (m *memRows) Row() []string { return m.rows[m.i-1] }
func (m *memRows) Err() error    { return nil }
func (m *memRows) Close() error  { m.closed = true; return nil }

// demoColumns are the flat export columns of the demo project.
func demoColumns(t testing.TB) []string {
	pl := demoPlanner(t)
	cols := []string{"record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"}
	for _, c := range pl.cat.Dictionary().Columns() {
		if c != "record_id" {
			cols = append(cols, c)
		}
	}
	return cols
}

// demoRows builds export rows from "col=value;col=value" specs.
func demoRows(t testing.TB, specs ...string) *memRows {
	cols := demoColumns(t)
	m := &memRows{cols: cols}
	for _, s := range specs {
		row := make([]string, len(cols))
		for _, kv := range strings.Split(s, ";") {
			k, v, _ := strings.Cut(kv, "=")
			i := slices.Index(cols, k)
			if i < 0 {
				t.Fatalf("no column %q", k)
			}
			row[i] = v
		}
		m.rows = append(m.rows, row)
	}
	return m
}

// sample is a small longitudinal data set: 4 records.
func sample(t testing.TB) *memRows {
	return demoRows(t,
		// record 1: score 7, age 40; visits sbp 130, 118; one medication
		"record_id=1;redcap_event_name=enrollment_arm_1;dob=1980-05-01;sex=1;site=nyc;enrollment_complete=2;age=40;score=7;race___1=1;race___2=1;race___3=0;race____1=0;race___oth=0;race___na=0;race___unk=0;smoker=1;baseline_complete=2;medications_complete=0;notes=Likes Tea",
		"record_id=1;redcap_event_name=enrollment_arm_1;redcap_repeat_instrument=medications;redcap_repeat_instance=1;med_name=aspirin;med_dose=100;medications_complete=2",
		"record_id=1;redcap_event_name=week_4_arm_1;visit_date=2024-02-01;sbp=130;visit_complete=2",
		"record_id=1;redcap_event_name=week_12_arm_1;visit_date=2024-04-01;sbp=118;visit_complete=1",
		// record 2: score blank, age 70
		"record_id=2;redcap_event_name=enrollment_arm_1;dob=1950-01-01;sex=2;site=bos;enrollment_complete=2;age=70;race___1=0;race___2=0;race___3=1;race____1=0;race___oth=0;race___na=0;race___unk=0;baseline_complete=1;medications_complete=0",
		"record_id=2;redcap_event_name=week_4_arm_1;visit_date=2024-02-03;sbp=145;visit_complete=2",
		// record 3: arm 2, score 3, invalid age
		"record_id=3;redcap_event_name=enrollment_arm_2;dob=1990-12-31;sex=3;site=chi;enrollment_complete=2;age=abc;score=3;race___1=0;race___2=1;race___3=0;race____1=0;race___oth=0;race___na=0;race___unk=0;smoker=0;baseline_complete=2;medications_complete=0;notes=likes coffee",
		"record_id=3;redcap_event_name=week_4_arm_2;visit_date=2024-03-01;sbp=NA;visit_complete=2",
		// record 10: score 9, age 20, no baseline status started? enrollment only + baseline
		"record_id=10;redcap_event_name=enrollment_arm_1;dob=2004-07-07;sex=2;site=nyc;enrollment_complete=1;age=20;score=9;race___1=0;race___2=0;race___3=0;race____1=1;race___oth=0;race___na=0;race___unk=0;smoker=0;baseline_complete=0;medications_complete=0",
	)
}

// run plans src, runs it over rows and returns the result as text rows.
func run(t testing.TB, pl *Planner, src string, rows fetch.RawRows) ([]string, [][]string, LocalStats) {
	t.Helper()
	p := mustPlan(t, pl, src, nil)
	out := runPlan(context.Background(), p, rows)
	defer out.Close()
	var got [][]string
	for out.Next() {
		var r []string
		for _, v := range out.Row() {
			s := v.String()
			if v.Kind == client.KindNull {
				s = "∅" + v.Missing
			}
			r = append(r, s)
		}
		got = append(got, r)
	}
	if err := out.Err(); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return out.Columns(), got, out.Stats()
}

func flat(rows [][]string) string {
	var b []string
	for _, r := range rows {
		b = append(b, strings.Join(r, ","))
	}
	return strings.Join(b, " | ")
}

func TestPipeline(t *testing.T) {
	// Everything local: the rows are the whole export.
	pl := demoPlanner(t, WithoutPushdown())
	tests := []struct {
		q    string
		want string
	}{
		{"select age, score from records where score > 5 and form = 'baseline'", "40,7 | 20,9"},
		{"select record, score from records where score <> 7 and form = 'baseline'", "3,3 | 10,9"},
		{"select record from records where not (score > 5) and form = 'baseline'", "3"},
		{"select record from records where score is null and form = 'baseline'", "2"},
		{"select record, redcap_event_name from records where sbp between 120 and 140", "1,week_4_arm_1"},
		{"select record, sbp from records where [enrollment_arm_1][age] > 50 and form = 'visit'", "2,145"},
		{"select record, sbp from records where [enrollment_arm_1][score] is null and event = 'week_4_arm_1'", "2,145"},
		{"select record from records where race has '2'", "1 | 3"},
		{"select record from records where race has any ('3', '-1')", "2 | 10"},
		{"select record from records where race has all ('1', '2')", "1"},
		{"select record from records where race___2 = 1", "1 | 3"},
		{"select record, label(sex) from records where sex in (2, 3)", "2,Male | 3,Other | 10,Male"},
		{"select record from records where label(site) = 'Boston'", "2"},
		{"select record from records where notes like 'likes%'", "1 | 3"},
		{"select record from records where notes like '_ikes t%'", "1"},
		{"select record from records where notes ~ '^likes'", "3"},
		{"select record from records where contains(notes, 'TEA')", "1"},
		{"select record from records where starts_with(notes, 'LIKES') and ends_with(notes, 'coffee')", "3"},
		{"select record, upper(site), length(notes) from records where lower(notes) = 'likes tea'", "1,NYC,9"},
		{"select record from records where year(dob) < 1960", "2"},
		{"select record, round(datediff(dob, date '2024-01-01', 'y')) as yrs from records where dob is not null and datediff(dob, date '2024-01-01', 'y') < 30", "10,19"},
		{"select record from records where missing(sbp)", "3"},
		{"select record, datediff(date '2024-03-01', visit_date, 'd'), datediff(date '2024-03-01', visit_date, 'd', true) from records where visit_date < '2024-03-01'", "1,29,-29 | 2,27,-27"},
		{"select record, coalesce(score, -1) from records where form = 'baseline'", "1,7 | 2,-1 | 3,3 | 10,9"},
		{"select record, score * 2 + 1 from records where score >= 7", "1,15 | 10,19"},
		{"select record from records where age is null and form = 'baseline'", "3"},
		{"select record from records where arm = 2 and form = 'enrollment'", "3"},
		{"select record, redcap_repeat_instance, med_name from records where form = 'medications'", "1,1,aspirin"},
		{"select record from records where instrument = 'medications'", "1"},
		{"select record from records where record = 10", "10"},
		{"select count(*) from records", "9"},
		{"select count(score), sum(score), avg(score), min(score), max(score) from records", "3,19,6.333333333333333,3,9"},
		{"select sex, count(*) from records where form = 'baseline' group by sex order by sex", "1,1 | 2,2 | 3,1"},
		{"select count(distinct sex) from records", "3"},
		{"select sum(distinct sex), avg(distinct sex), sum(sex), max(distinct sex) from records", "6,2,8,3"},
		{"select record, score from records where form = 'baseline' order by score desc", "2,∅ | 10,9 | 1,7 | 3,3"},
		{"select record, score from records where form = 'baseline' order by score", "3,3 | 1,7 | 10,9 | 2,∅"},
		{"select record from records where form = 'baseline' order by score limit 2 offset 1", "1 | 10"},
		{"select record from records where form = 'baseline' limit 2", "1 | 2"},
		{"select record, score from records where form = 'baseline' order by 2 desc, 1", "2,∅ | 10,9 | 1,7 | 3,3"},
		{"select record from records where sbp > 0 or score > 8", "1 | 1 | 2 | 10"},
		{"select record from records where form = 'baseline' and (score < 5 or score is null)", "2 | 3"},
		{"select record from records where form in ('visit', 'medications') and record = '1'", "1 | 1 | 1"},
		{"select record from records where form <> 'enrollment' and event = 'enrollment_arm_1'", "1"},
		{"select record, smoker from records where smoker = true", "1,1"},
		{"select record from records where consent_dt is null and form = 'enrollment'", "1 | 2 | 3 | 10"},
		{"select record from records where visit_date > '2024-02-02'", "1 | 2 | 3"},
	}
	for _, tt := range tests {
		_, got, _ := run(t, pl, tt.q, sample(t))
		if flat(got) != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.q, flat(got), tt.want)
		}
	}
}

func TestPipelineStats(t *testing.T) {
	pl := demoPlanner(t)
	_, _, st := run(t, pl, "select age from records", sample(t))
	if st.Invalid != 1 || len(st.Examples) != 1 || !strings.Contains(st.Examples[0], `"abc"`) || !strings.Contains(st.Examples[0], `record "3"`) {
		t.Errorf("invalid: %d %q", st.Invalid, st.Examples)
	}
	// limit without order by stops reading early.
	rows := sample(t)
	_, got, st := run(t, pl, "select record from records limit 2", rows)
	if len(got) != 2 || rows.read != 2 || !rows.closed {
		t.Errorf("limit 2: got %d rows, read %d, closed %v", len(got), rows.read, rows.closed)
	}
	if st.RowsOut != 2 {
		t.Errorf("RowsOut = %d", st.RowsOut)
	}
}

func TestPipelineColumns(t *testing.T) {
	pl := demoPlanner(t)
	cols, got, _ := run(t, pl, "select * from records where form = 'visit' and sbp > 140", sample(t))
	want := "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,visit_date,sbp,dbp,adverse_event,visit_time,visit_complete"
	if strings.Join(cols, ",") != want {
		t.Errorf("columns %v", cols)
	}
	if flat(got) != "2,week_4_arm_1,∅,∅,2024-02-03,145,∅,∅,∅,2" {
		t.Errorf("rows %s", flat(got))
	}
	cols, _, _ = run(t, pl, "select score as s, label(sex), [enrollment_arm_1][age] from records", sample(t))
	if strings.Join(cols, ",") != "s,label(sex),[enrollment_arm_1][age]" {
		t.Errorf("columns %v", cols)
	}
}

func TestPipelineEmpty(t *testing.T) {
	pl := demoPlanner(t)
	for _, q := range []string{
		"select * from records where record in ()",
		"select * from records where record = '1' and record = '2'",
		"select * from records where event = 'week_4_arm_1' and arm = 2",
	} {
		p := mustPlan(t, pl, q, nil)
		if !p.Empty {
			t.Errorf("%s: not empty", q)
		}
		rows := runPlan(context.Background(), p, nil)
		if rows.Next() || rows.Err() != nil {
			t.Errorf("%s: rows from an empty plan (err %v)", q, rows.Err())
		}
	}
}

// An aggregate over an empty pushed set still yields its one row, as SQL
// does over no rows: nothing is fetched, but the pipeline runs.
func TestPipelineEmptyAggregate(t *testing.T) {
	pl := demoPlanner(t)
	q := "select count(*), sum(score), count(distinct age) from records where record in ()"
	if !mustPlan(t, pl, q, nil).Empty {
		t.Fatal("plan not empty")
	}
	_, got, _ := run(t, pl, q, nil)
	if flat(got) != "0,∅,0" {
		t.Errorf("rows %q, want one row 0,∅,0", flat(got))
	}
	q = "select sex, count(*) from records where record in () group by sex"
	if _, got, _ := run(t, pl, q, nil); len(got) != 0 {
		t.Errorf("grouped aggregate over no rows gave %q, want no rows", flat(got))
	}
}

// Aggregates may sit inside expressions of the select list and of order by
// in a query that aggregates; group keys may be used inside expressions too
// (label(x) grouped by x).
func TestPipelineAggregateExpressions(t *testing.T) {
	for _, pl := range []*Planner{demoPlanner(t), demoPlanner(t, WithoutPushdown())} {
		tests := []struct {
			q    string
			cols string
			want string
		}{
			{"select round(avg(age), 1) from records", "round(avg(age), 1)", "43.3"},
			{"select max(score) - min(score), count(*) * 100 / 5 from records", "max(score) - min(score),count(*) * 100 / 5", "6,180"},
			{"select count(*) > 5 as many, sum(score) / count(score) from records", "many,sum(score) / count(score)", "true,6.333333333333333"},
			{"select coalesce(max(sbp), 0), -min(score) from records where form = 'visit'", "coalesce(max(sbp), 0),-min(score)", "145,∅"},
			{"select label(sex), count(*) from records where form = 'baseline' group by sex order by sex", "label(sex),count(*)", "Female,1 | Male,2 | Other,1"},
			{"select site, label(site), count(*) from records where form = 'baseline' group by site order by label(site) desc", "site,label(site),count(*)", "nyc,New York,2 | chi,Chicago,1 | bos,Boston,1"},
			{"select label(site) as s, count(*) from records where form = 'baseline' group by label(site) order by s", "s,count(*)", "Boston,1 | Chicago,1 | New York,2"},
			{"select sex, count(*) as n from records where form = 'baseline' group by sex order by count(*) desc, sex", "sex,n", "2,2 | 1,1 | 3,1"},
			{"select sex, round(avg(score)) from records where form = 'baseline' group by sex order by avg(score) desc", "sex,round(avg(score))", "2,9 | 1,7 | 3,3"},
			{"select site, max(score) - min(score) from records where form = 'baseline' group by site order by site", "site,max(score) - min(score)", "bos,∅ | chi,0 | nyc,2"},
			{"select upper(site), count(*) from records where form = 'baseline' group by upper(site) order by 1", "upper(site),count(*)", "BOS,1 | CHI,1 | NYC,2"},
			{"select sex = 2 as male, count(*) from records where form = 'baseline' group by sex order by sex", "male,count(*)", "false,1 | true,2 | false,1"},
			{"select sex, count(*) from records where form = 'baseline' group by sex order by max(age) - min(age) desc, sex limit 2", "sex,count(*)", "3,1 | 2,2"},
		}
		for _, tt := range tests {
			cols, got, _ := run(t, pl, tt.q, sample(t))
			if strings.Join(cols, ",") != tt.cols || flat(got) != tt.want {
				t.Errorf("%s\n got %s: %s\nwant %s: %s", tt.q, strings.Join(cols, ","), flat(got), tt.cols, tt.want)
			}
		}
	}
}

func TestPipelineSource(t *testing.T) {
	pl := demoPlanner(t)
	m := &memRows{cols: []string{"arm_num", "unique_event_name", "form"}}
	for _, f := range demoInfo().FEM {
		m.rows = append(m.rows, []string{strings.TrimSpace(string(rune('0' + f.Arm))), f.Event, f.Form})
	}
	_, got, _ := run(t, pl, "select unique_event_name, count(*) from fem where arm_num = 1 group by unique_event_name order by unique_event_name", m)
	if flat(got) != "enrollment_arm_1,3 | week_12_arm_1,1 | week_4_arm_1,1" {
		t.Errorf("fem: %s", flat(got))
	}
	m.i, m.closed = 0, false
	_, got, _ = run(t, pl, "select arm_num, unique_event_name from fem where form = 'visit' and arm_num > 1", m)
	if flat(got) != "2,week_4_arm_2" {
		t.Errorf("fem form column: %s", flat(got))
	}
}

func TestPipelineMissingColumn(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	p := mustPlan(t, pl, "select age from records where score > 1", nil)
	rows := runPlan(context.Background(), p, &memRows{cols: []string{"record_id", "score"}, rows: [][]string{{"1", "2"}}})
	if rows.Next() {
		t.Fatal("a row without the age column")
	}
	if err := rows.Err(); err == nil || !strings.Contains(err.Error(), `no column for field "age"`) {
		t.Errorf("err = %v", err)
	}
	// An empty export (no header at all) is just no rows.
	rows = runPlan(context.Background(), p, &memRows{})
	if rows.Next() || rows.Err() != nil {
		t.Errorf("empty export: err %v", rows.Err())
	}
}

func TestPipelineCancel(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	p := mustPlan(t, pl, "select record from records", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rows := runPlan(ctx, p, sample(t))
	if rows.Next() || rows.Err() != context.Canceled {
		t.Errorf("cancelled: err %v", rows.Err())
	}
}

func TestExplainJSON(t *testing.T) {
	pl := demoPlanner(t)
	p := mustPlan(t, pl, "explain analyze select age, score from records where score > 5 and form = 'baseline' and notes like 'a%'", nil)
	st := LocalStats{RowsRead: 10, RowsKept: 3, RowsOut: 3}
	run := ExplainOptions{Run: &RunStats{Local: &st, Fetch: &fetch.FetchStats{Calls: 2, Rows: 10}}}
	var doc struct {
		Calls []struct {
			Content     string         `json:"content"`
			Step        string         `json:"step"`
			RecordsFrom string         `json:"records_from"`
			Params      map[string]any `json:"params"`
		} `json:"calls"`
		Conjuncts []struct{ Source, Class, Pushed string } `json:"conjuncts"`
		Residual  string                                   `json:"residual"`
		Analyze   struct {
			Local struct {
				RowsRead int `json:"rows_read"`
			} `json:"local"`
		} `json:"analyze"`
	}
	if err := json.Unmarshal(p.ExplainJSONWith(run), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Calls) != 2 || doc.Calls[0].Content != "record" || doc.Calls[0].Step != "ids" || doc.Calls[0].Params["filterLogic"] != "[score] > 5" ||
		doc.Calls[1].Step != "batches" || doc.Calls[1].RecordsFrom != "ids" || doc.Calls[1].Params["filterLogic"] != nil {
		t.Errorf("calls %+v", doc.Calls)
	}
	if len(doc.Conjuncts) != 3 || doc.Conjuncts[2].Class != "local" || doc.Conjuncts[0].Class != "inexact" {
		t.Errorf("conjuncts %+v", doc.Conjuncts)
	}
	if doc.Analyze.Local.RowsRead != 10 || !strings.Contains(p.ExplainWith(run), "rows read: 10, kept: 3") {
		t.Errorf("analyze: %+v\n%s", doc.Analyze, p.ExplainWith(run))
	}
	if strings.Contains(p.Explain(), "rows read") {
		t.Errorf("the plan kept a run's figures:\n%s", p.Explain())
	}
}

// TestNowIsWallClock: now() and today() are the local wall clock, compared
// with stored values (which have no zone) as such.
func TestNowIsWallClock(t *testing.T) {
	d, err := client.NewDictionary(demoMeta, demoMissing)
	if err != nil {
		t.Fatal(err)
	}
	cet := time.FixedZone("CET", 3600)
	pl := New(catalog.New(d, demoInfo()), WithoutPushdown(), WithClock(func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, cet) }))
	rows := demoRows(t,
		"record_id=1;redcap_event_name=enrollment_arm_1;consent_dt=2026-11-26 09:30;dob=2026-11-26",
		"record_id=2;redcap_event_name=enrollment_arm_1;consent_dt=2026-11-26 10:30;dob=2026-11-25")
	_, got, _ := run(t, pl, "select record, consent_dt < now(), dob = today() from records", rows)
	if flat(got) != "1,true,true | 2,false,false" {
		t.Errorf("got %s", flat(got))
	}
}

func TestPipelineRecordsTogether(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	p := mustPlan(t, pl, "select record from records where [enrollment_arm_1][age] > 1", nil)
	rows := demoRows(t,
		"record_id=1;redcap_event_name=enrollment_arm_1;age=5",
		"record_id=2;redcap_event_name=enrollment_arm_1;age=5",
		"record_id=1;redcap_event_name=week_4_arm_1;sbp=100")
	out := runPlan(context.Background(), p, rows)
	for out.Next() {
	}
	if err := out.Err(); err == nil || !strings.Contains(err.Error(), `rows of record "1" are not together`) {
		t.Errorf("err = %v", err)
	}
}

// Ordering on the record id is REDCap's numeric-aware record order (the
// order rows arrive in); any other text orders by bytes.
func TestPipelineOrderRecord(t *testing.T) {
	ids := []string{"10", "2", "1", "100", "a", "02", "10-1", "B", "1a", "9"}
	var specs []string
	for i, id := range ids {
		specs = append(specs, "record_id="+id+";redcap_event_name=enrollment_arm_1;notes=n"+ids[len(ids)-1-i]+";enrollment_complete=2")
	}
	want := slices.Clone(ids)
	slices.SortStableFunc(want, redcaptest.CompareIDs) // the emulator's export order
	asc := strings.Join(want, " | ")
	if asc != "1 | 1a | 2 | 02 | 9 | 10 | 10-1 | 100 | B | a" {
		t.Fatalf("emulator order %s", asc)
	}
	slices.Reverse(want)
	desc := strings.Join(want, " | ")
	pl := demoPlanner(t)
	tests := []struct{ q, want string }{
		{"select record from records order by record", asc},
		{"select record_id from records order by record_id", asc},
		{"select record from records order by record desc", desc},
		{"select record as id from records order by id", asc},
		{"select record from records order by 1", asc},
		{"select notes from records order by record limit 3", "nB | n2 | n1a"},
		{"select record, count(*) from records group by record order by record limit 4", "1,1 | 1a,1 | 2,1 | 02,1"},
		{"select [enrollment_arm_1][record_id] from records order by 1 desc limit 3", "a | B | 9"}, // pinned: a value, ordered as text
		// other text: byte order
		{"select notes from records order by notes limit 4", "n02 | n1 | n10 | n10-1"},
		{"select upper(record) from records order by upper(record) limit 3", "02 | 1 | 10"},
	}
	for _, tt := range tests {
		_, got, _ := run(t, pl, tt.q, demoRows(t, specs...))
		if flat(got) != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.q, flat(got), tt.want)
		}
	}
}

// Values that do not fit their field are null and counted with examples
// (record, field, value) whether the query selects them, filters on them
// (residual), orders or aggregates by them, or reads them pinned; values
// the query does not read are not typed, so not counted.
func TestPipelineInvalid(t *testing.T) {
	rows := func() *memRows {
		return demoRows(t,
			"record_id=1;redcap_event_name=enrollment_arm_1;sex=1;age=abc;score=x1;dob=2024-13-45;race___1=0;race___2=7;race___3=0;race____1=0;race___oth=0;race___na=0;race___unk=0;baseline_complete=2",
			"record_id=1;redcap_event_name=week_4_arm_1;sbp=high;visit_time=25:99;visit_complete=2",
			"record_id=2;redcap_event_name=enrollment_arm_1;sex=2;age=30;score=4;dob=2000-01-01;race___1=1;race___2=0;race___3=0;race____1=0;race___oth=0;race___na=0;race___unk=0;baseline_complete=2",
			"record_id=2;redcap_event_name=week_4_arm_1;sbp=120;visit_time=09:00;visit_complete=2",
		)
	}
	const (
		age   = `record "1", field "age": value "abc"`
		score = `record "1", field "score": value "x1"`
		dob   = `record "1", field "dob": value "2024-13-45"`
		race  = `record "1", field "race"`
		sbp   = `record "1", field "sbp": value "high"`
		vtime = `record "1", field "visit_time": value "25:99"`
	)
	tests := []struct {
		q        string
		rows     string
		invalid  int64
		examples []string
	}{
		{"select age from records where form = 'baseline'", "∅ | 30", 1, []string{age}},
		{"select record from records where age > 5", "2", 1, []string{age}},
		{"select record from records where score > 1 and age < 100", "2", 2, []string{score, age}},
		{"select record, age from records where score is null and form = 'baseline'", "1,∅", 2, []string{score, age}},
		{"select record from records where dob < '2010-01-01'", "2", 1, []string{dob}},
		{"select record from records where race has '1'", "2", 1, []string{race}},
		{"select record from records where sbp > 100 or visit_time < '10:00'", "2", 2, []string{sbp, vtime}},
		{"select record, sbp from records where [enrollment_arm_1][age] > 5 and form = 'visit'", "2,120", 2, []string{age, sbp}},
		{"select record from records where form = 'baseline' order by score", "2 | 1", 1, []string{score}},
		{"select count(*), avg(score), max(age) from records", "4,4,30", 2, []string{score, age}},
		{"select sex, count(*) from records where form = 'baseline' group by sex order by sex", "1,1 | 2,1", 0, nil},
		{"select record from records where sex = 1", "1", 0, nil},
	}
	for _, pl := range []*Planner{demoPlanner(t), demoPlanner(t, WithoutPushdown())} {
		for _, tt := range tests {
			_, got, st := run(t, pl, tt.q, rows())
			if flat(got) != tt.rows {
				t.Errorf("%s: rows %s, want %s", tt.q, flat(got), tt.rows)
			}
			ok := st.Invalid == tt.invalid && len(st.Examples) == len(tt.examples)
			for i := 0; ok && i < len(tt.examples); i++ {
				ok = strings.HasPrefix(st.Examples[i], tt.examples[i])
			}
			if !ok {
				t.Errorf("%s: invalid %d %q, want %d %q", tt.q, st.Invalid, st.Examples, tt.invalid, tt.examples)
			}
		}
	}
}
