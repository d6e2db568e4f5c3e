package planner

import (
	"encoding/json"
	"github.com/redcapql/rq/planner/fetch"
	"strconv"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// TestEmptyCodeLists: has any () is true of no row, so no call is made;
// has all () holds on every non-null checkbox and is evaluated locally. No
// plan sends "()" as filterLogic (REDCap fails on it).
func TestEmptyCodeLists(t *testing.T) {
	tests := []struct {
		query string
		empty bool
	}{
		{"select record from records where race has any ()", true},
		{"select record from records where race has any () and score > 5", true},
		{"select record from records where [enrollment_arm_1][race] has any ()", true},
		{"select record from records where race has all ()", false},
		{"select record from records where race has all () and score > 5", false},
		{"select record from records where race has any () or score > 5", false},
		{"select record from records where not (race has all ())", false},
	}
	pl := demoPlanner(t)
	for _, tt := range tests {
		p := mustPlan(t, pl, tt.query, nil)
		if p.Empty != tt.empty {
			t.Errorf("%s: Empty = %v, want %v\n%s", tt.query, p.Empty, tt.empty, p.Explain())
		}
		for _, logic := range []string{p.Export.FilterLogic, p.RecordFilter} {
			if strings.Contains(logic, "()") {
				t.Errorf("%s: pushes %q", tt.query, logic)
			}
		}
	}
}

// TestEmptyCodeListsRun checks the rows of empty code lists through the
// demo server: has any () returns nothing, has all () every row whose
// checkbox is not null.
func TestEmptyCodeListsRun(t *testing.T) {
	c, pl, off := demoClient(t, 30)
	tests := []struct {
		query string
		rows  func(all int) bool
	}{
		{"select record, race from records where race has any ()", func(n int) bool { return n == 0 }},
		{"select record, race from records where race has all ()", func(n int) bool { return n > 0 }},
	}
	for _, tt := range tests {
		p := mustPlan(t, pl, tt.query, nil)
		got := collect(t, runPlan(t.Context(), p, fetchPlan(t, c, p)))
		ref := mustPlan(t, off, tt.query, nil)
		want := collect(t, runPlan(t.Context(), ref, fetchPlan(t, c, ref)))
		if strings.Join(got, "\n") != strings.Join(want, "\n") || !tt.rows(len(got)) {
			t.Errorf("%s: %d rows with pushdown, %d without", tt.query, len(got), len(want))
		}
		for _, r := range got {
			if strings.HasSuffix(r, "|0:") { // KindNull race
				t.Errorf("%s: row with a null checkbox: %s", tt.query, r)
			}
		}
	}
}

// keywordFieldsPlanner is a classic project whose fields are named like the
// pseudo-columns: record, event, form, arm, dag (and order, a keyword).
func keywordFieldsPlanner(t testing.TB) *Planner {
	t.Helper()
	var meta []client.MetadataField
	for _, n := range []string{"pid", "event", "form", "order", "record", "arm", "dag"} {
		meta = append(meta, client.MetadataField{FieldName: n, FormName: "f", FieldType: "text", FieldLabel: n})
	}
	d, err := client.NewDictionary(meta, "")
	if err != nil {
		t.Fatal(err)
	}
	return New(catalog.New(d, catalog.Design{}))
}

// TestStarKeywordFields: select * lists project fields by their own names,
// a field named record included; bracketed names are fields, bare ones the
// pseudo-columns.
func TestStarKeywordFields(t *testing.T) {
	pl := keywordFieldsPlanner(t)
	data := func() *memRows {
		return &memRows{cols: []string{"pid", "event", "form", "order", "record", "arm", "dag", "f_complete"},
			rows: [][]string{{"7", "e", "fo", "o", "r", "a", "d", "2"}}}
	}
	tests := []struct{ query, cols, row string }{
		{"select * from records", "pid,event,form,order,record,arm,dag,f_complete", "7,e,fo,o,r,a,d,2"},
		{"select record, [record] from records", "record,record", "7,r"},
		{"select [record] from records where [record] = 'r'", "record", "r"},
	}
	for _, tt := range tests {
		cols, rows, _ := run(t, pl, tt.query, data())
		if strings.Join(cols, ",") != tt.cols || flat(rows) != tt.row {
			t.Errorf("%s: columns %v rows %s, want %s / %s", tt.query, cols, flat(rows), tt.cols, tt.row)
		}
	}
}

// TestUpperCasePseudoColumns: the pseudo-columns are keywords, so their
// case does not matter; the plan is the lower-case query's.
func TestUpperCasePseudoColumns(t *testing.T) {
	pl := demoPlanner(t)
	tests := []struct{ upper, lower string }{
		{"SELECT COUNT(*) FROM RECORDS WHERE FORM = 'baseline'", "select count(*) from records where form = 'baseline'"},
		{"select RECORD from records where Record in ('1', '2')", "select record from records where record in ('1', '2')"},
		{"select record from records where EVENT = 'week_4_arm_1' and ARM = 1", "select record from records where event = 'week_4_arm_1' and arm = 1"},
		{"select record, DAG from records where DAG = 'site_a'", "select record, dag from records where dag = 'site_a'"},
		{"select record, Instance, INSTRUMENT from records where Form = 'medications'", "select record, instance, instrument from records where form = 'medications'"},
		// field names too: REDCap's are lower case and it matches them in any case
		{"select AGE from records where Score > 5 and [SEX] = 1", "select age from records where score > 5 and sex = 1"},
	}
	for _, tt := range tests {
		up, low := mustPlan(t, pl, tt.upper, nil), mustPlan(t, pl, tt.lower, nil)
		if !sameCalls(up, low) || len(up.residual) != len(low.residual) {
			t.Errorf("%s plans differently from %s:\n%s\n%s", tt.upper, tt.lower, up.Explain(), low.Explain())
		}
	}
	for _, bad := range []string{"select [FORM] from records", "select [RECORD] from records"} {
		stmt, err := lang.Parse(bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pl.Plan(stmt, nil); err == nil || !strings.Contains(err.Error(), "no field") {
			t.Errorf("%s: error %v, want no field (a bracketed name is a field, never a pseudo-column)", bad, err)
		}
	}
}

// sameCalls reports whether two plans make the same API calls.
func sameCalls(a, b *Plan) bool {
	da, db := a.Describe(), b.Describe()
	ja, _ := json.Marshal(da.Calls)
	jb, _ := json.Marshal(db.Calls)
	return a.Empty == b.Empty && string(ja) == string(jb) && len(da.Conjuncts) == len(db.Conjuncts)
}

// TestContradictions: conjuncts that bound one column to an empty range
// make an empty plan (no call); ranges that can hold make a call.
func TestContradictions(t *testing.T) {
	tests := []struct {
		query string
		empty bool
	}{
		{"select record from records where score > 5 and score < 3", true},
		{"select record from records where 3 > score and score > 5", true},
		{"select record from records where score >= 5 and score < 5", true},
		{"select record from records where score >= 5 and score <= 5", false},
		{"select record from records where score > 5 and score <= 5", true},
		{"select record from records where age = 20 and age = 30", true},
		{"select record from records where age = 20 and age = 20", false},
		{"select record from records where age between 30 and 40 and age < 30", true},
		{"select record from records where age between 40 and 30", true},
		{"select record from records where dob > '2001-01-01' and dob < date '2000-06-01'", true},
		{"select record from records where dob > '2000-01-01' and dob < date '2000-06-01'", false},
		{"select record from records where [enrollment_arm_1][age] > 50 and [enrollment_arm_1][age] < 40", true},
		{"select record from records where [enrollment_arm_1][age] > 50 and age < 40", false},
		{"select record from records where score > 5 or score < 3", false},
		{"select record from records where score > 5 and age < 3", false},
		{"select record from records where notes > 'b' and notes < 'a'", false}, // text: not analysed
		{"select count(*) from records where score > 5 and score < 3", true},
	}
	pl := demoPlanner(t)
	for _, tt := range tests {
		p := mustPlan(t, pl, tt.query, nil)
		if p.Empty != tt.empty {
			t.Errorf("%s: Empty = %v, want %v\n%s", tt.query, p.Empty, tt.empty, p.Explain())
		}
		if off := mustPlan(t, demoPlanner(t, WithoutPushdown()), tt.query, nil); off.Empty {
			t.Errorf("%s: empty without pushdown", tt.query)
		}
	}
}

// TestExplainAnalyzeNoCall: explain analyze of a query that makes no call
// says calls: 0.
func TestExplainAnalyzeNoCall(t *testing.T) {
	pl := demoPlanner(t)
	for _, q := range []string{
		"explain analyze select record from records where record in ()",
		"explain analyze select count(*) from records where score > 5 and score < 3",
	} {
		p := mustPlan(t, pl, q, nil)
		rows := runPlan(t.Context(), p, fetch.NewTableRows(nil, nil))
		collect(t, rows)
		st := rows.Stats()
		run := ExplainOptions{Run: &RunStats{Local: &st}}
		if ex := p.ExplainWith(run); !strings.Contains(ex, "calls: 0 ") || !strings.Contains(ex, "no call: ") {
			t.Errorf("%s:\n%s", q, ex)
		}
		if js := string(p.ExplainJSONWith(run)); !strings.Contains(js, `"calls": 0`) {
			t.Errorf("%s: JSON %s", q, js)
		}
	}
}

// TestParamConversion: parameter text is converted by context: true and
// false are booleans where a number or boolean is expected (a yesno field),
// text elsewhere; null is the null value.
func TestParamConversion(t *testing.T) {
	pl := demoPlanner(t)
	tests := []struct {
		query  string
		params map[string]string
		logic  string // pushed filterLogic, or "error: ..." for an error
	}{
		{"select record from records where smoker = $b", map[string]string{"b": "true"}, "[smoker] = 1"},
		{"select record from records where smoker = $b", map[string]string{"b": "FALSE"}, "[smoker] = 0"},
		{"select record from records where smoker = $b", map[string]string{"b": "1"}, "[smoker] = 1"},
		{"select record from records where adverse_event <> $b", map[string]string{"b": "false"}, "([adverse_event] <> '' and [adverse_event] <> 0)"},
		{"select record from records where notes = $b", map[string]string{"b": "true"}, "[notes] = 'true'"},
		{"select record from records where (score > 5) = $b", map[string]string{"b": "true"}, ""},
		{"select record from records where age > $b", map[string]string{"b": "true"}, "[age] > 1"},
		{"select record from records where $n is null and score > 5", map[string]string{"n": "null"}, "[score] > 5"},
		{"select record from records where coalesce($n, 1) = 1", map[string]string{"n": "NULL"}, ""},
		{"select record from records where smoker = $b", map[string]string{"b": "maybe"}, "error: 'maybe' is not a code of smoker"},
		{"select record from records where age > $n", map[string]string{"n": "null"}, "error: a comparison with null is never true"},
	}
	for _, tt := range tests {
		stmt, err := lang.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		p, err := pl.Plan(stmt, tt.params)
		if want, isErr := strings.CutPrefix(tt.logic, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %v: error %v, want %q", tt.query, tt.params, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %v: %v", tt.query, tt.params, err)
			continue
		}
		if p.Export.FilterLogic != tt.logic {
			t.Errorf("%s %v: filterLogic %q, want %q", tt.query, tt.params, p.Export.FilterLogic, tt.logic)
		}
	}
	// The rows: smoker = $b with b=true keeps the smokers, as smoker = true.
	rowsOf := func(q string, params map[string]string) string {
		p := mustPlan(t, pl, q, params)
		return strings.Join(collect(t, runPlan(t.Context(), p, sample(t))), "\n")
	}
	if got, want := rowsOf("select record from records where smoker = $b", map[string]string{"b": "true"}),
		rowsOf("select record from records where smoker = true", nil); got != want || got == "" {
		t.Errorf("smoker = $b (true): %q, smoker = true: %q", got, want)
	}
	if got := rowsOf("select record from records where $n is null and form = 'baseline'", map[string]string{"n": "null"}); strings.Count(got, "\n") < 2 {
		t.Errorf("$n is null with n=null: rows %q", got)
	}
}

// TestBooleanOutput: a condition selected as a value is a boolean
// (client.KindBool: true, false or null), in plain and aggregate queries,
// while it still orders and groups as before.
func TestBooleanOutput(t *testing.T) {
	pl := demoPlanner(t)
	tests := []struct{ query, want string }{
		{"select record, score > 5 as hi, missing(weight) as m from records where form = 'baseline'", "1,true,false | 2,∅,false | 3,false,false | 10,true,false"},
		{"select record, race has '2', contains(notes, 'tea') from records where form = 'baseline'", "1,true,true | 2,false,∅ | 3,true,false | 10,false,∅"},
		{"select score > 5 as hi, count(*) from records where form = 'baseline' group by score > 5 order by hi", "false,1 | true,2 | ∅,1"},
		{"select record, age from records where form = 'baseline' order by age > 30, record", "10,20 | 1,40 | 2,70 | 3,∅"},
		{"select max(score > 5), sum(score > 5) from records", "true,2"},
	}
	for _, tt := range tests {
		p := mustPlan(t, pl, tt.query, nil)
		rows := runPlan(t.Context(), p, sample(t))
		var got []string
		for rows.Next() {
			var cells []string
			for i, v := range rows.Row() {
				s := v.String()
				if v.Kind == client.KindNull {
					s = "∅"
				}
				if (s == "true" || s == "false") != (v.Kind == client.KindBool) {
					t.Errorf("%s: column %d %q is %s", tt.query, i, s, v.Kind)
				}
				if b, ok := v.Any().(bool); ok && strconv.FormatBool(b) != s {
					t.Errorf("%s: Any() %v, String() %q", tt.query, b, s)
				}
				cells = append(cells, s)
			}
			got = append(got, strings.Join(cells, ","))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if g := strings.Join(got, " | "); g != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.query, g, tt.want)
		}
	}
}

