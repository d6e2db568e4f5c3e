package planner

import (
	"errors"
	"testing"

	"github.com/redcapql/rq/lang"
)

func TestCheckErrors(t *testing.T) {
	pl := demoPlanner(t)
	tests := []struct {
		q      string
		params map[string]string
		pos    string // line:col
		msg    string
	}{
		{q: "select scroe from records", pos: "1:8", msg: "no field 'scroe'; did you mean 'score'?"},
		{q: "select age from records where form = 'baseline_arm_1'", pos: "1:38", msg: "no form 'baseline_arm_1'; did you mean 'baseline'?"},
		{q: "select age from records where form = 'enrollment_arm_1'", pos: "1:38", msg: "no form 'enrollment_arm_1'; did you mean event = 'enrollment_arm_1'?"},
		{q: "select age from records where form = 'week_4'", pos: "1:38", msg: "no form 'week_4'; did you mean event = 'week_4_arm_1'?"},
		{q: "select age from records where form = 'score'", pos: "1:38", msg: "no form 'score'; 'score' is a field of form 'baseline'"},
		{q: "select age from records where event = 'baseline'", pos: "1:39", msg: "no event 'baseline'; did you mean form = 'baseline'?"},
		{q: "select age from records where event = 'week_4_arm_3'", pos: "1:39", msg: "no event 'week_4_arm_3'; did you mean 'week_4_arm_1'?"},
		{q: "select age from records where arm = 3", pos: "1:37", msg: "no arm 3 (arms: 1, 2)"},
		{q: "select age from records where arm = 'Control'", pos: "1:37", msg: "arm 'Control' is an arm name: write arm = 2"},
		{q: "select age from records where score > 'abc'", pos: "1:39", msg: "'abc' is not a number (score is a number field)"},
		{q: "select age from records where dob < '2024-13-01'", pos: "1:37", msg: "'2024-13-01' is not a date (YYYY-MM-DD) (dob is a date field)"},
		{q: "select age from records where consent_dt > 'yesterday'", pos: "1:44", msg: "'yesterday' is not a datetime (YYYY-MM-DD HH:MM[:SS]) (consent_dt is a datetime field)"},
		{q: "select age from records where visit_time > '25:99'", pos: "1:44", msg: "'25:99' is not a time (visit_time is a time field)"},
		{q: "select age from records where sex = 'Female'", pos: "1:37", msg: "'Female' is a label of sex, not a code: write label(sex) = 'Female' or sex = 1"},
		{q: "select age from records where site = 'Boston'", pos: "1:38", msg: "'Boston' is a label of site, not a code: write label(site) = 'Boston' or site = 'bos'"},
		{q: "select age from records where sex = 7", pos: "1:37", msg: "7 is not a code of sex (codes: 1 Female, 2 Male, 3 Other)"},
		{q: "select age from records where smoker = 'yes'", pos: "1:40", msg: "'yes' is a label of smoker, not a code: write label(smoker) = 'Yes' or smoker = 1"},
		{q: "select age from records where sex = 'NA'", pos: "1:37", msg: "'NA' is a missing-data code, which reads as null: use missing(sex)"},
		{q: "select age from records where race = '2'", pos: "1:36", msg: "race is a checkbox: use race has '1' (or has any / has all)"},
		{q: "select age from records where race has 'White'", pos: "1:40", msg: "'White' is a label of race, not a code: write race has '1'"},
		{q: "select age from records where race has 'NA'", pos: "1:40", msg: "'NA' is a missing-data code, which reads as null: use missing(race)"},
		{q: "select age from records where race has 'unk'", pos: "1:40", msg: "'unk' is a missing-data code, which reads as null: use missing(race)"},
		{q: "select age from records where race has any ('1', 'UNK')", pos: "1:50", msg: "'UNK' is a missing-data code, which reads as null: use missing(race)"},
		{q: "select age from records where race has all ('1', 'NA')", pos: "1:50", msg: "'NA' is a missing-data code, which reads as null: use missing(race)"},
		{q: "select age from records where race has '7'", pos: "1:40", msg: "'7' is not a code of race (codes: 1 White, 2 Black, 3 Asian, -1 Unknown, oth Other)"},
		{q: "select age from records where race has '9'", pos: "1:40", msg: "'9' is not a code of race (codes: 1 White, 2 Black, 3 Asian, -1 Unknown, oth Other)"},
		{q: "select age from records where score has '1'", pos: "1:37", msg: "has applies to checkbox fields; score is a number"},
		{q: "select age from records where notes ~ '('", pos: "1:39", msg: "bad regular expression '(': error parsing regexp: missing closing ): `(`"},
		{q: "select age from records where score > $min", pos: "1:39", msg: "missing parameter $min"},
		{q: "select age from records where score > $min", params: map[string]string{"min": "five"}, pos: "1:39", msg: "'five' is not a number (score is a number field)"},
		{q: "select age from records where [baseline_arm_1][age] > 5", pos: "1:31", msg: "no event 'baseline_arm_1' (events: enrollment_arm_1, week_4_arm_1, week_12_arm_1, enrollment_arm_2, week_4_arm_2)"},
		{q: "select age from records where [week_4_arm_1][age] > 5", pos: "1:31", msg: "[week_4_arm_1][age]: form 'baseline' of field 'age' is not designated on event 'week_4_arm_1' (it is on enrollment_arm_1, enrollment_arm_2)"},
		{q: "select age from records where [enrollment_arm_1][med_dose] > 5", pos: "1:31", msg: "[enrollment_arm_1][med_dose]: 'med_dose' is on repeating instrument 'medications', which has no single value per event"},
		{q: "select lowr(notes) from records", pos: "1:8", msg: "no function lowr; did you mean lower?"},
		{q: "select age from records where count(*) > 1", pos: "1:31", msg: "aggregate count(...) is only allowed in the select list (and in order by of a query that aggregates)"},
		{q: "select age, count(*) from records", pos: "1:8", msg: "age must be in group by or inside an aggregate"},
		{q: "select round(avg(age), 1) + age from records", pos: "1:29", msg: "age must be in group by or inside an aggregate"},
		{q: "select avg(count(*)) from records", pos: "1:12", msg: "aggregates cannot be nested"},
		{q: "select round(avg(max(age))) from records", pos: "1:18", msg: "aggregates cannot be nested"},
		{q: "select sex, count(*) from records group by sex order by age", pos: "1:57", msg: "age must be in group by or inside an aggregate"},
		{q: "select label(site), count(*) from records group by sex", pos: "1:14", msg: "site must be in group by or inside an aggregate"},
		{q: "select age from records order by max(age)", pos: "1:34", msg: "aggregate max(...) is only allowed in the select list (and in order by of a query that aggregates)"},
		{q: "select sum(notes) from records", pos: "1:12", msg: "sum needs numbers, not text (notes)"},
		{q: "select age from records where datediff(dob, today(), 'w') > 1", pos: "1:54", msg: "datediff unit must be one of 'y', 'M', 'd', 'h', 'm', 's', not 'w'"},
		{q: "select age from records where notes <> ''", pos: "1:40", msg: "a blank value is null, so = '' and <> '' are never true; use is null or is not null"},
		{q: "select age from records where coalesce(race) = '1'", pos: "1:46", msg: "coalesce(race) is a set of checkbox codes: test it with has, has any or has all"},
		{q: "select age from records where coalesce(race) has '1'", pos: "1:46", msg: "has applies to a checkbox field itself, not to coalesce(race)"},
		{q: "select age from records where score = null", pos: "1:39", msg: "a comparison with null is never true; use is null or is not null"},
		{q: "select age from records where dag = 'site_c'", pos: "1:37", msg: "no data access group 'site_c'; did you mean 'site_a'?"},
		{q: "select age from records where instrument = 'meds'", pos: "1:44", msg: "no form 'meds' (forms: enrollment, baseline, visit, medications)"},
		{q: "select age from records where score", pos: "1:31", msg: "score is a number, not a condition; did you mean score = 1?"},
		{q: "select age from records where dob > score", pos: "1:37", msg: "cannot compare date with number (score)"},
		{q: "select age from records limit $n", params: map[string]string{"n": "-1"}, pos: "1:31", msg: "limit must be a whole number ≥ 0, not '-1'"},
		{q: "select baseline from records", pos: "1:8", msg: "no field 'baseline'; 'baseline' is a form: use form = 'baseline'"},
		{q: "select * from records where form like 'b%'", pos: "1:34", msg: "form takes = , <>, in or not in with form names, not like"},
		{q: "select label(age) from records", pos: "1:14", msg: "label(age): age has no choice labels"},
		{q: "select field_nam from metadata", pos: "1:8", msg: "no column 'field_nam'; did you mean 'field_name'?"},
		{q: "select age from records order by 3", pos: "1:34", msg: "order by 3: a literal must be a column number from 1 to 1"},
		{q: "select * from records order by count(*)", pos: "1:32", msg: "aggregate count(...) is only allowed in the select list (and in order by of a query that aggregates)"},
	}
	for _, tt := range tests {
		stmt, err := lang.Parse(tt.q)
		if err != nil {
			t.Errorf("parse %q: %v", tt.q, err)
			continue
		}
		_, err = pl.Plan(stmt, tt.params)
		var le *lang.Error
		if !errors.As(err, &le) {
			t.Errorf("%s: error %v (%T), want *lang.Error", tt.q, err, err)
			continue
		}
		pos := le.Pos.String()
		if pos != tt.pos || le.Msg != tt.msg {
			t.Errorf("%s:\n got %s: %s\nwant %s: %s", tt.q, pos, le.Msg, tt.pos, tt.msg)
		}
	}
}

