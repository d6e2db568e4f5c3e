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

// computedProject has a calc on a file field, one on the record id, an
// @CALCTEXT and an @CALCDATE field.
func computedProject() *Project {
	p := &Project{Name: "computed", Info: ProjectInfo{Title: "computed"}}
	p.Metadata = []Field{
		{FieldName: "record_id", FormName: "f", FieldType: "text", FieldLabel: "ID"},
		{FieldName: "age", FormName: "f", FieldType: "text", TextValidationTypeOrShowSliderNumber: "integer"},
		{FieldName: "dob", FormName: "f", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd"},
		{FieldName: "scan", FormName: "f", FieldType: "file"},
		{FieldName: "has_scan", FormName: "f", FieldType: "calc", SelectChoicesOrCalculations: "if([scan] <> '', 1, 0)"},
		{FieldName: "id_x10", FormName: "f", FieldType: "calc", SelectChoicesOrCalculations: "[record_id] * 10"},
		{FieldName: "group", FormName: "f", FieldType: "text", FieldAnnotation: `@HIDDEN @CALCTEXT(if([age] >= 18, "adult (18+)", 'minor'))`},
		{FieldName: "day30", FormName: "f", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd", FieldAnnotation: "@CALCDATE([dob], 30, 'd')"},
	}
	p.Instruments = []Instrument{{Name: "f", Label: "F"}}
	return p
}

// TestComputedFieldsFollowEverySave: @CALCTEXT and @CALCDATE are computed
// on import like calc fields; a file upload or delete and a record rename
// save the record, so its computed fields follow; a dictionary import does
// not recompute stored values (REDCap leaves that to Data Quality rule H).
func TestComputedFieldsFollowEverySave(t *testing.T) {
	srv := NewServer(t, computedProject())
	tok := srv.Token("computed")
	exp := func(id string) string {
		_, body := api(t, srv, tok, "content", "record", "format", "csv", "records", id, "fields", "record_id,has_scan,id_x10,group,day30")
		return body
	}
	const head = "record_id,has_scan,id_x10,group,day30\n"
	if st, body := api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,age,dob,group\n1,40,2020-01-15,typed\n"); st != 200 {
		t.Fatalf("import: %d %s", st, body)
	}
	steps := []struct {
		name string
		do   func() (int, string)
		id   string
		want string
	}{
		{"import computes @CALCTEXT and @CALCDATE", nil, "1", head + `1,0,10,"adult (18+)",2020-02-14` + "\n"},
		{"file upload", func() (int, string) {
			return upload(t, srv, tok, "scan.png", []byte("png"), "content", "file", "action", "import", "record", "1", "field", "scan")
		}, "1", head + `1,1,10,"adult (18+)",2020-02-14` + "\n"},
		{"file delete", func() (int, string) {
			return api(t, srv, tok, "content", "file", "action", "delete", "record", "1", "field", "scan")
		}, "1", head + `1,0,10,"adult (18+)",2020-02-14` + "\n"},
		{"rename", func() (int, string) {
			return api(t, srv, tok, "content", "record", "action", "rename", "record", "1", "new_record_name", "7")
		}, "7", head + `7,0,70,"adult (18+)",2020-02-14` + "\n"},
		{"dictionary import keeps stored values", func() (int, string) {
			_, meta := api(t, srv, tok, "content", "metadata", "format", "json")
			if !strings.Contains(meta, `[record_id] * 10"`) {
				t.Fatalf("metadata: %s", meta)
			}
			meta = strings.Replace(meta, `[record_id] * 10"`, `[record_id] * 100"`, 1)
			return api(t, srv, tok, "content", "metadata", "format", "json", "data", meta)
		}, "7", head + `7,0,70,"adult (18+)",2020-02-14` + "\n"},
		{"the next save uses the new equation", func() (int, string) {
			return api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,age\n7,12\n")
		}, "7", head + "7,0,700,minor,2020-02-14\n"},
	}
	for _, s := range steps {
		if s.do != nil {
			if st, body := s.do(); st != 200 {
				t.Fatalf("%s: %d %s", s.name, st, body)
			}
		}
		if got := exp(s.id); got != s.want {
			t.Errorf("%s:\n got %q\nwant %q", s.name, got, s.want)
		}
	}
	// The upload's log entry names the calc it changed.
	_, body := api(t, srv, tok, "content", "log", "format", "json", "logtype", "record")
	if !strings.Contains(body, `scan = '1', has_scan = '1'`) {
		t.Errorf("upload log lacks the calc change: %s", body)
	}
}
