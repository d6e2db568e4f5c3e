package planner

import "testing"

// TestRowLimit: only a plain limit lets the fetch stop early; distinct,
// having, grouping, ordering and aggregates anywhere in an item read
// every row. Parameters count with their values.
func TestRowLimit(t *testing.T) {
	for src, want := range map[string]int{
		"select age from records limit 5":                                 5,
		"select age from records limit 5 offset 3":                        8,
		"select distinct age from records limit 5":                        0,
		"select count(*) from records having count(*) > 1 limit 5":        0,
		"select round(avg(age), 1) from records limit 5":                  0,
		"select case when count(*) > 1 then 'x' end from records limit 5": 0,
		"select age from records order by age limit 5":                    0,
		"select age, count(*) from records group by age limit 5":          0,
		"select age from records limit $n offset 1":                       5,
		"select case when age > 1 then 'x' end as k from records limit 2": 2,
		"select percentile(age, 0.5) from records where age > 1 limit 1":  0,
	} {
		p := mustPlan(t, demoPlanner(t), src, map[string]string{"n": "4"})
		if got := p.RowLimit(); got != want {
			t.Errorf("RowLimit(%s) = %d, want %d", src, got, want)
		}
		if got := p.FetchOptions(Tuning{}).RowLimit; got != want {
			t.Errorf("FetchOptions(%s).RowLimit = %d, want %d", src, got, want)
		}
	}
}
