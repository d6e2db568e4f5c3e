// Internal test: rowLimit is unexported and decides alone whether a fetch may stop early.
package rq

import (
	"testing"

	"github.com/redcapql/rq/lang"
)

// TestRowLimit: only a plain limit lets the fetch stop early; distinct,
// having, grouping, ordering and aggregates anywhere in an item read
// every row.
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
		"select age from records limit $n":                                0,
		"select case when age > 1 then 'x' end as k from records limit 2": 2,
		"select percentile(age, 0.5) from records where age > 1 limit 1":  0,
	} {
		s, err := lang.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := rowLimit(s); got != want {
			t.Errorf("rowLimit(%s) = %d, want %d", src, got, want)
		}
	}
}