func TestClassicErrors(t *testing.T) {
	pl := classicPlanner(t)
	for _, tt := range []struct{ q, msg string }{
		{"select age from records where event = 'x'", "event: the project is not longitudinal (it has no events or arms)"},
		{"select age from records where [e][age] > 1", "[e][age]: the project is not longitudinal, so references cannot name an event"},
		{"select age from records where arm = 1", "arm: the project is not longitudinal (it has no events or arms)"},
	} {
		stmt, err := lang.Parse(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = pl.Plan(stmt, nil)
		var le *lang.Error
		if !errors.As(err, &le) || le.Msg != tt.msg {
			t.Errorf("%s: got %v, want %s", tt.q, err, tt.msg)
		}
	}
}

func TestParams(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	stmt, err := lang.Parse("select record from records where score > $min and site = $site limit $n")
	if err != nil {
		t.Fatal(err)
	}
	p, err := pl.Plan(stmt, map[string]string{"min": "5", "site": "nyc", "n": "10"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ResidualString(); got != "score > '5' and site = 'nyc'" {
		t.Errorf("residual %q", got)
	}
	_, rows, _ := run(t, pl, "select record from records where score > 5 and site = 'nyc'", sample(t))
	out := runPlan(t.Context(), p, sample(t))
	var got []string
	for out.Next() {
		got = append(got, out.Row()[0].String())
	}
	if len(got) != len(rows) || len(got) != 2 {
		t.Errorf("params: %v vs %v", got, rows)
	}
	if stmt.Where.String() != "score > $min and site = $site" {
		t.Errorf("the statement was modified: %s", stmt.Where)
	}
}

// TestBuilder plans a statement built with the Go builder (no positions)
// exactly as the parsed one.
func TestBuilder(t *testing.T) {
	pl := demoPlanner(t)
	built := &lang.Select{
		Items: []*lang.SelectItem{{Expr: lang.Field("age").Expr}, {Expr: lang.Field("score").Expr}},
		From:  &lang.Source{Name: "records"},
		Where: lang.Field("score").Gt(5).And(lang.Form("baseline")).Expr,
	}
	p, err := pl.Plan(built, nil)
	if err != nil {
		t.Fatal(err)
	}
	parsed := mustPlan(t, pl, "select age, score from records where score > 5 and form = 'baseline'", nil)
	if p.Explain() != parsed.Explain() {
		t.Errorf("builder plan:\n%s\nparsed plan:\n%s", p.Explain(), parsed.Explain())
	}
	_, err = pl.Plan(&lang.Select{Items: []*lang.SelectItem{{Expr: lang.Field("scroe").Expr}}, From: &lang.Source{Name: "records"}}, nil)
	if err == nil || err.Error() != "no field 'scroe'; did you mean 'score'?" {
		t.Errorf("builder error: %v", err)
	}
}
