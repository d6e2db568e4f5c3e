package redcaptest

import (
	"net/url"
	"strings"
	"testing"
)

// longProject is a small hand-built longitudinal project for the write-side
// tests: two arms, a repeating instrument, a checkbox with a negative and a
// text code, dates, a DAG and missing-data codes.
func longProject(name string) *Project {
	p := &Project{Name: name, Info: ProjectInfo{Title: name, MissingDataCodes: "NA, Not applicable | UNK, Unknown"}}
	p.Metadata = []Field{
		{FieldName: "record_id", FormName: "enrol", FieldType: "text", FieldLabel: "ID"},
		{FieldName: "dob", FormName: "enrol", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd"},
		{FieldName: "sex", FormName: "enrol", FieldType: "radio", SelectChoicesOrCalculations: "1, Female | 2, Male"},
		{FieldName: "email", FormName: "enrol", FieldType: "text", TextValidationTypeOrShowSliderNumber: "email"},
		{FieldName: "race", FormName: "enrol", FieldType: "checkbox", SelectChoicesOrCalculations: "1, White | 2, Black | -1, Unknown | oth, Other"},
		{FieldName: "age", FormName: "enrol", FieldType: "text", TextValidationTypeOrShowSliderNumber: "integer", TextValidationMin: "0", TextValidationMax: "120"},
		{FieldName: "smoker", FormName: "enrol", FieldType: "yesno"},
		{FieldName: "bmi", FormName: "enrol", FieldType: "calc", SelectChoicesOrCalculations: "1+1"},
		{FieldName: "consent_file", FormName: "enrol", FieldType: "file"},
		{FieldName: "signature", FormName: "enrol", FieldType: "file", TextValidationTypeOrShowSliderNumber: "signature"},
		{FieldName: "visit_date", FormName: "visit", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd"},
		{FieldName: "visit_dt", FormName: "visit", FieldType: "text", TextValidationTypeOrShowSliderNumber: "datetime_dmy"},
		{FieldName: "sbp", FormName: "visit", FieldType: "text", TextValidationTypeOrShowSliderNumber: "integer"},
		{FieldName: "med_name", FormName: "meds", FieldType: "text"},
		{FieldName: "med_dose", FormName: "meds", FieldType: "text", TextValidationTypeOrShowSliderNumber: "number"},
	}
	p.Instruments = []Instrument{{Name: "enrol", Label: "Enrolment", Survey: true}, {Name: "visit", Label: "Visit"}, {Name: "meds", Label: "Medications"}}
	p.Arms = []Arm{{Num: 1, Name: "Drug"}, {Num: 2, Name: "Placebo"}}
	p.Events = []Event{
		{Name: "Enrolment", ArmNum: 1, UniqueName: "enrol_arm_1", ID: 41},
		{Name: "Visit", ArmNum: 1, UniqueName: "visit_arm_1", ID: 42},
		{Name: "Enrolment", ArmNum: 2, UniqueName: "enrol_arm_2", ID: 43},
	}
	p.FormEventMapping = []FormEvent{
		{ArmNum: 1, UniqueName: "enrol_arm_1", Form: "enrol"},
		{ArmNum: 1, UniqueName: "enrol_arm_1", Form: "meds"},
		{ArmNum: 1, UniqueName: "visit_arm_1", Form: "visit"},
		{ArmNum: 2, UniqueName: "enrol_arm_2", Form: "enrol"},
	}
	p.Repeating = []RepeatingForm{{Event: "enrol_arm_1", Form: "meds"}}
	p.DAGs = []DAG{{Name: "Site A", UniqueName: "site_a", ID: 11}, {Name: "Site B", UniqueName: "site_b", ID: 12}}
	return p
}

// api posts form (token and content filled in) to srv and returns the answer.
func api(t *testing.T, srv *Server, token string, kv ...string) (int, string) {
	t.Helper()
	f := url.Values{"token": {token}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	st, body, _ := post(t, srv.URL, f)
	return st, body
}

// cell returns a stored value ("" when the record or row is absent).
func cell(p *Project, id string, k RowKey, field string) string {
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	rec, ok := p.Records.Get(id)
	if !ok {
		return ""
	}
	row := rec.Row(k)
	if row == nil {
		return ""
	}
	return row.Values[field]
}

func hasRecord(p *Project, id string) bool {
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	_, ok := p.Records.Get(id)
	return ok
}

func lines(s ...string) string { return strings.Join(s, "\n") }
