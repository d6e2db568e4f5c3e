package importer_test

import (
	"strings"
	"testing"

	"github.com/redcapql/rq/client/importer"
)

// badCSV has one problem per data row (and one in the header), each on a
// different rule, so a missed rule or a merged report shows.
const badCSV = `record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age,sex,site,dob,race___1,smoker,weight,sbp,med_name,med_dose,bogus_col,baseline_complete
9001,enrollment_arm_1,,,42,2,nyc,1980-02-03,1,0,70,,,,,2
9002,enrollment_arm_1,,,4x2,1,nyc,,,,,,,,,
9003,enrollment_arm_1,,,30,7,nyc,,,,,,,,,
9004,enrollment_arm_1,,,30,1,paris,,,,,,,,,
9005,enrollment_arm_1,,,30,1,nyc,1980-02-30,,,,,,,,
9006,enrollment_arm_1,,,30,1,nyc,,2,,,,,,,
9007,enrollment_arm_1,,,30,1,nyc,,,yes,,,,,,
9008,week_4_arm_1,,,30,,,,,,,120,,,,
9009,week_9_arm_1,,,,,,,,,,120,,,,
9010,,,,30,,,,,,,,,,,
9011,enrollment_arm_1,medications,0,,,,,,,,,aspirin,,,
9012,enrollment_arm_1,visit,1,,,,,,,,,,,,
9013,enrollment_arm_1,,,30,,,,,,,,aspirin,,,
,enrollment_arm_1,,,30,,,,,,,,,,,
9001,enrollment_arm_1,,,,,,,,,,,,,,
9014,enrollment_arm_1,,,30,,,,,,500,,,,,
9015,enrollment_arm_1,,,30,,,,,,,,,,,5
9016,enrollment_arm_1,medications,1,30,,,,,,,,aspirin,lots,,
`

type wantProblem struct {
	line          int
	record, field string
	value         string
	msg           string // substring of the message
}

func TestValidateListsEveryProblem(t *testing.T) {
	_, c := demo(t, 10)
	im := load(t, c)
	want := []wantProblem{
		{1, "", "bogus_col", "", "no such field"},
		{3, "9002", "age", "4x2", "not an integer"},
		{4, "9003", "sex", "7", "not a choice code"},
		{5, "9004", "site", "paris", "not a choice code"},
		{6, "9005", "dob", "1980-02-30", "not a date"},
		{7, "9006", "race___1", "2", "checkbox column holds 0"},
		{8, "9007", "smoker", "yes", "not a choice code"},
		{9, "9008", "age", "30", "form baseline is not designated for event week_4_arm_1"},
		{10, "9009", "redcap_event_name", "week_9_arm_1", "no such event"},
		{11, "9010", "redcap_event_name", "", "the event is missing"},
		{12, "9011", "redcap_repeat_instance", "0", "positive integer"},
		{13, "9012", "redcap_repeat_instrument", "visit", "not a repeating instrument on event enrollment_arm_1"},
		{14, "9013", "med_name", "aspirin", "form medications repeats"},
		{15, "", "record_id", "", "record id is blank"},
		{16, "9001", "record_id", "9001", "repeats the record, event and instance of the row at line 2"},
		{17, "9014", "weight", "500", "out of range: the field allows 30 to 250"},
		{18, "9015", "baseline_complete", "5", "form status is 0"},
		{19, "9016", "age", "30", "field of form baseline on a row of repeating instrument medications"},
		{19, "9016", "med_dose", "lots", "not a number"},
	}
	got := im.Validate(strings.NewReader(badCSV), importer.CSV)
	checkProblems(t, got.Errors(), want)
	if got.Err() == nil {
		t.Fatal("Err() is nil for an invalid file")
	}
	// The error text names line, record, field and value of each problem.
	msg := got.Err().Error()
	for _, s := range []string{"19 problems", `line 3 (row 2), record "9002", field "age", value "4x2": not an integer`} {
		if !strings.Contains(msg, s) {
			t.Errorf("error text lacks %q:\n%s", s, msg)
		}
	}
}

func checkProblems(t *testing.T, got importer.Problems, want []wantProblem) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(got):
			t.Errorf("missing problem %+v", want[i])
		case i >= len(want):
			t.Errorf("unexpected problem %s", got[i])
		default:
			g, w := got[i], want[i]
			if g.Line != w.line || g.Record != w.record || g.Field != w.field || g.Value != w.value || !strings.Contains(g.Message, w.msg) {
				t.Errorf("problem %d:\n got %s\nwant line %d record %q field %q value %q: ...%s...", i, g, w.line, w.record, w.field, w.value, w.msg)
			}
		}
	}
}