// TestArithmeticTypes: arithmetic takes numbers; a free-text field (or the
// record id) may hold numbers, but choice codes, text functions and dates
// are type errors.
func TestArithmeticTypes(t *testing.T) {
	pl := demoPlanner(t)
	tests := []struct{ query, err string }{
		{"select age + site from records", "+ needs numbers, not text (site)"},
		{"select age * lower(notes) from records", "* needs numbers, not text (lower(notes))"},
		{"select -label(sex) from records", "- needs numbers, not text (label(sex))"},
		{"select dob + 1 from records", "+ needs numbers, not date (dob)"},
		{"select age + notes from records", ""},
		{"select record + 1 from records", ""},
		{"select age + sex from records", ""}, // numeric codes: a number
		{"select age + '2' from records", ""},
		{"select age + 'x' from records", "'x' is not a number"},
	}
	for _, tt := range tests {
		stmt, err := lang.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = pl.Plan(stmt, nil)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: error %v, want %q", tt.query, err, tt.err)
		}
	}
}

// TestAggregateChecks: min and max need values that order (not a
// checkbox's code set); group by N is the N-th select item, as order by N.
func TestAggregateChecks(t *testing.T) {
	pl := demoPlanner(t)
	errs := []struct{ query, err string }{
		{"select min(race) from records", "min needs values that order, not codeset (race); use count(race) or a checkbox column like race___1"},
		{"select max(race) from records group by sex", "max needs values that order"},
		{"select sum(race) from records", "sum needs numbers, not codeset"},
		{"select sex, count(*) from records group by 3", "group by 3: a literal must be a column number from 1 to 2"},
		{"select sex, count(*) from records group by 0", "group by 0: a literal must be a column number from 1 to 2"},
		{"select sex, count(*) from records group by 1.5", "group by 1.5: a literal must be a column number"},
		{"select sex, count(*) from records group by 'sex'", "group by 'sex': a literal must be a column number"},
		{"select sex, count(*) from records group by 2", "group by 2: column 2 is count(*), which cannot be grouped by"},
	}
	for _, tt := range errs {
		stmt, err := lang.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pl.Plan(stmt, nil); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want %q", tt.query, err, tt.err)
		}
	}
	same := []struct{ numbered, named string }{
		{"select sex, count(*) from records where form = 'baseline' group by 1 order by 1",
			"select sex, count(*) from records where form = 'baseline' group by sex order by sex"},
		{"select label(site), score > 5, count(*) from records where form = 'enrollment' group by 1, 2 order by 1, 2",
			"select label(site), score > 5, count(*) from records where form = 'enrollment' group by label(site), score > 5 order by 1, 2"},
		{"select min(race___2), max(age) from records", "select min(race___2), max(age) from records"},
	}
	for _, tt := range same {
		_, a, _ := run(t, pl, tt.numbered, sample(t))
		_, b, _ := run(t, pl, tt.named, sample(t))
		if flat(a) != flat(b) || len(a) == 0 {
			t.Errorf("%s: %s\n%s: %s", tt.numbered, flat(a), tt.named, flat(b))
		}
	}
}

