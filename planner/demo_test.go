package planner

import (
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// demoMeta is the demo project's data dictionary, written by hand
// (the same names as redcaptest.Demo).
var demoMeta = []client.MetadataField{
	{FieldName: "record_id", FormName: "enrollment", FieldType: "text", FieldLabel: "Record ID"},
	{FieldName: "dob", FormName: "enrollment", FieldType: "text", FieldLabel: "Date of birth", TextValidationTypeOrShowSliderNumber: "date_ymd"},
	{FieldName: "sex", FormName: "enrollment", FieldType: "radio", FieldLabel: "Sex", SelectChoicesOrCalculations: "1, Female | 2, Male | 3, Other"},
	{FieldName: "site", FormName: "enrollment", FieldType: "dropdown", FieldLabel: "Site", SelectChoicesOrCalculations: "nyc, New York | bos, Boston | chi, Chicago"},
	{FieldName: "consent_dt", FormName: "enrollment", FieldType: "text", FieldLabel: "Consent", TextValidationTypeOrShowSliderNumber: "datetime_ymd"},
	{FieldName: "email", FormName: "enrollment", FieldType: "text", FieldLabel: "Email", TextValidationTypeOrShowSliderNumber: "email", Identifier: "y"},
	{FieldName: "age", FormName: "baseline", FieldType: "text", FieldLabel: "Age", TextValidationTypeOrShowSliderNumber: "integer"},
	{FieldName: "weight", FormName: "baseline", FieldType: "text", FieldLabel: "Weight", TextValidationTypeOrShowSliderNumber: "number"},
	{FieldName: "height", FormName: "baseline", FieldType: "text", FieldLabel: "Height", TextValidationTypeOrShowSliderNumber: "number"},
	{FieldName: "bmi", FormName: "baseline", FieldType: "calc", FieldLabel: "BMI", SelectChoicesOrCalculations: "[weight]/([height]/100)^2"},
	{FieldName: "score", FormName: "baseline", FieldType: "text", FieldLabel: "Score", TextValidationTypeOrShowSliderNumber: "number"},
	{FieldName: "race", FormName: "baseline", FieldType: "checkbox", FieldLabel: "Race", SelectChoicesOrCalculations: "1, White | 2, Black | 3, Asian | -1, Unknown | oth, Other"},
	{FieldName: "smoker", FormName: "baseline", FieldType: "yesno", FieldLabel: "Smoker"},
	{FieldName: "notes", FormName: "baseline", FieldType: "notes", FieldLabel: "Notes"},
	{FieldName: "consent_file", FormName: "baseline", FieldType: "file", FieldLabel: "Consent file"},
	{FieldName: "visit_date", FormName: "visit", FieldType: "text", FieldLabel: "Visit date", TextValidationTypeOrShowSliderNumber: "date_ymd"},
	{FieldName: "sbp", FormName: "visit", FieldType: "text", FieldLabel: "SBP", TextValidationTypeOrShowSliderNumber: "integer"},
	{FieldName: "dbp", FormName: "visit", FieldType: "text", FieldLabel: "DBP", TextValidationTypeOrShowSliderNumber: "integer"},
	{FieldName: "adverse_event", FormName: "visit", FieldType: "yesno", FieldLabel: "AE"},
	{FieldName: "visit_time", FormName: "visit", FieldType: "text", FieldLabel: "Visit time", TextValidationTypeOrShowSliderNumber: "time"},
	{FieldName: "med_name", FormName: "medications", FieldType: "text", FieldLabel: "Medication"},
	{FieldName: "med_dose", FormName: "medications", FieldType: "text", FieldLabel: "Dose", TextValidationTypeOrShowSliderNumber: "number"},
	{FieldName: "med_start", FormName: "medications", FieldType: "text", FieldLabel: "Start", TextValidationTypeOrShowSliderNumber: "date_ymd"},
}

const demoMissing = "NA, Not applicable | UNK, Unknown"

// demoInfo is the demo project's structure.
func demoInfo() catalog.Design {
	info := catalog.Design{
		Longitudinal: true,
		Arms:         []catalog.Arm{{Num: 1, Name: "Treatment"}, {Num: 2, Name: "Control"}},
		Events: []catalog.Event{
			{Name: "enrollment_arm_1", Label: "Enrollment", Arm: 1}, {Name: "week_4_arm_1", Label: "Week 4", Arm: 1}, {Name: "week_12_arm_1", Label: "Week 12", Arm: 1},
			{Name: "enrollment_arm_2", Label: "Enrollment", Arm: 2}, {Name: "week_4_arm_2", Label: "Week 4", Arm: 2},
		},
		Repeating: []catalog.Repeating{{Event: "enrollment_arm_1", Form: "medications"}, {Event: "enrollment_arm_2", Form: "medications"}},
		DAGs:      []string{"site_a", "site_b"},
	}
	for _, ev := range []string{"enrollment_arm_1", "enrollment_arm_2"} {
		arm := 1
		if ev == "enrollment_arm_2" {
			arm = 2
		}
		for _, f := range []string{"enrollment", "baseline", "medications"} {
			info.FEM = append(info.FEM, catalog.FormEvent{Arm: arm, Event: ev, Form: f})
		}
	}
	for _, ev := range []catalog.Event{{Name: "week_4_arm_1", Label: "", Arm: 1}, {Name: "week_12_arm_1", Label: "", Arm: 1}, {Name: "week_4_arm_2", Label: "", Arm: 2}} {
		info.FEM = append(info.FEM, catalog.FormEvent{Arm: ev.Arm, Event: ev.Name, Form: "visit"})
	}
	return info
}

// fixedNow is the clock of test planners.
var fixedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func demoPlanner(t testing.TB, opts ...Option) *Planner {
	t.Helper()
	d, err := client.NewDictionary(demoMeta, demoMissing)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]Option{WithClock(func() time.Time { return fixedNow })}, opts...)
	return New(catalog.New(d, demoInfo()), opts...)
}

// classicPlanner is a classic (not longitudinal, not repeating) project.
func classicPlanner(t testing.TB, opts ...Option) *Planner {
	t.Helper()
	var meta []client.MetadataField
	for _, m := range demoMeta {
		if m.FormName != "medications" && m.FormName != "visit" {
			meta = append(meta, m)
		}
	}
	d, err := client.NewDictionary(meta, "")
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]Option{WithClock(func() time.Time { return fixedNow })}, opts...)
	return New(catalog.New(d, catalog.Design{}), opts...)
}

func mustPlan(t testing.TB, pl *Planner, src string, params map[string]string) *Plan {
	t.Helper()
	stmt, err := lang.Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	p, err := pl.Plan(stmt, params)
	if err != nil {
		t.Fatalf("plan %q: %v", src, err)
	}
	return p
}
