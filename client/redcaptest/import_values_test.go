package redcaptest

import (
	"reflect"
	"testing"
)

func TestNormalizeImportValue(t *testing.T) {
	text := func(v string) *fieldRule { return &fieldRule{Name: "x", Type: "text", Validation: v} }
	radio := &fieldRule{Name: "sex", Type: "radio", Codes: []string{"1", "2", "oth"}}
	tests := []struct {
		rule       *fieldRule
		in, format string
		want       string
		wantErr    string
	}{
		{text(""), "anything at all", "", "anything at all", ""},
		{text("integer"), "42", "", "42", ""},
		{text("integer"), "-7", "", "-7", ""},
		{text("integer"), "4.2", "", "4.2", msgNotInteger},
		{text("int"), "x", "", "x", msgNotInteger},
		{text("number"), "4.25", "", "4.25", ""},
		{text("number"), ".5", "", ".5", ""},
		{text("number"), "abc", "", "abc", msgNotNumber},
		{text("number_1dp"), "22.0", "", "22.0", ""},
		{text("number_1dp"), "22", "", "22", msgBadFormat},
		{text("number_2dp_comma_decimal"), "1,25", "", "1,25", ""},
		{text("number_comma_decimal"), "1,5", "", "1,5", ""},
		{text("date_ymd"), "2020-02-29", "", "2020-02-29", ""},
		{text("date_ymd"), "2021-02-29", "", "2021-02-29", msgBadFormat},
		{text("date_mdy"), "2020-1-5", "YMD", "2020-01-05", ""},
		{text("date_mdy"), "4/12/1982", "MDY", "1982-04-12", ""},
		{text("date_dmy"), "4/12/1982", "DMY", "1982-12-04", ""},
		{text("date_dmy"), "4/12/1982", "", "4/12/1982", msgBadFormat},
		{text("date_ymd"), "13/12/1982", "MDY", "13/12/1982", msgBadFormat},
		{text("date_ymd"), "1982-12-13", "MDY", "1982-12-13", ""},
		{text("date_ymd"), "1982-12-13", "DMY", "1982-12-13", ""},
		{text("datetime_ymd"), "2020-01-05 9:30", "", "2020-01-05 09:30", ""},
		{text("datetime_dmy"), "05/01/2020 09:30", "DMY", "2020-01-05 09:30", ""},
		{text("datetime_ymd"), "2020-01-05", "", "2020-01-05", msgBadFormat},
		{text("datetime_seconds_ymd"), "2020-01-05 09:30:59", "", "2020-01-05 09:30:59", ""},
		{text("datetime_seconds_ymd"), "2020-01-05 09:30", "", "2020-01-05 09:30", msgBadFormat},
		{text("time"), "23:59", "", "23:59", ""},
		{text("time"), "24:00", "", "24:00", msgBadTime},
		{text("time_mm_ss"), "59:59", "", "59:59", ""},
		{text("time_hh_mm_ss"), "1:02:03", "", "01:02:03", ""},
		{text("email"), "joe@user.com", "", "joe@user.com", ""},
		{text("email"), "joe.user.com", "", "joe.user.com", msgBadEmail},
		{text("zipcode"), "94043", "", "94043", ""},
		{text("phone"), "(415) 555-1212", "", "(415) 555-1212", ""},
		{text("phone"), "555-1212", "", "555-1212", msgBadPhone},
		{radio, "oth", "", "oth", ""},
		{radio, "3", "", "3", msgBadChoice + "sex"},
		{&fieldRule{Type: "yesno"}, "1", "", "1", ""},
		{&fieldRule{Type: "yesno"}, "yes", "", "yes", msgBadYesNo},
		{&fieldRule{Type: "truefalse"}, "2", "", "2", msgBadTrue},
		{&fieldRule{Type: "slider"}, "100", "", "100", ""},
		{&fieldRule{Type: "slider"}, "101", "", "101", msgBadSlider},
		{&fieldRule{Type: "calc"}, "12.5", "", "12.5", ""},
		{&fieldRule{Type: "calc"}, "x", "", "x", msgBadCalc},
		{&fieldRule{Type: "notes"}, "line1\nline2", "", "line1\nline2", ""},
	}
	for _, tc := range tests {
		got, gotErr := normalizeImportValue(tc.rule, tc.in, tc.format)
		if got != tc.want || gotErr != tc.wantErr {
			t.Errorf("%s/%s %q (%s) = %q, %q; want %q, %q", tc.rule.Type, tc.rule.Validation, tc.in, tc.format, got, gotErr, tc.want, tc.wantErr)
		}
	}
}

func TestParseImportRows(t *testing.T) {
	want := []*importRow{
		{line: 1, cols: []string{"record_id", "age"}, vals: map[string]string{"record_id": "1", "age": "30"}},
		{line: 2, cols: []string{"record_id", "age"}, vals: map[string]string{"record_id": "2", "age": ""}},
	}
	tests := []struct{ format, data string }{
		{"csv", "record_id,age\n1,30\n2,\n"},
		{"csv", "\ufeffrecord_id,age\r\n1,30\r\n2\r\n"},
		{"json", `[{"record_id":"1","age":30},{"record_id":2,"age":null}]`},
		{"xml", `<?xml version="1.0" encoding="UTF-8" ?><records><item><record_id>1</record_id><age>30</age></item><item><record_id>2</record_id><age></age></item></records>`},
		{"", `<records><item><record_id>1</record_id><age>30</age></item><item><record_id>2</record_id><age/></item></records>`},
	}
	for _, tc := range tests {
		got, err := parseImportRows(tc.data, tc.format)
		if err != nil {
			t.Errorf("%s %q: %v", tc.format, tc.data, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %q:\n got %+v\nwant %+v", tc.format, tc.data, got, want)
		}
	}
	for _, bad := range []struct{ format, data string }{
		{"csv", "a,b\n1,2,3\n"},
		{"json", `[{"a":[1]}]`},
		{"json", `[1,2]`},
		{"json", `{"a":`},
		{"xml", `<records><item><a><b>1</b></a></item></records>`},
		{"xml", `<records><item>`},
	} {
		if _, err := parseImportRows(bad.data, bad.format); err == nil {
			t.Errorf("%s %q: no error", bad.format, bad.data)
		}
	}
}

func TestEAVToFlat(t *testing.T) {
	rows, err := parseImportRows("record,redcap_event_name,field_name,value\n1,e1,age,30\n1,e1,race___2,1\n1,e2,sbp,120\n", "csv")
	if err != nil {
		t.Fatal(err)
	}
	flat, err := eavToFlat(rows, "record_id")
	if err != nil {
		t.Fatal(err)
	}
	if len(flat) != 2 {
		t.Fatalf("got %d rows, want 2", len(flat))
	}
	if got := flat[0].cols; !reflect.DeepEqual(got, []string{"record_id", "redcap_event_name", "age", "race___2"}) {
		t.Errorf("row 1 columns %v", got)
	}
	if v, _ := flat[1].get("sbp"); v != "120" {
		t.Errorf("row 2 sbp = %q", v)
	}
	if _, err := eavToFlat([]*importRow{{vals: map[string]string{"record": "1"}}}, "id"); err == nil {
		t.Error("missing field_name column: no error")
	}
}
