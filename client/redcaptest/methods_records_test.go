package redcaptest

import (
	"strings"
	"testing"
)

// seedLong imports a few records into a longProject server.
func seedLong(t *testing.T, srv *Server) {
	t.Helper()
	data := "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age,sbp,med_name\n" +
		"1,enrol_arm_1,,,30,,\n1,visit_arm_1,,,,120,\n1,enrol_arm_1,meds,1,,,aspirin\n1,enrol_arm_1,meds,2,,,ibuprofen\n" +
		"2,enrol_arm_1,,,40,,\n2,enrol_arm_2,,,41,,\n" +
		"10,enrol_arm_2,,,50,,\n"
	if st, body := api(t, srv, srv.Token("long"), "content", "record", "format", "csv", "data", data); st != 200 || body != "3" {
		t.Fatalf("seed: %d %q", st, body)
	}
}

func TestDeleteRecords(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	seedLong(t, srv)
	tok := srv.Token("long")
	p := srv.Project("long")
	tests := []struct {
		name   string
		kv     []string
		status int
		body   string
	}{
		{"string form", []string{"records", "1"}, 400, `{"error":"Incorrect format for 'records' parameter. It must be an array of record names (e.g. records[0]=1&records[1]=2)."}`},
		{"no records", nil, 400, `{"error":"The parameter 'records' is missing"}`},
		{"one missing", []string{"records[0]", "1", "records[1]", "99"}, 400, `{"error":"One or more of the records provided cannot be deleted because they do not exist in the project. The following records do not exist: 99"}`},
		{"not in arm", []string{"records[0]", "10", "arm", "1"}, 400, `{"error":"One or more of the records provided cannot be deleted because they do not exist in the project. The following records do not exist: 10"}`},
		{"bad arm", []string{"records[0]", "10", "arm", "7"}, 400, `{"error":"The arm number '7' does not exist in this project"}`},
		{"instrument without event", []string{"records[0]", "1", "instrument", "meds"}, 400, `{"error":"The 'event' parameter is required when deleting an instrument's data in a longitudinal project"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := append([]string{"content", "record", "action", "delete", "returnFormat", "json"}, tc.kv...)
			st, body := api(t, srv, tok, kv...)
			if st != tc.status || body != tc.body {
				t.Errorf("got %d %s, want %d %s", st, body, tc.status, tc.body)
			}
		})
	}
	if !hasRecord(p, "1") || !hasRecord(p, "2") || !hasRecord(p, "10") {
		t.Fatal("a failed delete removed records")
	}
	// One instance of a repeating instrument.
	st, body := api(t, srv, tok, "content", "record", "action", "delete", "records[0]", "1", "instrument", "meds", "event", "enrol_arm_1", "repeat_instance", "2")
	if st != 200 || body != "1" {
		t.Fatalf("instance delete: %d %q", st, body)
	}
	if cell(p, "1", RowKey{Event: "enrol_arm_1", Instrument: "meds", Instance: 2}, "med_name") != "" ||
		cell(p, "1", RowKey{Event: "enrol_arm_1", Instrument: "meds", Instance: 1}, "med_name") != "aspirin" {
		t.Error("instance delete removed the wrong instance")
	}
	// Arm 2 only: record 2 keeps its arm-1 rows, record 10 disappears.
	st, body = api(t, srv, tok, "content", "record", "action", "delete", "records[]", "2", "records[]", "10", "arm", "2")
	if st != 200 || body != "2" {
		t.Fatalf("arm delete: %d %q", st, body)
	}
	if !hasRecord(p, "2") || cell(p, "2", RowKey{Event: "enrol_arm_1"}, "age") != "40" || cell(p, "2", RowKey{Event: "enrol_arm_2"}, "age") != "" {
		t.Error("arm delete: record 2 wrong")
	}
	if hasRecord(p, "10") {
		t.Error("arm delete: record 10 should be gone")
	}
	// Whole record.
	st, body = api(t, srv, tok, "content", "record", "action", "delete", "records[0]", "1")
	if st != 200 || body != "1" || hasRecord(p, "1") {
		t.Fatalf("delete: %d %q", st, body)
	}
	last := p.Log[len(p.Log)-1]
	if last.Kind != LogRecordDelete || last.Record != "1" || last.Action != "Delete record (API) 1" {
		t.Errorf("log %+v", last)
	}
}

func TestRenameAndNextRecordName(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	seedLong(t, srv)
	tok := srv.Token("long")
	p := srv.Project("long")
	if st, body := api(t, srv, tok, "content", "generateNextRecordName"); st != 200 || body != "11" {
		t.Errorf("next: %d %q", st, body)
	}
	tests := []struct {
		kv     []string
		status int
		body   string
	}{
		{[]string{"record", "99", "new_record_name", "100"}, 400, `{"error":"The record '99' does not exist"}`},
		{[]string{"record", "1", "new_record_name", "2"}, 400, `{"error":"The record '2' already exists"}`},
		{[]string{"record", "1", "new_record_name", "a,b"}, 400, `{"error":"The new record name 'a,b' is not valid: record names may only contain letters, numbers, spaces, hyphens, underscores, periods and @"}`},
		{[]string{"record", "1", "new_record_name", "20", "arm", "1"}, 200, "1"},
	}
	for _, tc := range tests {
		kv := append([]string{"content", "record", "action", "rename", "returnFormat", "json"}, tc.kv...)
		if st, body := api(t, srv, tok, kv...); st != tc.status || body != tc.body {
			t.Errorf("%v: got %d %s, want %d %s", tc.kv, st, body, tc.status, tc.body)
		}
	}
	if hasRecord(p, "1") || cell(p, "20", RowKey{Event: "visit_arm_1"}, "sbp") != "120" || cell(p, "20", RowKey{Event: "enrol_arm_1"}, "record_id") != "20" {
		t.Error("rename did not move the record")
	}
	if st, body := api(t, srv, tok, "content", "generateNextRecordName"); st != 200 || body != "21" {
		t.Errorf("next after rename: %d %q", st, body)
	}
	// Record 2 has rows in both arms: renaming in arm 2 splits it.
	if st, body := api(t, srv, tok, "content", "record", "action", "rename", "record", "2", "new_record_name", "2b", "arm", "2"); st != 200 || body != "1" {
		t.Fatalf("arm rename: %d %s", st, body)
	}
	if cell(p, "2", RowKey{Event: "enrol_arm_1"}, "age") != "40" || cell(p, "2", RowKey{Event: "enrol_arm_2"}, "age") != "" ||
		cell(p, "2b", RowKey{Event: "enrol_arm_2"}, "age") != "41" || cell(p, "2b", RowKey{Event: "enrol_arm_1"}, "age") != "" {
		t.Error("arm rename did not split the record by arm")
	}
}

func TestNextRecordNameInDAG(t *testing.T) {
	p := longProject("long")
	p.Users = []User{{Username: "alice", DAG: "site_a", Token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}
	srv := NewServer(t, p)
	if st, body := api(t, srv, srv.Token("long"), "content", "record", "format", "csv", "data",
		"record_id,redcap_event_name,redcap_data_access_group,age\n11-4,enrol_arm_1,site_a,3\n12-9,enrol_arm_1,site_b,3\n"); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	if st, body := api(t, srv, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "content", "generateNextRecordName"); st != 200 || body != "11-5" {
		t.Errorf("DAG next: %d %q", st, body)
	}
	// The DAG user cannot touch another group's record, and new records join its group.
	st, body := api(t, srv, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "content", "record", "format", "csv", "returnFormat", "json", "data",
		"record_id,redcap_event_name,age\n12-9,enrol_arm_1,4\n")
	if st != 400 || !strings.Contains(body, "belongs to another group") {
		t.Errorf("cross-DAG write: %d %s", st, body)
	}
	if st, _ := api(t, srv, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "content", "record", "format", "csv", "data",
		"record_id,redcap_event_name,age\nnew1,enrol_arm_1,4\n"); st != 200 {
		t.Fatalf("DAG write %d", st)
	}
	if rec, _ := p.Records.Get("new1"); rec == nil || rec.DAG != "site_a" {
		t.Errorf("new record of a DAG user: %+v", rec)
	}
	if st, body := api(t, srv, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "content", "record", "action", "delete", "records[0]", "12-9", "returnFormat", "json"); st != 400 || !strings.Contains(body, "12-9") {
		t.Errorf("DAG delete of another group's record: %d %s", st, body)
	}
}

func TestRandomize(t *testing.T) {
	p := longProject("long")
	p.Metadata = append(p.Metadata,
		Field{FieldName: "group", FormName: "enrol", FieldType: "radio", SelectChoicesOrCalculations: "A, Drug | B, Placebo", FieldAnnotation: "@RANDOMIZE"})
	srv := NewServer(t, p)
	tok := srv.Token("long")
	seedLong(t, srv)
	if st, body := api(t, srv, tok, "content", "record", "action", "randomize", "record", "1", "randomization_id", "1", "returnFormat", "json"); st != 400 || body != `{"error":"Randomization is not enabled in this project"}` {
		t.Errorf("disabled: %d %s", st, body)
	}
	p.Mu.Lock()
	p.Info.RandomizationEnabled = true
	p.Mu.Unlock()
	want := map[string]string{"1": "A", "2": "B", "10": "A"}
	for _, id := range []string{"1", "2", "10"} {
		st, body := api(t, srv, tok, "content", "record", "action", "randomize", "record", id, "randomization_id", "1", "returnFormat", "json")
		exp := `{"record":"` + id + `","target_field":{"field_name":"group","value":"` + want[id] + `"}}`
		if st != 200 || body != exp {
			t.Errorf("record %s: %d %s, want %s", id, st, body, exp)
		}
	}
	if st, body := api(t, srv, tok, "content", "record", "action", "randomize", "record", "1", "returnFormat", "json"); st != 400 || !strings.Contains(body, "already been randomized") {
		t.Errorf("twice: %d %s", st, body)
	}
	if got := cell(p, "2", RowKey{Event: "enrol_arm_1"}, "group"); got != "B" {
		t.Errorf("stored allocation %q", got)
	}
}
