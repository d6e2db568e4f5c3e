package client

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseChoices(t *testing.T) {
	tests := []struct {
		in      string
		want    []Choice
		wantErr string
	}{
		{"", nil, ""},
		{"   ", nil, ""},
		{"1, Male | 2, Female", []Choice{{"1", "Male"}, {"2", "Female"}}, ""},
		{"1,Male|2,Female", []Choice{{"1", "Male"}, {"2", "Female"}}, ""},
		{"1, Smith, John | 2, Doe", []Choice{{"1", "Smith, John"}, {"2", "Doe"}}, ""},
		{"yes | no", []Choice{{"yes", "yes"}, {"no", "no"}}, ""},
		{"1, a&#44; b | x&#44;y", []Choice{{"1", "a, b"}, {"x,y", "x,y"}}, ""},
		{"1, One | 1, Uno | 2, Two", []Choice{{"1", "One, Uno"}, {"2", "Two"}}, ""},
		{"-1, Unknown | 1.5, Half | oth, Other", []Choice{{"-1", "Unknown"}, {"1.5", "Half"}, {"oth", "Other"}}, ""},
		{"1, A | | 2, B |", []Choice{{"1", "A"}, {"2", "B"}}, ""},
		{"1, | 2, B", []Choice{{"1", ""}, {"2", "B"}}, ""},
		{"1, Прогулка | 2, Бег", []Choice{{"1", "Прогулка"}, {"2", "Бег"}}, ""},
		{"1, A | , B", nil, `choice 2 ", B": blank code`},
	}
	for _, tt := range tests {
		got, err := ParseChoices(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseChoices(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseChoices(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatChoicesRoundTrip(t *testing.T) {
	cs := []Choice{{"1", "Smith, John"}, {"x,y", "comma code"}, {"oth", "Other"}}
	s := FormatChoices(cs)
	if s != "1, Smith, John | x&#44;y, comma code | oth, Other" {
		t.Fatalf("FormatChoices = %q", s)
	}
	back, err := ParseChoices(s)
	if err != nil || !reflect.DeepEqual(back, cs) {
		t.Fatalf("round trip = %q, %v", back, err)
	}
}

func TestCheckboxColumnName(t *testing.T) {
	tests := []struct{ field, code, want string }{
		{"race", "1", "race___1"},
		{"x", "-1", "x____1"},
		{"x", "1.5", "x___1_5"},
		{"x", "NA", "x___na"},
		{"x", "Oth", "x___oth"},
		{"x", "a b/c", "x___abc"},
		{"x", "é1", "x___1"},
		{"x", "snake_case", "x___snake_case"},
		{"x", "0", "x___0"},
	}
	for _, tt := range tests {
		if got := CheckboxColumnName(tt.field, tt.code); got != tt.want {
			t.Errorf("CheckboxColumnName(%q, %q) = %q, want %q", tt.field, tt.code, got, tt.want)
		}
	}
}
