package planner

import (
	"strings"
	"testing"
)

// TestLongitudinalWarning: a row-level query that combines fields no single
// row holds is warned about, with the pinned where clause as the fix;
// queries whose fields share a row, or that pin them, are not.
func TestLongitudinalWarning(t *testing.T) {
	tests := []struct {
		src  string
		want []string // substrings of the warning; nil: no warning
	}{
		{"select record, event, sbp from records where age > 85 limit 5", []string{
			"warning: no row holds all of sbp, age: sbp is on week_4_arm_1, week_12_arm_1, week_4_arm_2, age is on enrollment_arm_1, enrollment_arm_2;",
			"hint: to test a record's value on all of its rows, pin the event: where [enrollment_arm_1][age] > 85 (for records of other arms: [enrollment_arm_2][age])"}},
		{"select count(sbp) from records where sex = 1", []string{"no row holds all of sbp, sex", "where [enrollment_arm_1][sex] = 1"}},
		{"select age, med_name from records", []string{"med_name is on enrollment_arm_1, enrollment_arm_2, repeating medications rows",
			"hint: pin a field to its event"}},
		{"select age, weight from records where sex = 1", nil},               // enrollment and baseline share the enrollment events
		{"select sbp from records where [enrollment_arm_1][age] > 85", nil},  // pinned: the record's value
		{"select record, event, sbp, dbp from records where sbp > 140", nil}, // one form
		{"select med_name, med_dose from records where med_dose > 100", nil}, // one repeating form
		{"select event, count(*) from records group by event", nil},          // pseudo-columns only
		{"select * from records where age > 85", nil},                        // no field combined by name
		{"summarize records where age > 85", []string{"warning: the where clause keeps only rows that hold age, so the fields of forms visit, medications are summarized over no rows",
			"hint: to keep every row of the records that match, pin the event: where [enrollment_arm_1][age] > 85"}},
		{"summarize records where [enrollment_arm_1][age] > 85", nil},
		{"summarize records where form = 'visit'", nil},
		{"select record_id, sbp from records", nil},                           // the record id is on every row
		{"select sbp from records where form = 'visit' and event = 'x'", nil}, // pseudo-columns are not fields
	}
	pl := demoPlanner(t)
	for _, tt := range tests {
		p := mustPlan(t, pl, strings.Replace(tt.src, "event = 'x'", "event = 'week_4_arm_1'", 1), nil)
		got := strings.Join(p.Warnings, "")
		if tt.want == nil {
			if got != "" {
				t.Errorf("%s: unexpected warning %q", tt.src, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: warning %q lacks %q", tt.src, got, w)
			}
		}
	}
	// a classic project has one row kind: nothing to warn about
	if p := mustPlan(t, classicPlanner(t), "select age, sex from records where dob < '1950-01-01'", nil); len(p.Warnings) > 0 {
		t.Errorf("classic project: %q", p.Warnings)
	}
}
