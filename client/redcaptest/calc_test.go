package redcaptest

import (
	"strings"
	"testing"
)

// calcProject has inputs and calc fields using the functions the
// fixtures and the demo use.
func calcProject() *Project {
	p := &Project{Name: "calc", Info: ProjectInfo{Title: "calc"}}
	p.Metadata = []Field{
		{FieldName: "record_id", FormName: "body", FieldType: "text", FieldLabel: "ID"},
		{FieldName: "weight", FormName: "body", FieldType: "text", TextValidationTypeOrShowSliderNumber: "number"},
		{FieldName: "height", FormName: "body", FieldType: "text", TextValidationTypeOrShowSliderNumber: "number"},
		{FieldName: "dob", FormName: "body", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd"},
		{FieldName: "visit", FormName: "body", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd"},
		{FieldName: "bmi", FormName: "body", FieldType: "calc", SelectChoicesOrCalculations: "round(([weight]*10000)/(([height])^(2)),1)"},
		{FieldName: "age_at_visit", FormName: "body", FieldType: "calc", SelectChoicesOrCalculations: "rounddown(datediff([dob],[visit],'y'))"},
		{FieldName: "stats", FormName: "body", FieldType: "calc", SelectChoicesOrCalculations: "sum([weight],[height]) + mean([weight],[height]) - min([weight],[height]) + max(1,2) + abs(-3) + sqrt(16)"},
		{FieldName: "heavy", FormName: "body", FieldType: "calc", SelectChoicesOrCalculations: "if([weight] > 100, 1, 0)"},
	}
	p.Instruments = []Instrument{{Name: "body", Label: "Body"}}
	return p
}

func TestCalcFields(t *testing.T) {
	srv := NewServer(t, calcProject())
	tok := srv.Token("calc")
	exp := func() string {
		_, body := api(t, srv, tok, "content", "record", "format", "csv", "fields", "record_id,bmi,age_at_visit,stats,heavy")
		return body
	}
	tests := []struct {
		name, data string
		overwrite  bool
		want       string
	}{
		// 70*10000/175^2 = 22.857 → 22.9; one day short of 40 years → 39;
		// sum 245 + mean 122.5 - min 70 + max 2 + abs 3 + sqrt 4 = 306.5
		{"computed on import", "record_id,weight,height,dob,visit\n1,70,175,1980-06-01,2020-05-31\n", false,
			"record_id,bmi,age_at_visit,stats,heavy\n1,22.9,39,306.5,0\n"},
		// 285 + 142.5 - 110 + 9 = 326.5
		{"recomputed when an input changes", "record_id,weight\n1,110\n", false,
			"record_id,bmi,age_at_visit,stats,heavy\n1,35.9,39,326.5,1\n"},
		{"a value sent for a calc is not taken", "record_id,bmi,heavy\n1,99,0\n", false,
			"record_id,bmi,age_at_visit,stats,heavy\n1,35.9,39,326.5,1\n"},
		// height erased: bmi blank; the aggregates skip the blank: 110+110-110+9
		{"a blank input blanks the calc", "record_id,height\n1,\n", true,
			"record_id,bmi,age_at_visit,stats,heavy\n1,,39,119,1\n"},
	}
	for _, tc := range tests {
		ob := "normal"
		if tc.overwrite {
			ob = "overwrite"
		}
		st, body := api(t, srv, tok, "content", "record", "format", "csv", "returnFormat", "json", "overwriteBehavior", ob, "data", tc.data)
		if st != 200 || body != `{"count":1}` {
			t.Fatalf("%s: %d %s", tc.name, st, body)
		}
		if got := exp(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// The log records the computed change.
	_, log := api(t, srv, tok, "content", "log", "format", "csv", "logtype", "record")
	if !strings.Contains(log, "bmi = '22.9'") {
		t.Errorf("log lacks the computed bmi: %s", log)
	}
}

// TestFilterLogicRepeatVariables: [redcap_repeat_instance] and
// [redcap_repeat_instrument] are read in filter logic (REDCap 8.x on).
func TestFilterLogicRepeatVariables(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	seedLong(t, srv)
	for _, tc := range []struct{ logic, want string }{
		{"[redcap_repeat_instance] = 2", "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,med_name\n"},
		{"[redcap_repeat_instrument] = 'meds'", ""},
	} {
		st, body := api(t, srv, tok, "content", "record", "format", "csv", "returnFormat", "json", "fields", "record_id,med_name", "filterLogic", tc.logic)
		if st != 200 {
			t.Errorf("%s: %d %s", tc.logic, st, body)
			continue
		}
		lines := strings.Split(strings.TrimSpace(body), "\n")
		for _, l := range lines[1:] {
			switch {
			case strings.Contains(tc.logic, "instance") && !strings.Contains(l, ",meds,2,"):
				t.Errorf("%s: row %q", tc.logic, l)
			case strings.Contains(tc.logic, "instrument") && !strings.Contains(l, ",meds,"):
				t.Errorf("%s: row %q", tc.logic, l)
			}
		}
		if len(lines) < 2 {
			t.Errorf("%s: no rows: %q", tc.logic, body)
		}
	}
}