func TestValidateJSON(t *testing.T) {
	_, c := demo(t, 10)
	im := load(t, c)
	src := `[
  {"record_id": "1", "redcap_event_name": "enrollment_arm_1", "age": "40"},
  {"record_id": "2", "redcap_event_name": "enrollment_arm_1",
   "age": "forty"},
  {"record_id": "3", "redcap_event_name": "enrollment_arm_1", "redcap_repeat_instrument": "medications",
   "redcap_repeat_instance": 2, "med_dose": 12.5},
  {"record_id": "4", "redcap_event_name": "enrollment_arm_1", "weight": true},
  {"record_id": "5", "redcap_event_name": "enrollment_arm_1", "nope": "1"}
]`
	want := []wantProblem{
		{3, "2", "age", "forty", "not an integer"},
		{7, "4", "weight", "true", "not a string or a number"},
		{8, "", "nope", "", "no such field"},
	}
	checkProblems(t, im.Validate(strings.NewReader(src), importer.JSON).Errors(), want)
}

func TestValidateUnreadable(t *testing.T) {
	_, c := demo(t, 10)
	im := load(t, c)
	tests := []struct {
		name, src string
		format    importer.Format
		want      []wantProblem
	}{
		{"empty csv", "", importer.CSV, []wantProblem{{1, "", "", "", "the file is empty"}}},
		{"no id column", "age\n3\n", importer.CSV, []wantProblem{{1, "", "record_id", "", "record id field is missing"}}},
		{"short row", "record_id,redcap_event_name,age\n1,enrollment_arm_1\n", importer.CSV,
			[]wantProblem{{2, "1", "", "", "row has 2 values for 3 header columns"}}},
		{"bad quote", "record_id,redcap_event_name,age\n1,enrollment_arm_1,\"3\n", importer.CSV,
			[]wantProblem{{2, "", "", "", "unreadable CSV"}}},
		{"no records", "record_id,redcap_event_name\n", importer.CSV, []wantProblem{{0, "", "", "", "holds no records"}}},
		{"json object", `{"record_id":"1"}`, importer.JSON, []wantProblem{{1, "", "", "", "want an array"}}},
		{"json cut", "[\n{\"record_id\":\"1\",", importer.JSON, []wantProblem{{2, "", "", "", "ends in the middle"}}},
		{"checkbox bare", "record_id,redcap_event_name,race\n1,enrollment_arm_1,1\n", importer.CSV,
			[]wantProblem{{1, "", "race", "", "give one column per code, e.g. race___1"}}},
		{"blank header column and blank rows", "record_id,redcap_event_name,age,\n1,enrollment_arm_1,30,\n,,,\n", importer.CSV,
			[]wantProblem{{1, "", "", "", "column 4 of the header has no name"}}},
		{"duplicate header", "record_id,redcap_event_name,age,age\n1,enrollment_arm_1,30,30\n", importer.CSV,
			[]wantProblem{{1, "", "age", "", "appears twice"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, im.Validate(strings.NewReader(tt.src), tt.format).Errors(), tt.want)
		})
	}
}

func TestValidateWarnings(t *testing.T) {
	_, c := demo(t, 10)
	src := "record_id,redcap_event_name,bmi,weight\n1,enrollment_arm_1,22.5,300\n"
	// bmi is a calc field: REDCap ignores it; 300 is above weight's max.
	ps := load(t, c, importer.AllowOutOfRange()).Validate(strings.NewReader(src), importer.CSV)
	if ps.Err() != nil {
		t.Fatalf("AllowOutOfRange still refuses: %v", ps.Err())
	}
	w := ps.Warnings()
	if len(w) != 2 || w[0].Field != "bmi" || !strings.Contains(w[0].Message, "REDCap ignores") ||
		w[1].Field != "weight" || !strings.Contains(w[1].Message, "out of range") {
		t.Fatalf("warnings = %v", w)
	}
	if ps := load(t, c).Validate(strings.NewReader(src), importer.CSV); len(ps.Errors()) != 1 {
		t.Fatalf("without AllowOutOfRange want 1 problem, got %v", ps)
	}
}
