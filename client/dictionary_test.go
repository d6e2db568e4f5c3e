package client

import (
	"reflect"
	"strings"
	"testing"
)

// demoMeta is the demo project's dictionary (rq brief), plus a few odd fields.
func demoMeta() []MetadataField {
	m := func(name, form, typ, val, choices string) MetadataField {
		return MetadataField{FieldName: name, FormName: form, FieldType: typ, FieldLabel: strings.ToUpper(name),
			TextValidationTypeOrShowSliderNumber: val, SelectChoicesOrCalculations: choices}
	}
	email := m("email", "enrollment", "text", "email", "")
	email.Identifier = "y"
	nomiss := m("allergy", "baseline", "checkbox", "", "1, Peanut | 2, Milk")
	nomiss.FieldAnnotation = "@HIDDEN @NOMISSING"
	return []MetadataField{
		m("record_id", "enrollment", "text", "", ""),
		m("dob", "enrollment", "text", "date_ymd", ""),
		m("sex", "enrollment", "radio", "", "1, Female | 2, Male | 3, Other"),
		m("site", "enrollment", "dropdown", "", "nyc, New York | bos, Boston | chi, Chicago"),
		m("consent_dt", "enrollment", "text", "datetime_ymd", ""),
		email,
		m("age", "baseline", "text", "integer", ""),
		m("weight", "baseline", "text", "number", ""),
		m("bmi", "baseline", "calc", "", "round([weight]/([height]^2),1)"),
		m("race", "baseline", "checkbox", "", "1, White | 2, Black | 3, Asian | -1, Unknown | oth, Other"),
		m("smoker", "baseline", "yesno", "", ""),
		m("notes", "baseline", "notes", "", ""),
		m("pain", "baseline", "slider", "number", "None | Some | Worst"),
		m("info", "baseline", "descriptive", "", ""),
		nomiss,
		m("legacy_dt", "baseline", "text", "datetime_seconds", ""),
		m("visit_date", "visit", "text", "date_dmy", ""),
		m("visit_time", "visit", "text", "time", ""),
		m("lap", "visit", "text", "time_mm_ss", ""),
		m("dose", "visit", "text", "number_2dp_comma_decimal", ""),
		m("ok", "visit", "truefalse", "", ""),
		m("q", "visit", "sql", "", "select value from somewhere"),
	}
}

