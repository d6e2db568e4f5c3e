package planner

import (
	"errors"
	"strings"
	"testing"

	"github.com/redcapql/rq/lang"
)

// TestPipelineSyntax runs select distinct, having, nulls first/last, case,
// the statistical aggregates, count(distinct) over every kind, group by an
// alias, numeric record comparisons and -0 over the sample rows. The
// expected figures are worked out by hand in the comments.
func TestPipelineSyntax(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	tests := []struct{ q, want string }{
		// sex: 1 (record 1), 2 (records 2, 10), 3 (record 3)
		{"select distinct sex from records where sex is not null order by sex desc", "3 | 2 | 1"},
		{"select distinct site, sex from records where form = 'enrollment' order by site", "bos,2 | chi,3 | nyc,1 | nyc,2"},
		{"select distinct redcap_event_name from records where sbp is not null order by 1", "week_12_arm_1 | week_4_arm_1"},
		// nine rows: sex is null on the five rows that are not enrollment rows
		{"select sex, count(*) as n from records group by sex having count(*) > 1 order by sex", "2,2 | ∅,5"},
		{"select count(*) from records having count(*) > 100", ""},
		{"select site from records where form = 'enrollment' group by site having min(age) < 30 or site = 'bos' order by site", "bos | nyc"},
		// score: 7, blank, 3, 9 on the baseline rows
		{"select score from records where form = 'baseline' order by score nulls first", "∅ | 3 | 7 | 9"},
		{"select score from records where form = 'baseline' order by score desc nulls last", "9 | 7 | 3 | ∅"},
		{"select score from records where form = 'baseline' order by score desc", "∅ | 9 | 7 | 3"},
		// sbp: 130, 118, 145 and NA: median 130; p25 between 118 and 130 is 124;
		// mean 131, squares 1 + 169 + 196 = 366, sample var 183
		{"select median(sbp), percentile(sbp, 0.25), percentile(sbp, 1), var(sbp), round(stddev(sbp), 4) from records", "130,124,145,183,13.5277"},
		{"select mode(sex), mode(site), count(distinct race), count(distinct dob), count(distinct smoker), count(distinct notes) from records", "2,nyc,4,4,2,2"},
		{"select stddev(score), median(score) from records where record = '1'", "∅,7"},
		{"select record, case when score > 5 then 'hi' when score is null then 'none' else 'lo' end as s from records where form = 'baseline'", "1,hi | 2,none | 3,lo | 10,hi"},
		{"select case when age >= 40 then 'old' else 'young' end as grp, count(*) from records where age is not null group by grp order by grp", "old,2 | young,1"},
		{"select record from records where case when sex = 2 then score end > 5", "10"},
		{"select record from records where case when sex = 2 then score > 5 else false end", "10"},
		{"select record from records where record > 2 order by record", "3 | 3 | 10"},
		{"select distinct record from records where record between 2 and 9 order by record", "2 | 3"},
		// field names match in any case, as REDCap's do
		{"select AGE, Score, RACE___2 from records where Age > 30 and FORM = 'baseline'", "40,7,1 | 70,∅,0"},
	}
	for _, tt := range tests {
		_, rows, _ := run(t, pl, tt.q, sample(t))
		if got := flat(rows); got != tt.want {
			t.Errorf("%s\n got  %s\n want %s", tt.q, got, tt.want)
		}
	}
}

// TestNegativeZeroGroups: 0 and -0 are one value in group by and distinct.
func TestNegativeZeroGroups(t *testing.T) {
	pl := demoPlanner(t, WithoutPushdown())
	for q, want := range map[string]string{
		"select count(*) from records where sex is not null group by case when sex = 1 then 0 else 0 * -1 end": "4",
		"select distinct case when sex = 1 then 0 else -1 * 0 end as z from records where sex is not null":     "0",
	} {
		_, rows, _ := run(t, pl, q, sample(t))
		if got := flat(rows); got != want {
			t.Errorf("%s\n got  %s\n want %s", q, got, want)
		}
	}
}

func TestCheckSyntaxErrors(t *testing.T) {
	pl := demoPlanner(t)
	tests := []struct{ q, pos, msg string }{
		{"select sex from records group by sex having sex", "1:45", "having needs a condition, not number"},
		{"select sex from records group by sex having age > 3", "1:45", "age must be in group by or inside an aggregate"},
		{"select age from records where median(age) > 3", "1:31", "aggregate median(...) is only allowed"},
		{"select percentile(age, 90) from records", "1:24", "for the 90th percentile write 0.9"},
		{"select percentile(age) from records", "1:8", "percentile takes two arguments"},
		{"select percentile(age, score) from records", "1:24", "percentile's p must be a number from 0 to 1"},
		{"select median(site) from records", "1:15", "median needs numbers"},
		{"select median(distinct age) from records", "1:8", "distinct is not allowed in median()"},
		{"select distinct age from records order by score", "1:43", "with select distinct, order by score must be one of the selected columns"},
		{"select case when age then 1 end from records", "1:18", "age is a number, not a condition"},
		{"select case when age > 1 then 'a' else score end from records", "1:31", "'a' is not a number"},
		{"select case when age > 1 then dob else score end from records", "1:40", "case mixes date and number"},
		{"select age / 10 as decade, count(*) from records group by decadee", "1:59", "no field 'decadee'"},
		{"select count(*) as n from records group by n", "1:44", "group by n: n is count(*), an aggregate"},
		{"select age from records where case when age > 1 then 1 end", "1:31", "is a number, not a condition"},
		// a value in the wrong case gets the right case
		{"select age from records where event = 'Week_12_Arm_1'", "1:39", "did you mean 'week_12_arm_1'?"},
		{"select age from records where form = 'BASELINE'", "1:38", "did you mean 'baseline'?"},
	}
	for _, tt := range tests {
		stmt, err := lang.Parse(tt.q)
		if err == nil {
			_, err = pl.Plan(stmt, nil)
		}
		if err == nil {
			t.Errorf("%s: no error", tt.q)
			continue
		}
		var le *lang.Error
		var list lang.ErrorList
		switch {
		case errors.As(err, &list) && len(list) > 0:
			le = list[0]
		case errors.As(err, &le):
		default:
			t.Errorf("%s: %T %v", tt.q, err, err)
			continue
		}
		if le.Pos.String() != tt.pos || !strings.Contains(le.Msg+" | "+le.Hint, tt.msg) {
			t.Errorf("%s:\n got  %s %s | %s\n want %s %s", tt.q, le.Pos, le.Msg, le.Hint, tt.pos, tt.msg)
		}
	}
}
