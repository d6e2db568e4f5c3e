package planner

import (
	"flag"
	"github.com/redcapql/rq/planner/catalog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// longPlanner is the demo project without its repeating instrument: a
// longitudinal project where every row is evaluated by filterLogic.
func longPlanner(t testing.TB, opts ...Option) *Planner {
	pl := demoPlanner(t)
	info := demoInfo()
	info.Repeating = nil
	return New(catalog.New(pl.cat.Dictionary(), info), append([]Option{WithClock(pl.now)}, opts...)...)
}

// goldenPlans pins the plan (API parameters, classes, residual) of queries:
// testdata/plans/<name>.golden holds the query, Explain() and ExplainJSON().
var goldenPlans = []struct {
	name, planner, query string
	params               map[string]string
}{
	{"headline", "demo", "select age, score from records where score > 5 and form = 'baseline'", nil},
	{"number_ne", "demo", "select record from records where score <> 5", nil},
	{"number_ops", "demo", "select record from records where age >= 18 and weight < 90.5 and height <= 200 and bmi = 25", nil},
	{"number_flipped", "demo", "select record from records where 5 < score", nil},
	{"number_in", "demo", "select record from records where age in (20, 30, 40)", nil},
	{"number_not_in", "demo", "select record from records where age not in (20, 30)", nil},
	{"between", "demo", "select record from records where score > 5 and age between 18 and 65", nil},
	{"between_text_literals", "demo", "select record from records where age between '18' and '65'", nil},
	{"not_between", "demo", "select record from records where age not between 18 and 65", nil},
	{"is_null_local", "demo", "select record from records where score is null", nil},
	{"is_not_null", "demo", "select record from records where score is not null", nil},
	{"text_eq", "demo", "select record from records where notes = 'likes tea'", nil},
	{"text_ne", "demo", "select record from records where notes <> 'none'", nil},
	{"text_ne_numeric_local", "demo", "select record from records where notes <> '5'", nil},
	{"text_order", "demo", "select record from records where notes >= 'm'", nil},
	{"text_number_literal", "demo", "select record from records where notes > 5", nil},
	{"text_quote", "demo", "select record from records where notes = 'O''Brien'", nil},
	{"text_percent_local", "demo", "select record from records where notes = '100%'", nil},
	{"choice_text", "demo", "select record from records where site in ('nyc', 'bos')", nil},
	{"choice_number", "demo", "select record from records where sex = '2'", nil},
	{"yesno_true", "demo", "select record from records where smoker = true", nil},
	{"date", "demo", "select record from records where dob >= '2000-01-01' and dob < date '2001-01-01'", nil},
	{"datetime_date_literal", "demo", "select record from records where consent_dt >= '2024-01-31'", nil},
	{"datetime_literal", "demo", "select record from records where consent_dt < datetime '2024-01-31 08:30'", nil},
	{"time", "demo", "select record from records where visit_time > '09:00'", nil},
	{"checkbox_has", "demo", "select record from records where race has '2'", nil},
	{"checkbox_has_any", "demo", "select record from records where race has any ('1', '-1', 'oth')", nil},
	{"checkbox_has_all", "demo", "select record from records where race has all ('1', '2')", nil},
	{"checkbox_has_any_empty", "demo", "select record from records where race has any () and score > 5", nil},
	{"checkbox_has_all_empty", "demo", "select record from records where race has all ()", nil},
	{"checkbox_column_local", "demo", "select record from records where race___2 = 1", nil},
	{"contains", "demo", "select record from records where contains(notes, 'tea') and starts_with(email, 'a') and ends_with(notes, 'x')", nil},
	{"like_local", "demo", "select record from records where notes like 'likes%'", nil},
	{"regex_local", "demo", "select record from records where email ~ '@example\\.org$'", nil},
	{"lower_local", "demo", "select record from records where lower(notes) = 'tea'", nil},
	{"label_local", "demo", "select record, label(sex) from records where label(sex) = 'Female'", nil},
	{"datediff_today", "demo", "select record from records where datediff(dob, today(), 'y') >= 18", nil},
	{"datediff_eq_days", "demo", "select record from records where datediff(today(), visit_date, 'd', true) = -3", nil},
	{"datediff_abs", "demo", "select record from records where datediff(today(), visit_date, 'd') < 30", nil},
	{"datediff_fields_local", "demo", "select record from records where datediff(dob, visit_date, 'y') > 18", nil},
	{"missing_coalesce_local", "demo", "select record from records where missing(age) or coalesce(score, 0) > 1", nil},
	{"or_pushed", "demo", "select record from records where score > 8 or sbp > 140", nil},
	{"or_local", "demo", "select record from records where score > 8 or notes like '%tea%'", nil},
	{"or_partial_and", "demo", "select record from records where (score > 8 and notes like '%tea%') or sbp > 140", nil},
	{"not_pushed", "demo", "select record from records where not (score > 5 or age < 18)", nil},
	{"not_is_null", "demo", "select record from records where not (score is null)", nil},
	{"records_exact", "demo", "select * from records where record in ('1', '2', '2') and score > 1", nil},
	{"record_number", "demo", "select age from records where record = 10", nil},
	{"events_exact", "demo", "select sbp from records where event in ('week_4_arm_1', 'week_12_arm_1') and sbp > 120", nil},
	{"arm", "demo", "select record from records where arm = 2", nil},
	{"arm_event_intersect", "demo", "select record from records where arm in (1, 2) and event = 'week_4_arm_2'", nil},
	{"empty_records", "demo", "select * from records where record in ()", nil},
	{"empty_contradiction", "demo", "select * from records where record = '1' and record = '2'", nil},
	{"empty_range", "demo", "select record from records where score > 5 and age >= 18 and 3 > score", nil},
	{"empty_events", "demo", "select * from records where event = 'week_4_arm_1' and arm = 2", nil},
	{"event_uncertified", "demo", "select record, sbp from records where event = 'week_4_arm_1'", nil},
	{"event_uncertified_repeating", "demo", "select record, instance from records where event = 'enrollment_arm_2'", nil},
	{"arm_uncertified", "demo", "select record, age from records where arm = 2 and missing(sbp)", nil},
	{"forms_in", "demo", "select * from records where form in ('visit', 'medications')", nil},
	{"form_event_empty", "demo", "select * from records where form = 'visit' and event = 'enrollment_arm_1'", nil},
	{"form_not_local", "demo", "select record from records where form <> 'visit'", nil},
	{"form_nested_local", "demo", "select record from records where form = 'visit' or score > 5", nil},
	{"select_star", "demo", "select * from records", nil},
	{"uncertified_fields", "demo", "select age from records", nil},
	{"dag", "demo", "select record, dag from records where dag = 'site_a'", nil},
	{"pinned_record_filter", "demo", "select record, sbp from records where [enrollment_arm_1][age] > 50 and form = 'visit'", nil},
	{"pinned_with_events", "demo", "select record, sbp from records where [enrollment_arm_1][score] > 5 and event = 'week_4_arm_1'", nil},
	{"pinned_row_level", "long", "select record, sbp from records where [enrollment_arm_1][age] > 50", nil},
	{"pinned_mixed_long", "long", "select record from records where [enrollment_arm_1][age] > 50 and sbp > 120", nil},
	{"pinned_select_only", "demo", "select [enrollment_arm_1][age], sbp from records where sbp > 120", nil},
	{"aggregate", "demo", "select sex, count(*), avg(score) from records where form = 'baseline' group by sex order by sex", nil},
	{"distinct", "demo", "select distinct site from records where form = 'enrollment' order by site nulls first", nil},
	{"having", "demo", "select site, count(*) as n, median(age) from records where form = 'baseline' group by site having count(*) > 2 order by n desc", nil},
	{"case_group_alias", "demo", "select case when age >= 65 then 'older' when age >= 18 then 'adult' else 'minor' end as band, count(distinct race), percentile(score, 0.9) from records where age is not null group by band", nil},
	{"record_numeric", "demo", "select count(*) from records where record > 450", nil},
	{"aggregate_expressions", "demo", "select label(site), round(avg(age), 1), max(score) - min(score) from records where form = 'baseline' group by site order by count(*) desc", nil},
	{"order_limit", "demo", "select record, score from records where score > 0 order by score desc limit 10 offset 5", nil},
	{"params", "demo", "select record from records where score > $min and site = $site", map[string]string{"min": "5", "site": "nyc"}},
	{"explain_analyze", "demo", "explain analyze select age from records where score > 5", nil},
	{"pushdown_off", "off", "select age, score from records where score > 5 and form = 'baseline' and record = '1'", nil},
	{"classic_headline", "classic", "select age, score from records where score > 5 and form = 'baseline'", nil},
	{"classic_uncertified", "classic", "select record from records where score is null", nil},
	{"source_metadata", "demo", "select field_name from metadata where field_type = 'checkbox'", nil},
	{"source_events", "demo", "select unique_event_name from events where arm_num = 1 order by unique_event_name", nil},
}

func goldenPlanner(t *testing.T, name string) *Planner {
	switch name {
	case "long":
		return longPlanner(t)
	case "off":
		return demoPlanner(t, WithoutPushdown())
	case "classic":
		return classicPlanner(t)
	}
	return demoPlanner(t)
}

func TestGoldenPlans(t *testing.T) {
	if len(goldenPlans) < 40 {
		t.Fatalf("only %d golden plans", len(goldenPlans))
	}
	seen := map[string]bool{}
	for _, g := range goldenPlans {
		if seen[g.name] {
			t.Fatalf("duplicate golden %s", g.name)
		}
		seen[g.name] = true
		t.Run(g.name, func(t *testing.T) {
			p := mustPlan(t, goldenPlanner(t, g.planner), g.query, g.params)
			got := "planner: " + g.planner + "\n" + p.Explain() + "--- json\n" + string(p.ExplainJSON()) + "\n"
			path := filepath.Join("testdata", "plans", g.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(want) != got {
				t.Errorf("plan changed for %s\n--- got\n%s--- want\n%s", g.query, got, want)
			}
		})
	}
	// No stale golden files.
	files, _ := filepath.Glob(filepath.Join("testdata", "plans", "*.golden"))
	for _, f := range files {
		if !seen[strings.TrimSuffix(filepath.Base(f), ".golden")] {
			t.Errorf("stale golden file %s", f)
		}
	}
}