func demoDict(t testing.TB) *Dictionary {
	t.Helper()
	d, err := NewDictionary(demoMeta(), "NA, Not applicable | UNK, Unknown")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDictionaryStructure(t *testing.T) {
	d := demoDict(t)
	if got := d.RecordIDField(); got != "record_id" {
		t.Errorf("RecordIDField = %q", got)
	}
	if got := d.Forms(); !reflect.DeepEqual(got, []string{"enrollment", "baseline", "visit"}) {
		t.Errorf("Forms = %q", got)
	}
	var names []string
	for i, f := range d.Fields() {
		names = append(names, f.Name)
		if f.Index != i {
			t.Errorf("%s.Index = %d, want %d", f.Name, f.Index, i)
		}
	}
	want := "record_id dob sex site consent_dt email enrollment_complete age weight bmi race smoker notes pain info allergy legacy_dt baseline_complete visit_date visit_time lap dose ok q visit_complete"
	if strings.Join(names, " ") != want {
		t.Errorf("Fields =\n %s\nwant\n %s", strings.Join(names, " "), want)
	}
	if got := d.Identifiers(); !reflect.DeepEqual(got, []string{"email"}) {
		t.Errorf("Identifiers = %q", got)
	}
	if got := d.MissingCodes(); !reflect.DeepEqual(got, []Choice{{"NA", "Not applicable"}, {"UNK", "Unknown"}}) {
		t.Errorf("MissingCodes = %q", got)
	}
	cols := strings.Join(d.Columns(), " ")
	wantCols := "record_id dob sex site consent_dt email enrollment_complete age weight bmi race___1 race___2 race___3 race____1 race___oth race___na race___unk smoker notes pain allergy___1 allergy___2 legacy_dt baseline_complete visit_date visit_time lap dose ok q visit_complete"
	if cols != wantCols {
		t.Errorf("Columns =\n %s\nwant\n %s", cols, wantCols)
	}
	if len(d.Warnings()) != 0 {
		t.Errorf("Warnings = %q", d.Warnings())
	}
	if got := d.FormFields("visit"); len(got) != 7 || got[6].Name != "visit_complete" {
		t.Errorf("FormFields(visit) has %d fields", len(got))
	}
}

func TestDictionaryKinds(t *testing.T) {
	d := demoDict(t)
	want := map[string]Kind{
		"record_id": KindText, "dob": KindDate, "sex": KindNumber, "site": KindText, "consent_dt": KindDatetime,
		"email": KindText, "enrollment_complete": KindNumber, "age": KindNumber, "weight": KindNumber,
		"bmi": KindNumber, "race": KindCodeSet, "smoker": KindNumber, "notes": KindText, "pain": KindNumber,
		"info": KindNull, "allergy": KindCodeSet, "legacy_dt": KindDatetime, "visit_date": KindDate,
		"visit_time": KindTime, "lap": KindTime, "dose": KindNumber, "ok": KindNumber, "q": KindText,
	}
	for name, k := range want {
		f, ok := d.Field(name)
		if !ok {
			t.Errorf("Field(%q) missing", name)
			continue
		}
		if f.Kind != k {
			t.Errorf("%s: Kind = %v, want %v", name, f.Kind, k)
		}
	}
	if f, _ := d.Field("legacy_dt"); f.Validation != "datetime_seconds_ymd" {
		t.Errorf("legacy_dt validation = %q", f.Validation)
	}
	bmi, _ := d.Field("bmi")
	if bmi.Formula == "" || bmi.Choices != nil {
		t.Errorf("calc: Formula %q, Choices %v", bmi.Formula, bmi.Choices)
	}
	pain, _ := d.Field("pain")
	if !reflect.DeepEqual(pain.SliderLabels, []string{"None", "Some", "Worst"}) || pain.Choices != nil {
		t.Errorf("slider: labels %q, choices %v", pain.SliderLabels, pain.Choices)
	}
	st, _ := d.Field("baseline_complete")
	if !st.Synthetic || st.Form != "baseline" || st.FieldType != "form_status" {
		t.Errorf("baseline_complete = %+v", st)
	}
	if _, ok := d.Field("nope"); ok {
		t.Error("Field(nope) found")
	}
}

func TestLegacyValidation(t *testing.T) {
	for in, want := range map[string]struct {
		v string
		k Kind
	}{
		"int": {"integer", KindNumber}, "float": {"number", KindNumber}, "date": {"date_ymd", KindDate},
		"datetime": {"datetime_ymd", KindDatetime}, "datetime_seconds": {"datetime_seconds_ymd", KindDatetime},
		"number_1dp": {"number_1dp", KindNumber}, "number_comma_decimal": {"number_comma_decimal", KindNumber},
		"time_hh_mm_ss": {"time_hh_mm_ss", KindTime}, "phone": {"phone", KindText}, "": {"", KindText},
	} {
		d, err := NewDictionary([]MetadataField{{FieldName: "id", FormName: "f", FieldType: "text"},
			{FieldName: "x", FormName: "f", FieldType: "text", TextValidationTypeOrShowSliderNumber: in}}, "")
		if err != nil {
			t.Fatal(err)
		}
		f, _ := d.Field("x")
		if f.Validation != want.v || f.Kind != want.k {
			t.Errorf("validation %q: got %q %v, want %q %v", in, f.Validation, f.Kind, want.v, want.k)
		}
	}
}

func TestExportColumn(t *testing.T) {
	d := demoDict(t)
	tests := []struct {
		col, field, code string
		ok               bool
	}{
		{"race___2", "race", "2", true},
		{"race____1", "race", "-1", true},
		{"race___oth", "race", "oth", true},
		{"race___na", "race", "NA", true},
		{"race", "race", "", true},
		{"age", "age", "", true},
		{"visit_complete", "visit_complete", "", true},
		{"allergy___na", "", "", false}, // @NOMISSING
		{"race___9", "", "", false},
		{"redcap_event_name", "", "", false},
	}
	for _, tt := range tests {
		f, code, ok := d.ExportColumn(tt.col)
		name := ""
		if f != nil {
			name = f.Name
		}
		if ok != tt.ok || name != tt.field || code != tt.code {
			t.Errorf("ExportColumn(%q) = %q, %q, %v; want %q, %q, %v", tt.col, name, code, ok, tt.field, tt.code, tt.ok)
		}
	}
	for _, tt := range []struct{ field, code, want string }{
		{"race", "-1", "race____1"}, {"race", "UNK", "race___unk"}, {"race", "7", ""},
		{"allergy", "NA", ""}, {"age", "1", ""}, {"nope", "1", ""},
	} {
		if got := d.CheckboxColumn(tt.field, tt.code); got != tt.want {
			t.Errorf("CheckboxColumn(%q, %q) = %q, want %q", tt.field, tt.code, got, tt.want)
		}
	}
	for col, want := range map[string]bool{"redcap_event_name": true, "redcap_repeat_instance": true,
		"baseline_timestamp": true, "nope_timestamp": false, "age": false} {
		if got := d.IsPlumbingColumn(col); got != want {
			t.Errorf("IsPlumbingColumn(%q) = %v", col, got)
		}
	}
}

func TestChoiceLabel(t *testing.T) {
	d := demoDict(t)
	tests := []struct{ field, code, want string }{
		{"sex", "2", "Male"}, {"site", "bos", "Boston"}, {"race", "-1", "Unknown"},
		{"smoker", "1", "Yes"}, {"smoker", "0", "No"}, {"ok", "0", "False"},
		{"visit_complete", "2", "Complete"}, {"sex", "UNK", "Unknown"}, {"sex", "9", ""},
		{"allergy", "NA", ""}, {"age", "1", ""},
	}
	for _, tt := range tests {
		f, _ := d.Field(tt.field)
		got, ok := f.ChoiceLabel(tt.code)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("%s.ChoiceLabel(%q) = %q, %v; want %q", tt.field, tt.code, got, ok, tt.want)
		}
	}
}

