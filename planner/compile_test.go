package planner

import (
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestExprMatchesNative evaluates conditions both ways, natively (closures)
// and as expr programs, on every sample row: the truth values must agree.
// The expr programs are the oracle of the native compiler.
func TestExprMatchesNative(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	conds := []string{
		"score > 5", "score <> 7", "not (score < 5)", "score between 3 and 8", "score not between 3 and 8",
		"score in (3, 9)", "score not in (3, 9)", "score is null", "score is not null",
		"notes like 'likes%'", "notes not like '%tea'", "notes ~ '^l'", "race has '2'", "race has any ('3', '-1')",
		"race has all ('1', '2')", "site = 'nyc'", "site <> 'bos'", "dob < '1990-01-01'", "sex in (1, 3) or score > 8",
		"not (sex = 2 and score > 5)", "sbp >= 120 or sbp is null", "form = 'baseline'", "form <> 'visit' and record = '1'",
		"[enrollment_arm_1][age] > 30", "smoker = true", "visit_date between '2024-02-01' and '2024-03-01'",
		"age is null or not (age > 30)", "score in (7, null)",
		// functions and arithmetic: closures natively, helper calls in expr
		"abs(score - 5) > 1", "age * 2 between 36 and 130", "-score < -5", "score / 2 > 2",
		"round(score / 3, 1) >= 2.3", "upper(site) = 'NYC'", "coalesce(score, 0) + 1 > 3",
		"length(notes) > 10", "year(dob) < 1980", "label(sex) = 'Male'", "missing(score) or score > 8",
		"contains(notes, 'tea')", "score - age < -20", "not (abs(score) + 1 > 5)", "(score + 1) * (age - 1) > 300",
	}
	for _, src := range conds {
		p := mustPlan(t, pl, "select record from records where "+src, nil)
		cp := &compiler{a: p.a}
		native, err := cp.cond(p.Stmt.Where)
		cp.allExpr = true
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		prog, err := cp.exprProgram(p.Stmt.Where)
		if err != nil {
			t.Fatalf("%s: expr: %v", src, err)
		}
		rows, err := TypeRows(p, sample(t))
		if err != nil {
			t.Fatal(err)
		}
		ev := newEvalCtx(len(p.a.pinEvents), cp.nscratch)
		counts := [3]int{}
		for _, r := range rows {
			for i, e := range p.a.pinEvents {
				ev.pins[i] = nil
				for _, o := range rows {
					if o.Rec == r.Rec && o.Plain && o.Event == e {
						ev.pins[i] = o
						break
					}
				}
			}
			ev.r = r
			a, b := native(ev), valueTri(prog(ev))
			if a != b {
				t.Errorf("%s on record %s %s: native %d, expr %d", src, r.Rec, r.Event, a, b)
			}
			counts[a]++
		}
		if src != "score in (7, null)" && (counts[triTrue] == 0 || counts[triFalse]+counts[triUnknown] == 0) {
			t.Errorf("%s: a weak case: %v", src, counts)
		}
	}
}

// TestRunConcurrently runs one plan on several goroutines at once (each Rows
// has its own VM and scratch space); go test -race checks the sharing.
func TestRunConcurrently(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	p := mustPlan(t, pl, "select record, upper(notes), score * 2 from records where abs(score - 5) > 1 or notes like '%tea%' order by 1", nil)
	_, rows, _ := run(t, pl, p.Stmt.String(), sample(t))
	want := flat(rows)
	done := make(chan string)
	for range 4 {
		go func() {
			out := runPlan(t.Context(), p, sample(t))
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
			out.Close()
			done <- flat(got)
		}()
	}
	for range 4 {
		if got := <-done; got != want {
			t.Errorf("concurrent run: %s, want %s", got, want)
		}
	}
	if want == "" {
		t.Error("no rows")
	}
}

// An uncertified condition asks for every form's status (and every
// repeating form whole) so no row disappears, but only for the forms that
// can hold a row on the events requested.
func TestUncertifiedFormsOnEvents(t *testing.T) {
	tests := []struct {
		planner       func(testing.TB, ...Option) *Planner
		q             string
		fields, forms string
	}{
		{demoPlanner, "select record, sbp from records where event = 'week_4_arm_1'", "record_id,sbp,visit_complete", ""},
		{demoPlanner, "select record from records where event in ('week_4_arm_1', 'week_12_arm_1')", "record_id,visit_complete", ""},
		{demoPlanner, "select record from records where event = 'enrollment_arm_2'", "record_id,enrollment_complete,baseline_complete", "medications"},
		{demoPlanner, "select record, age from records where arm = 2 and missing(sbp)", "record_id,enrollment_complete,age,baseline_complete,sbp,visit_complete", "medications"},
		{demoPlanner, "select record from records where score is null", "record_id,enrollment_complete,score,baseline_complete,visit_complete", "medications"},
		{demoPlanner, "select record, sbp from records where [enrollment_arm_1][age] is null and event = 'week_4_arm_1'", "record_id,enrollment_complete,age,baseline_complete,sbp,visit_complete", "medications"},
		{classicPlanner, "select record from records where score is null", "record_id,enrollment_complete,score,baseline_complete", ""},
	}
	for _, tt := range tests {
		p := mustPlan(t, tt.planner(t), tt.q, nil)
		fields, forms := strings.Join(p.Export.Fields, ","), strings.Join(p.Export.Forms, ",")
		if fields != tt.fields || forms != tt.forms {
			t.Errorf("%s\n got fields=%s forms=%s\nwant fields=%s forms=%s", tt.q, fields, forms, tt.fields, tt.forms)
		}
	}
}
