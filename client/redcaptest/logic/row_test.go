package logic

import (
	"strconv"
	"strings"
)

// testRow is a Row over a map keyed "event/field/instance" (instance 0 for
// non-repeating data); checkbox options are "event/field(code)/instance".
type testRow struct {
	record, event string
	instance      int
	kinds         map[string]Kind
	data          map[string]string
	smart         map[string]string
	missing       []string
}

func (r *testRow) Record() string { return r.record }
func (r *testRow) Event() string  { return r.event }
func (r *testRow) Instance() int  { return r.instance }
func (r *testRow) Kind(f string) Kind {
	return r.kinds[f]
}

func (r *testRow) key(event, field string, inst InstanceRef) string {
	if event == "" {
		event = r.event
	}
	n := 0
	switch inst.Rel {
	case Numbered:
		n = inst.N
	case FirstInstance:
		n = 1
	case LastInstance:
		n = 1
		for i := 1; i < 100; i++ {
			for k := range r.data {
				if strings.HasPrefix(k, event+"/"+field+"/"+strconv.Itoa(i)) {
					n = i
				}
			}
		}
	}
	return event + "/" + field + "/" + strconv.Itoa(n)
}

func (r *testRow) Value(event, field string, inst InstanceRef) string {
	return r.data[r.key(event, field, inst)]
}

func (r *testRow) Checkbox(event, field, code string, inst InstanceRef) string {
	if r.data[r.key(event, field+"("+code+")", inst)] == "1" {
		return "1"
	}
	return "0"
}

func (r *testRow) SmartVariable(name string) (string, bool) {
	v, ok := r.smart[name]
	return v, ok
}

func (r *testRow) MissingCodes() []string { return r.missing }

// demoRow is the row most tests use: record 7, event enrollment_arm_1.
func demoRow() *testRow {
	return &testRow{
		record: "7", event: "enrollment_arm_1", instance: 1,
		kinds: map[string]Kind{
			"age": Number, "weight": Number, "blank_num": Number, "bad_num": Number, "na_num": Number,
			"score": Number, "smoker": Number, "sex": Number, "race": Checkbox,
			"name": Text, "dob": Text, "zip": Text, "site": Text, "blank_txt": Text, "notes": Text,
			"med": Text, "dose": Number, "dt": Text,
		},
		data: map[string]string{
			"enrollment_arm_1/age/0":       "30",
			"enrollment_arm_1/weight/0":    "72.5",
			"enrollment_arm_1/bad_num/0":   "abc",
			"enrollment_arm_1/na_num/0":    "NA",
			"enrollment_arm_1/score/0":     "6.5",
			"enrollment_arm_1/smoker/0":    "0",
			"enrollment_arm_1/sex/0":       "2",
			"enrollment_arm_1/race(1)/0":   "1",
			"enrollment_arm_1/race(-1)/0":  "1",
			"enrollment_arm_1/race(oth)/0": "0",
			"enrollment_arm_1/name/0":      "Alice Smith",
			"enrollment_arm_1/dob/0":       "1990-05-17",
			"enrollment_arm_1/dt/0":        "2024-01-02 10:30",
			"enrollment_arm_1/zip/0":       "02139",
			"enrollment_arm_1/site/0":      "nyc",
			"enrollment_arm_1/notes/0":     "Has Diabetes",
			"enrollment_arm_1/med/1":       "aspirin",
			"enrollment_arm_1/med/2":       "ibuprofen",
			"enrollment_arm_1/med/3":       "statin",
			"enrollment_arm_1/dose/1":      "100",
			"enrollment_arm_1/dose/2":      "200",
			"week_4_arm_1/age/0":           "31",
			"week_4_arm_1/score/0":         "2",
		},
		smart: map[string]string{
			"arm-number": "1", "event-label": "Enrollment", "next-event-name": "week_4_arm_1",
			"project-id": "12", "record-dag-name": "site_a",
		},
		missing: []string{"NA", "UNK"},
	}
}