// TestDecimalSums: sum and avg of decimal values are the exact decimal
// results (no binary noise), falling back to a compensated float sum for
// values too large or too precise to scale.
func TestDecimalSums(t *testing.T) {
	tests := []struct {
		vals      []string
		sum, mean string
	}{
		{[]string{"0.1", "0.2"}, "0.3", "0.15"},
		{[]string{"974.2", "0.1"}, "974.3", "487.15"},
		{[]string{"0.1", "0.1", "0.1"}, "0.3", "0.1"},
		{[]string{"1.005", "2.3", "-0.305"}, "3", "1"},
		{[]string{"10", "20", "30.5"}, "60.5", "20.166666666666668"},
		{[]string{"1e20", "1", "-1e20"}, "1", "0.3333333333333333"},
		{[]string{"0.1234567891234", "0.1"}, "0.2234567891234", "0.1117283945617"},
		{[]string{"-7.25"}, "-7.25", "-7.25"},
	}
	for _, tt := range tests {
		d, err := client.NewDictionary([]client.MetadataField{
			{FieldName: "id", FormName: "f", FieldType: "text"},
			{FieldName: "x", FormName: "f", FieldType: "text", TextValidationTypeOrShowSliderNumber: "number"},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		pl := New(catalog.New(d, catalog.Design{}))
		raw := &memRows{cols: []string{"id", "x", "f_complete"}}
		for i, v := range tt.vals {
			raw.rows = append(raw.rows, []string{strconv.Itoa(i + 1), v, "0"})
		}
		_, rows, _ := run(t, pl, "select sum(x), avg(x) from records", raw)
		if got := flat(rows); got != tt.sum+","+tt.mean {
			t.Errorf("sum, avg of %v = %s, want %s,%s", tt.vals, got, tt.sum, tt.mean)
		}
	}
}
