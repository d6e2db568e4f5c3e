package client

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFieldParse(t *testing.T) {
	d := demoDict(t)
	date := func(y, m, dd, h, mi, s int) time.Time { return time.Date(y, time.Month(m), dd, h, mi, s, 0, time.UTC) }
	clock := func(h, m, s int) time.Time { return time.Date(0, 1, 1, h, m, s, 0, time.UTC) }
	tests := []struct {
		field, raw string
		want       Value
		wantErr    string
	}{
		{"age", "", Value{}, ""},
		{"age", "42", Value{Kind: KindNumber, Num: 42, Str: "42"}, ""},
		{"age", "-7", Value{Kind: KindNumber, Num: -7, Str: "-7"}, ""},
		{"age", "+7", Value{Kind: KindNumber, Num: 7, Str: "+7"}, ""},
		{"age", "4.5", Value{}, "not an integer"},
		{"age", "abc", Value{}, "not an integer"},
		{"age", "-", Value{}, "not an integer"},
		{"age", " 42", Value{Kind: KindNumber, Num: 42, Str: "42"}, ""},
		{"weight", " -0.119\t", Value{Kind: KindNumber, Num: -0.119, Str: "-0.119"}, ""},
		{"age", "4 2", Value{}, "not an integer"},
		{"age", "  ", Value{}, "not an integer"},
		{"age", "NA", Value{Missing: "NA"}, ""},
		{"age", "UNK", Value{Missing: "UNK"}, ""},
		{"weight", "70.25", Value{Kind: KindNumber, Num: 70.25, Str: "70.25"}, ""},
		{"weight", ".5", Value{Kind: KindNumber, Num: 0.5, Str: ".5"}, ""},
		{"weight", "1e3", Value{Kind: KindNumber, Num: 1000, Str: "1e3"}, ""},
		{"weight", "5.", Value{}, "not a number"},
		{"weight", "1,5", Value{}, "not a number"},
		{"weight", "NaN", Value{}, "not a number"},
		{"weight", "Inf", Value{}, "not a number"},
		{"weight", "1e999", Value{}, "out of range"},
		{"dose", "1,25", Value{Kind: KindNumber, Num: 1.25, Str: "1,25"}, ""},
		{"dose", "1.25", Value{Kind: KindNumber, Num: 1.25, Str: "1.25"}, ""},
		{"dose", "1,2,5", Value{}, "not a number"},
		{"dose", "-" + strings.Repeat("1", 70) + ",5", Value{Kind: KindNumber, Num: -1.1111111111111111e69, Str: "-" + strings.Repeat("1", 70) + ",5"}, ""},
		{"bmi", "22.9", Value{Kind: KindNumber, Num: 22.9, Str: "22.9"}, ""},
		{"pain", "50", Value{Kind: KindNumber, Num: 50, Str: "50"}, ""},
		{"smoker", "1", Value{Kind: KindNumber, Num: 1, Str: "1"}, ""},
		{"smoker", "2", Value{}, "not a choice code"},
		{"ok", "0", Value{Kind: KindNumber, Num: 0, Str: "0"}, ""},
		{"enrollment_complete", "2", Value{Kind: KindNumber, Num: 2, Str: "2"}, ""},
		{"enrollment_complete", "3", Value{}, "not a choice code"},
		{"enrollment_complete", "NA", Value{}, "not a choice code"},
		{"sex", "3", Value{Kind: KindNumber, Num: 3, Str: "3"}, ""},
		{"sex", "Female", Value{}, "not a choice code"},
		{"site", "bos", Value{Kind: KindText, Str: "bos"}, ""},
		{"site", "BOS", Value{}, "not a choice code"},
		{"dob", "2024-02-29", Value{Kind: KindDate, Time: date(2024, 2, 29, 0, 0, 0), Str: "2024-02-29"}, ""},
		{"dob", "2023-02-29", Value{}, "not a date"},
		{"dob", "2023-13-01", Value{}, "not a date"},
		{"dob", "2023-1-01", Value{}, "not a date"},
		{"dob", "2023-01-01 10:00", Value{}, "not a date"},
		{"dob", "31-01-2023", Value{}, "not a date"},
		{"visit_date", "2023-02-24", Value{Kind: KindDate, Time: date(2023, 2, 24, 0, 0, 0), Str: "2023-02-24"}, ""},
		{"consent_dt", "2024-01-31 08:05", Value{Kind: KindDatetime, Time: date(2024, 1, 31, 8, 5, 0), Str: "2024-01-31 08:05"}, ""},
		{"consent_dt", "2024-01-31 08:05:09", Value{Kind: KindDatetime, Time: date(2024, 1, 31, 8, 5, 9), Str: "2024-01-31 08:05:09"}, ""},
		{"consent_dt", "2024-01-31", Value{}, "not a datetime"},
		{"consent_dt", "2024-01-31T08:05", Value{}, "not a datetime"},
		{"consent_dt", "2024-01-31 24:00", Value{}, "not a datetime"},
		{"legacy_dt", "2024-01-31 08:05:60", Value{}, "not a datetime"},
		{"visit_time", "23:59", Value{Kind: KindTime, Time: clock(23, 59, 0), Str: "23:59"}, ""},
		{"visit_time", "07:08:09", Value{Kind: KindTime, Time: clock(7, 8, 9), Str: "07:08:09"}, ""},
		{"visit_time", "7:08", Value{}, "not a time"},
		{"visit_time", "12:60", Value{}, "not a time"},
		{"lap", "59:30", Value{Kind: KindTime, Time: clock(0, 59, 30), Str: "59:30"}, ""},
		{"lap", "60:00", Value{}, "not a time (MM:SS)"},
		{"lap", "01:02:03", Value{}, "not a time (MM:SS)"},
		{"notes", "line1\nline2", Value{Kind: KindText, Str: "line1\nline2"}, ""},
		{"notes", "NA", Value{Missing: "NA"}, ""},
		{"q", "anything", Value{Kind: KindText, Str: "anything"}, ""},
		{"race", "1,-1", Value{Kind: KindCodeSet, Codes: []string{"1", "-1"}}, ""},
		{"race", "oth", Value{Kind: KindCodeSet, Codes: []string{"oth"}}, ""},
		{"race", "1,9", Value{}, `code "9" is not a choice`},
		{"allergy", "NA", Value{}, `code "NA" is not a choice`},
		{"info", "x", Value{}, "descriptive field has no value"},
		{"baseline_complete", "1", Value{Kind: KindNumber, Num: 1, Str: "1"}, ""},
	}
	for _, tt := range tests {
		f, ok := d.Field(tt.field)
		if !ok {
			t.Fatalf("no field %q", tt.field)
		}
		got, err := f.Parse(tt.raw)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s.Parse(%q) err = %v, want %q", tt.field, tt.raw, err, tt.wantErr)
			}
			if !got.IsNull() || got.Missing != "" {
				t.Errorf("%s.Parse(%q) = %+v with an error, want null", tt.field, tt.raw, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s.Parse(%q): %v", tt.field, tt.raw, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s.Parse(%q) =\n %+v\nwant\n %+v", tt.field, tt.raw, got, tt.want)
		}
		if s := got.String(); s != strings.Trim(tt.raw, " \t") {
			t.Errorf("%s.Parse(%q).String() = %q", tt.field, tt.raw, s)
		}
	}
}