func TestNewDictionaryErrors(t *testing.T) {
	row := func(name, form, typ, choices string) MetadataField {
		return MetadataField{FieldName: name, FormName: form, FieldType: typ, SelectChoicesOrCalculations: choices}
	}
	tests := []struct {
		name    string
		meta    []MetadataField
		missing string
		wantErr string
	}{
		{"empty", nil, "", "no fields"},
		{"blank name", []MetadataField{row("", "f", "text", "")}, "", "row 1: blank field name"},
		{"blank form", []MetadataField{row("id", "", "text", "")}, "", `field "id": blank form name`},
		{"duplicate", []MetadataField{row("id", "f", "text", ""), row("id", "f", "text", "")}, "", `field "id" appears twice`},
		{"no choices", []MetadataField{row("id", "f", "text", ""), row("r", "f", "radio", "")}, "", `field "r": radio field without choices`},
		{"bad choices", []MetadataField{row("id", "f", "text", ""), row("r", "f", "checkbox", "1, a | , b")}, "", `field "r": choice 2`},
		{"bad missing", []MetadataField{row("id", "f", "text", "")}, ", x", "missing data codes"},
	}
	for _, tt := range tests {
		_, err := NewDictionary(tt.meta, tt.missing)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestCheckboxColumnCollisionWarns(t *testing.T) {
	d, err := NewDictionary([]MetadataField{
		{FieldName: "id", FormName: "f", FieldType: "text"},
		{FieldName: "c", FormName: "f", FieldType: "checkbox", SelectChoicesOrCalculations: "a, lower | A, upper"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Warnings()) != 1 || !strings.Contains(d.Warnings()[0], `"c___a"`) {
		t.Fatalf("Warnings = %q", d.Warnings())
	}
	f, code, _ := d.ExportColumn("c___a")
	if f.Name != "c" || code != "a" {
		t.Fatalf("c___a -> %s %q", f.Name, code)
	}
}
