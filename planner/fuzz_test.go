package planner

import (
	"context"
	"errors"
	"testing"

	"github.com/redcapql/rq/lang"
)

// FuzzPlan plans and runs arbitrary statements over the sample rows: any
// statement the parser accepts must be planned or rejected with a
// *lang.Error, never panic, and pushdown must not change the result.
func FuzzPlan(f *testing.F) {
	for _, g := range goldenPlans {
		f.Add(g.query, "5")
	}
	f.Add("select * from records where [enrollment_arm_1][age] > $p and form = 'visit'", "50")
	f.Add("select record, label(race) from records where race has any ('1', 'oth') order by 2", "x")
	f.Add("select coalesce(race, race), length(race), -score, label(sex) from records where coalesce(score, age) between $p and 10 or not missing(sbp)", "1")
	f.Add("select count(distinct label(site)), sum(distinct age * 2) from records where datediff(dob, today(), 'y', true) > $p group by sex order by 1", "18")
	f.Add("select label(site), round(avg(age), 1), max(score) - min(score), count(*) * 100 / $p from records group by site order by count(*) desc, label(site)", "5")
	f.Add("select record, sbp from records where event = 'week_4_arm_1' order by record desc", "1")
	pl := demoPlanner(f)
	off := demoPlanner(f, WithoutPushdown())
	f.Fuzz(func(t *testing.T, src, param string) {
		stmt, err := lang.Parse(src)
		if err != nil {
			return
		}
		params := map[string]string{"p": param, "min": param, "site": param}
		p, err := pl.Plan(stmt, params)
		if err != nil {
			var le *lang.Error
			if !errors.As(err, &le) {
				t.Fatalf("%s: error %v is not a *lang.Error", src, err)
			}
			if _, err2 := off.Plan(stmt, params); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("%s: pushdown changes the check: %v vs %v", src, err, err2)
			}
			return
		}
		_ = p.Explain()
		_ = p.ExplainJSON()
		rows := runPlan(context.Background(), p, sample(t))
		for rows.Next() {
			_ = rows.Row()
		}
		rows.Close()
	})
}