func TestValueErrorMessage(t *testing.T) {
	d := demoDict(t)
	f, _ := d.Field("age")
	_, err := f.Parse("abc")
	if got := err.Error(); got != `field "age": value "abc": not an integer` {
		t.Fatalf("Error() = %s", got)
	}
	e := &ValueError{Record: "3", Field: "race", Column: "race___1", Value: "x", Reason: "bad"}
	if got := e.Error(); got != `record "3", field "race" (column "race___1"): value "x": bad` {
		t.Fatalf("Error() = %s", got)
	}
}

func TestValueStringWithoutText(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Value{}, ""},
		{Value{Missing: "UNK"}, "UNK"},
		{Value{Kind: KindNumber, Num: 2.5}, "2.5"},
		{Value{Kind: KindNumber, Num: 1e21}, "1000000000000000000000"},
		{Value{Kind: KindDate, Time: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}, "2024-01-02"},
		{Value{Kind: KindDatetime, Time: time.Date(2024, 1, 2, 3, 4, 0, 0, time.UTC)}, "2024-01-02 03:04"},
		{Value{Kind: KindDatetime, Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, "2024-01-02 03:04:05"},
		{Value{Kind: KindTime, Time: time.Date(0, 1, 1, 3, 4, 0, 0, time.UTC)}, "03:04"},
		{Value{Kind: KindTime, Time: time.Date(0, 1, 1, 3, 4, 5, 0, time.UTC)}, "03:04:05"},
		{Value{Kind: KindCodeSet, Codes: []string{"1", "oth"}}, "1,oth"},
		{Value{Kind: KindText, Str: "x"}, "x"},
		{Value{Kind: KindBool, Num: 1}, "true"},
		{Value{Kind: KindBool, Num: 0}, "false"},
		{Value{Kind: KindBool, Num: 1, Str: "1"}, "true"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.v, got, tt.want)
		}
	}
	cs := Value{Kind: KindCodeSet, Codes: []string{"1", "oth"}}
	if !cs.Has("oth") || cs.Has("2") {
		t.Error("Has")
	}
	if (Value{Kind: KindNumber, Num: 3}).Any() != 3.0 || (Value{}).Any() != nil ||
		(Value{Kind: KindBool, Num: 1}).Any() != true || (Value{Kind: KindBool}).Any() != false {
		t.Error("Any")
	}
}

