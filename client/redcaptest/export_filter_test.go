package redcaptest

import (
	"strings"
	"testing"
)

// TestFilterLogicNonDesignatedForms checks redcap-api.md §5.2 "Non-designated
// forms": on an event where a form is not designated, its form status reads
// '0' and its checkbox options '0' (and its other fields blank), while the
// export itself leaves those columns blank.
func TestFilterLogicNonDesignatedForms(t *testing.T) {
	p := longProject("nondesignated")
	store := NewMemStore()
	// enrol is designated on enrol_arm_1 only (in arm 1), visit on visit_arm_1.
	store.Put(&Record{ID: "1", Rows: []*Row{
		{RowKey: RowKey{Event: "enrol_arm_1"}, Values: map[string]string{"record_id": "1", "age": "30", "race": "1", "enrol_complete": "2"}},
		{RowKey: RowKey{Event: "visit_arm_1"}, Values: map[string]string{"record_id": "1", "sbp": "120", "visit_complete": "1"}},
	}})
	p.Records = store
	srv := NewServer(t, p)
	tok := srv.Token(p.Name)

	tests := []struct {
		logic string
		want  string // record_id,redcap_event_name rows, joined by ";"
	}{
		// enrol_complete: stored 2 on enrol_arm_1; not designated on visit_arm_1.
		{"[enrol_complete] = '0'", "1,visit_arm_1"},
		{"[enrol_complete] = '2'", "1,enrol_arm_1"},
		{"[enrol_complete] <> ''", "1,enrol_arm_1;1,visit_arm_1"},
		{"[visit_complete] = '0'", "1,enrol_arm_1"},
		{"[enrol_arm_1][visit_complete] = '0'", "1,enrol_arm_1;1,visit_arm_1"},
		{"[visit_arm_1][enrol_complete] = 0", "1,enrol_arm_1;1,visit_arm_1"},
		// checkbox options of a non-designated form read 0
		{"[race(1)] = '0'", "1,visit_arm_1"},
		{"[race(1)] = '1'", "1,enrol_arm_1"},
		{"[visit_arm_1][race(2)] = '0' and [age] = 30", "1,enrol_arm_1"},
		// other fields of a non-designated form are blank
		{"[age] = ''", "1,visit_arm_1"},
		{"[sbp] = ''", "1,enrol_arm_1"},
	}
	for _, tc := range tests {
		st, body := api(t, srv, tok, "content", "record", "format", "csv",
			"fields[0]", "record_id", "filterLogic", tc.logic)
		if st != 200 {
			t.Errorf("%s: HTTP %d %s", tc.logic, st, body)
			continue
		}
		var got []string
		for i, line := range strings.Split(strings.TrimSpace(body), "\n") {
			if i == 0 || line == "" {
				continue
			}
			f := strings.Split(line, ",")
			got = append(got, f[0]+","+f[1])
		}
		if g := strings.Join(got, ";"); g != tc.want {
			t.Errorf("%s: rows %q, want %q", tc.logic, g, tc.want)
		}
	}

	// The export itself leaves the form status blank on the non-designated
	// event (redcap-api.md §4.1).
	_, body := api(t, srv, tok, "content", "record", "format", "csv", "fields[0]", "sbp", "forms[0]", "enrol")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	col := indexOfString(strings.Split(lines[0], ","), "enrol_complete")
	if col < 0 || len(lines) != 3 {
		t.Fatalf("export:\n%s", body)
	}
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		want := "2"
		if f[1] == "visit_arm_1" {
			want = ""
		}
		if f[col] != want {
			t.Errorf("export row %s: enrol_complete %q, want %q", line, f[col], want)
		}
	}
}
