package refeval

import (
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
)

// testSchema is a dictionary with one field of each typing rule.
func testSchema(t *testing.T) *Schema {
	t.Helper()
	m := func(name, typ, validation, choices string) client.MetadataField {
		return client.MetadataField{FieldName: name, FormName: "f", FieldType: typ,
			TextValidationTypeOrShowSliderNumber: validation, SelectChoicesOrCalculations: choices}
	}
	nomiss := m("nomiss", "text", "", "")
	nomiss.FieldAnnotation = "@HIDDEN @NOMISSING"
	nearly := m("nearly", "text", "", "")
	nearly.FieldAnnotation = "@NOMISSING_NOT"
	s, err := newSchema([]client.MetadataField{
		m("record_id", "text", "", ""),
		m("int", "text", "int", ""),
		m("num", "text", "number_2dp", ""),
		m("comma", "text", "number_1dp_comma_decimal", ""),
		m("date", "text", "date_dmy", ""),
		m("dt", "text", "datetime_seconds_mdy", ""),
		m("clock", "text", "time", ""),
		m("minsec", "text", "time_mm_ss", ""),
		m("email", "text", "email", ""),
		m("calc", "calc", "", "[int]*2"),
		m("slider", "slider", "", "low | mid | high"),
		m("yn", "yesno", "", ""),
		m("sex", "radio", "", "1, Female | 2, Male"),
		m("site", "dropdown", "", "nyc, New York | bos, Boston"),
		m("race", "checkbox", "", "1, White | -1, Unknown | A.b, Odd"),
		m("desc", "descriptive", "", ""),
		nomiss, nearly,
	}, "NA, Not applicable | UNK, Unknown")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestParse: each raw export value, typed by its field, as Canon renders it
// (and the missing code it carries).
func TestParse(t *testing.T) {
	s := testSchema(t)
	tests := []struct {
		field, raw, want, missing string
	}{
		{"int", "42", "n:42", ""},
		{"int", " -7\t", "n:-7", ""},
		{"int", "4.0", "NULL", ""}, // not an integer
		{"int", "1e3", "NULL", ""},
		{"int", "NA", "NULL", "NA"},
		{"int", "na", "NULL", ""}, // codes are exact
		{"num", "70.25", "n:70.25", ""},
		{"num", ".5", "n:0.5", ""},
		{"num", "1e3", "n:1000", ""},
		{"num", "5.", "NULL", ""},
		{"num", "1,5", "NULL", ""},
		{"num", "1e999", "NULL", ""}, // out of range
		{"comma", "1,5", "n:1.5", ""},
		{"comma", "2.25", "n:2.25", ""},
		{"date", "2024-02-29", "d:2024-02-29", ""}, // exports are Y-M-D whatever the validation
		{"date", "2023-02-29", "NULL", ""},
		{"date", "2024-2-3", "NULL", ""},
		{"date", "29-02-2024", "NULL", ""},
		{"dt", "2024-01-31 08:05", "dt:2024-01-31 08:05:00", ""},
		{"dt", "2024-01-31 08:05:09", "dt:2024-01-31 08:05:09", ""},
		{"dt", "2024-01-31 24:00", "NULL", ""},
		{"dt", "2024-01-31 8:05", "NULL", ""},
		{"dt", "2024-01-31", "NULL", ""},
		{"clock", "23:59", "t:23:59:00", ""},
		{"clock", "07:08:09", "t:07:08:09", ""},
		{"clock", "7:08", "NULL", ""},
		{"clock", "12:60", "NULL", ""},
		{"minsec", "59:30", "t:00:59:30", ""},
		{"minsec", "60:00", "NULL", ""},
		{"email", "a@b.org", "s:a@b.org", ""},
		{"email", "UNK", "NULL", "UNK"},
		{"calc", "12.5", "n:12.5", ""},
		{"calc", "x", "NULL", ""},
		{"slider", "50", "n:50", ""},
		{"yn", "1", "n:1", ""},
		{"yn", "2", "NULL", ""},
		{"sex", "2", "n:2", ""},
		{"sex", "Male", "NULL", ""},
		{"site", "bos", "s:bos", ""},
		{"site", "la", "NULL", ""},
		{"f_complete", "2", "n:2", ""},
		{"f_complete", "NA", "NULL", ""}, // form status takes no missing codes
		{"nomiss", "NA", "s:NA", ""},
		{"nearly", "NA", "NULL", "NA"}, // @NOMISSING_NOT is another tag
		{"int", "", "NULL", ""},
	}
	for _, tc := range tests {
		f, ok := s.Field(tc.field)
		if !ok {
			t.Fatalf("no field %s", tc.field)
		}
		v := s.parse(f, tc.raw)
		if v.Canon() != tc.want || v.Missing != tc.missing {
			t.Errorf("%s %q = %s (missing %q), want %s (missing %q)", tc.field, tc.raw, v.Canon(), v.Missing, tc.want, tc.missing)
		}
	}
}

// TestCheckbox: a checkbox's columns, their names and the code set they give.
func TestCheckbox(t *testing.T) {
	s := testSchema(t)
	race, _ := s.Field("race")
	wantCols := []string{"race___1", "race____1", "race___a_b", "race___na", "race___unk"}
	if !slices.Equal(race.Columns(), wantCols) {
		t.Fatalf("columns %v, want %v", race.Columns(), wantCols)
	}
	if c := s.CheckboxColumn("race", "A.b"); c != "race___a_b" {
		t.Errorf("CheckboxColumn(race, A.b) = %q", c)
	}
	if c := s.CheckboxColumn("nope", "1") + s.CheckboxColumn("sex", "1") + s.CheckboxColumn("race", "9"); c != "" {
		t.Errorf("CheckboxColumn of no checkbox code = %q", c)
	}
	if f, code, ok := s.column("race___unk"); !ok || f != race || code != "UNK" {
		t.Errorf("column(race___unk) = %v %q %v", f, code, ok)
	}
	if _, ok := s.Field("desc"); !ok || len(s.byName["desc"].Columns()) != 0 {
		t.Error("a descriptive field has no column")
	}
	tests := []struct {
		raws          []string
		want, missing string
	}{
		{[]string{"1", "0", "1", "0", "0"}, "c:1,A.b", ""},
		{[]string{"0", "0", "0", "0", "0"}, "c:", ""},
		{[]string{"", "", "", "", ""}, "NULL", ""},
		{[]string{"0", "0", "0", "1", "0"}, "NULL", "NA"},
		{[]string{"1", "", "0", "0", "0"}, "NULL", ""}, // blanks mixed with values
		{[]string{"1", "2", "0", "0", "0"}, "NULL", ""},
	}
	for _, tc := range tests {
		v := race.checkbox(tc.raws)
		if v.Canon() != tc.want || v.Missing != tc.missing {
			t.Errorf("%v = %s (missing %q), want %s (missing %q)", tc.raws, v.Canon(), v.Missing, tc.want, tc.missing)
		}
	}
}

// TestChoices: REDCap's choice strings.
func TestChoices(t *testing.T) {
	for src, want := range map[string][]Choice{
		"1, Female | 2, Male":          {{"1", "Female"}, {"2", "Male"}},
		" 1 ,a, b|2":                   {{"1", "a, b"}, {"2", "2"}},
		"1&#44;5, One&#44; and a half": {{"1,5", "One, and a half"}},
		"1, A | 1, B | | 2, C":         {{"1", "A, B"}, {"2", "C"}},
		"":                             nil,
	} {
		if got := choices(src); !slices.Equal(got, want) {
			t.Errorf("choices(%q) = %v, want %v", src, got, want)
		}
	}
}

// TestSchemaOrder: fields in form order, each form's status field after
// its last field, kinds by field type.
func TestSchemaOrder(t *testing.T) {
	s, err := newSchema([]client.MetadataField{
		{FieldName: "id", FormName: "a", FieldType: "text"},
		{FieldName: "x", FormName: "b", FieldType: "radio", SelectChoicesOrCalculations: "1, one | y, why"},
		{FieldName: "z", FormName: "a", FieldType: "truefalse"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var kinds []Kind
	for _, f := range s.Fields() {
		names = append(names, f.Name)
		kinds = append(kinds, f.Kind)
	}
	if want := []string{"id", "z", "a_complete", "x", "b_complete"}; !slices.Equal(names, want) {
		t.Errorf("fields %v, want %v", names, want)
	}
	if want := []Kind{KindText, KindNumber, KindNumber, KindText, KindNumber}; !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	if s.RecordID() != "id" || !slices.Equal(s.Forms(), []string{"a", "b"}) {
		t.Errorf("record id %s, forms %v", s.RecordID(), s.Forms())
	}
	if _, err := newSchema([]client.MetadataField{{FieldName: "id", FormName: "a", FieldType: "radio"}}, ""); err == nil {
		t.Error("a radio field without choices is accepted")
	}
}
