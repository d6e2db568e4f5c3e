package client

import (
	"reflect"
	"testing"
)

func TestNearest(t *testing.T) {
	names := []string{"age", "baseline", "enrollment_arm_1", "sex", "site"}
	for _, tt := range []struct{ in, want string }{
		{"agee", "age"}, {"basline", "baseline"}, {"enrolment_arm_1", "enrollment_arm_1"},
		{"age", ""}, {"zzzzzz", ""}, {"sexx", "sex"},
	} {
		if got := Nearest(tt.in, names); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLogicNames(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []logicRef
	}{
		{"[agee] > 3", []logicRef{{field: "agee"}}},
		{"[enrollment_arm_1][age] > 85 and [sex] = '1'", []logicRef{{"enrollment_arm_1", "age"}, {field: "sex"}}},
		{`[race(2)] = "1" and [notes] = '[not_a_field]'`, []logicRef{{field: "race"}, {field: "notes"}}},
		{"[event-name] = 'x' and [record-dag-name] <> ''", nil},
		{"", nil},
	} {
		if got := logicNames(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("logicNames(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