func TestKindString(t *testing.T) {
	want := []string{"null", "text", "number", "date", "datetime", "time", "codeset", "boolean", "Kind(8)"}
	for k, w := range want {
		if got := Kind(k).String(); got != w {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, w)
		}
	}
}

func TestCodeSetFromColumns(t *testing.T) {
	d := demoDict(t)
	race, _ := d.Field("race") // race___1 ___2 ___3 ____1 ___oth ___na ___unk
	tests := []struct {
		vals    string
		want    Value
		wantErr string
	}{
		{"1,0,0,1,0,0,0", Value{Kind: KindCodeSet, Codes: []string{"1", "-1"}}, ""},
		{"0,0,0,0,0,0,0", Value{Kind: KindCodeSet, Codes: []string{}}, ""},
		{",,,,,,", Value{}, ""},
		{"0,0,0,0,0,1,0", Value{Missing: "NA"}, ""},
		{"0,0,0,0,0,0,x", Value{}, `column "race___unk"): value "x": checkbox column holds neither 0 nor 1`},
		{"0,,0,0,0,0,0", Value{}, "some checkbox columns blank"},
		{"0,0", Value{}, "got 2 column values, want 7"},
	}
	for _, tt := range tests {
		got, err := race.CodeSetFromColumns(strings.Split(tt.vals, ","))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CodeSetFromColumns(%s) err = %v, want %q", tt.vals, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CodeSetFromColumns(%s) = %+v, %v; want %+v", tt.vals, got, err, tt.want)
		}
	}
	age, _ := d.Field("age")
	if _, err := age.CodeSetFromColumns([]string{"1"}); err == nil {
		t.Error("CodeSetFromColumns on a number field: no error")
	}
}

func TestCodeSetCanonicalString(t *testing.T) {
	d := demoDict(t)
	race, _ := d.Field("race")
	v, err := race.Parse("oth, 1,1")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "1,oth" {
		t.Fatalf("String() = %q, want codes in dictionary order, once each", got)
	}
}
