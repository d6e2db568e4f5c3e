package redcaptest

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRecordExportWire checks the record export's layout rules on the demo
// project (longitudinal, two arms, repeating medications, DAGs, missing
// codes) and on a small classic project.
func TestRecordExportWire(t *testing.T) {
	demo := Demo(DemoOptions{Records: 30, Seed: 7})
	classic := tinyProject("classic")
	classic.Metadata = append(classic.Metadata, Field{FieldName: "note", FormName: "extra", FieldType: "text", FieldLabel: "Note"})
	classic.Records = NewMemStore()
	classic.Records.(*MemStore).Put(&Record{ID: "1", Rows: []*Row{{Values: map[string]string{"record_id": "1", "age": "-5"}}}})
	classic.Records.(*MemStore).Put(&Record{ID: "2", Rows: []*Row{{Values: map[string]string{"record_id": "2", "age": "40", "demo_complete": "2"}}}})
	srv := NewServer(t, demo, classic)
	dt, ct := srv.Token(demo.Name), srv.Token(classic.Name)

	tests := []struct {
		name   string
		token  string
		params map[string]string
		status int
		check  func(t *testing.T, body string)
	}{
		{"json instance is a number on repeating rows, \"\" elsewhere", dt,
			map[string]string{"format": "json"}, 200, func(t *testing.T, b string) {
				if !regexp.MustCompile(`"redcap_repeat_instance":[0-9]`).MatchString(b) ||
					!strings.Contains(b, `"redcap_repeat_instance":""`) {
					t.Errorf("instances: %.400s", b)
				}
			}},
		{"csv with no rows is an empty body", dt,
			map[string]string{"format": "csv", "records": "no-such-record"}, 200, func(t *testing.T, b string) {
				if b != "" {
					t.Errorf("body %q", b)
				}
			}},
		{"json with no rows is []", dt,
			map[string]string{"format": "json", "records": "no-such-record"}, 200, func(t *testing.T, b string) {
				if b != "[]" {
					t.Errorf("body %q", b)
				}
			}},
		{"column order: id, event, repeat plumbing, DAG, fields", dt,
			map[string]string{"format": "csv", "fields": "record_id,age", "exportDataAccessGroups": "true"}, 200, func(t *testing.T, b string) {
				head, _, _ := strings.Cut(b, "\n")
				want := "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,redcap_data_access_group,age"
				if head != want {
					t.Errorf("header %q, want %q", head, want)
				}
			}},
		{"record id is not added to fields, nor are the event and repeat columns", dt,
			map[string]string{"format": "csv", "fields": "age"}, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "age\n") {
					t.Errorf("header: %.100s", b)
				}
			}},
		{"checkbox columns with negative and text codes and missing codes", dt,
			map[string]string{"format": "csv", "fields": "race"}, 200, func(t *testing.T, b string) {
				head, _, _ := strings.Cut(b, "\n")
				if !strings.HasSuffix(head, "race___1,race___2,race___3,race____1,race___oth,race___na,race___unk") {
					t.Errorf("header %q", head)
				}
			}},
		{"event labels name the arm when there are several", dt,
			map[string]string{"format": "csv", "rawOrLabel": "label", "fields": "record_id", "records": "1"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "Enrollment (Arm ") {
					t.Errorf("labels: %q", b)
				}
			}},
		{"label headers", ct,
			map[string]string{"format": "csv", "rawOrLabelHeaders": "label"}, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "ID,Age,Complete?,Note,Complete?\n") {
					t.Errorf("header: %q", b)
				}
			}},
		{"tab delimiter", ct,
			map[string]string{"format": "csv", "csvDelimiter": "tab"}, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "record_id\tage\tdemo_complete\tnote\textra_complete\n1\t-5\t0\t\t0\n") {
					t.Errorf("body: %q", b)
				}
			}},
		{"never-started form is 0, blank with exportBlankForGrayFormStatus", ct,
			map[string]string{"format": "csv", "exportBlankForGrayFormStatus": "TRUE"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "\n1,-5,0,,\n") {
					t.Errorf("body: %q", b)
				}
			}},
		{"never-started form status exports 0", ct,
			map[string]string{"format": "csv"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "\n1,-5,0,,0\n") {
					t.Errorf("body: %q", b)
				}
			}},
		{"EAV CSV guards values starting with -", ct,
			map[string]string{"format": "csv", "type": "eav"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "1,age,\"\t-5\"\n") {
					t.Errorf("body: %q", b)
				}
			}},
		{"flat CSV does not guard", ct,
			map[string]string{"format": "csv"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "\n1,-5,") {
					t.Errorf("body: %q", b)
				}
			}},
		{"filterLogic is row-level", ct,
			map[string]string{"format": "csv", "filterLogic": "[age] > 18"}, 200, func(t *testing.T, b string) {
				if b != "record_id,age,demo_complete,note,extra_complete\n2,40,2,,0\n" {
					t.Errorf("body: %q", b)
				}
			}},
		{"format=odm is CDISC ODM with the records", ct,
			map[string]string{"format": "odm", "records": "2"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "<ODM ") || !strings.Contains(b, `SubjectKey="2"`) || strings.Contains(b, `SubjectKey="1"`) {
					t.Errorf("body: %.300s", b)
				}
			}},
		{"unknown field", ct,
			map[string]string{"format": "csv", "fields": "age,nope", "returnFormat": "json"}, 400, func(t *testing.T, b string) {
				if b != `{"error":"The following values in the parameter \"fields\" are not valid: 'nope'"}` {
					t.Errorf("body: %s", b)
				}
			}},
		{"unknown form", ct,
			map[string]string{"format": "csv", "forms": "nope", "returnFormat": "csv"}, 400, func(t *testing.T, b string) {
				if b != `ERROR: The following values in the parameter "forms" are not valid: 'nope'` {
					t.Errorf("body: %s", b)
				}
			}},
		{"unknown event", dt,
			map[string]string{"format": "csv", "events": "week_99_arm_1", "returnFormat": "csv"}, 400, nil},
		{"form-event mapping of a classic project", ct,
			map[string]string{"content": "formEventMapping", "format": "csv"}, 400, func(t *testing.T, b string) {
				if b != "ERROR: You cannot export form/event mappings for classic projects" {
					t.Errorf("body: %s", b)
				}
			}},
		{"events of a classic project", ct,
			map[string]string{"content": "event", "format": "json"}, 400, func(t *testing.T, b string) {
				if b != `{"error":"You cannot export events for classic projects"}` {
					t.Errorf("body: %s", b)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := map[string]string{"content": "record"}
			for k, v := range tt.params {
				params[k] = v
			}
			st, body := postForm(srv.URL, tt.token, params)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %.300s", st, tt.status, body)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}

// TestDecimalCharacter: number fields follow decimalCharacter, text does not.
func TestDecimalCharacter(t *testing.T) {
	p := tinyProject("dec")
	p.Metadata = append(p.Metadata[:2:2], Field{FieldName: "w", FormName: "demo", FieldType: "text",
		TextValidationTypeOrShowSliderNumber: "number"}, Field{FieldName: "s", FormName: "demo", FieldType: "text"})
	st := NewMemStore()
	st.Put(&Record{ID: "1", Rows: []*Row{{Values: map[string]string{"w": "72.5", "s": "1.5"}}}})
	p.Records = st
	srv := NewServer(t, p)
	_, body := postForm(srv.URL, srv.Token("dec"), map[string]string{"content": "record", "format": "csv",
		"decimalCharacter": ",", "fields": "w,s"})
	if body != "w,s\n\"72,5\",1.5\n" {
		t.Errorf("body %q", body)
	}
}

// TestDateRangeUsesChangeLog: dateRangeBegin/End keep the records whose log
// shows a change in the range; loaded records count as created with the project.
func TestDateRangeUsesChangeLog(t *testing.T) {
	p := tinyProject("log")
	st := NewMemStore()
	for _, id := range []string{"1", "2", "3"} {
		st.Put(&Record{ID: id, Rows: []*Row{{Values: map[string]string{"age": "30"}}}})
	}
	p.Records = st
	p.Created = time.Date(2020, 1, 1, 0, 0, 0, 0, time.Local)
	p.AppendLog(LogEntry{Time: time.Date(2026, 3, 4, 10, 0, 0, 0, time.Local), Record: "2", Kind: LogRecordUpdate})
	// A change within a second: an end at that whole second includes it.
	p.AppendLog(LogEntry{Time: time.Date(2026, 3, 6, 9, 30, 15, 600e6, time.Local), Record: "3", Kind: LogRecordUpdate})
	srv := NewServer(t, p)
	tests := []struct{ begin, end, want string }{
		{"2026-03-04", "2026-03-05", "2"},
		{"2026-03-04 10:00", "2026-03-04 10:00", "2"},
		{"2026-03-05", "2026-03-05", ""},
		{"", "2021-01-01", "1"},
		{"2026-03-06 09:30:15", "2026-03-06 09:30:15", "3"},
		{"not a date", "", "1,2,3"},
	}
	for _, tt := range tests {
		_, body := postForm(srv.URL, srv.Token("log"), map[string]string{"content": "record", "format": "csv",
			"fields": "record_id", "dateRangeBegin": tt.begin, "dateRangeEnd": tt.end})
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(body), "\n")[1:] {
			got = append(got, line)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("[%s, %s]: got %q, want %q", tt.begin, tt.end, got, tt.want)
		}
	}
}

// TestCombineCheckboxOptions: one column per checkbox field holding the
// ticked codes, or their labels.
func TestCombineCheckboxOptions(t *testing.T) {
	p := tinyProject("cb")
	p.Metadata = append(p.Metadata, Field{FieldName: "c", FormName: "demo", FieldType: "checkbox",
		SelectChoicesOrCalculations: `1, One | 2, Two "2" | x, Ex`})
	st := NewMemStore()
	row := &Row{Values: map[string]string{"age": "3"}}
	row.SetChecked("c", "1", true)
	row.SetChecked("c", "2", true)
	st.Put(&Record{ID: "1", Rows: []*Row{row}})
	p.Records = st
	srv := NewServer(t, p)
	for _, tt := range []struct{ label, want string }{
		{"raw", "c\n\"1,2\"\n"},
		{"label", "c\n\"One,Two '2'\"\n"},
	} {
		_, body := postForm(srv.URL, srv.Token("cb"), map[string]string{"content": "record", "format": "csv",
			"fields": "c", "combineCheckboxOptions": "true", "rawOrLabel": tt.label})
		if body != tt.want {
			t.Errorf("%s: got %q, want %q", tt.label, body, tt.want)
		}
	}
}

// TestRecordExportLogged: record exports appear under logtype=export and
// not among the record changes.
func TestRecordExportLogged(t *testing.T) {
	srv := NewServer(t, tinyProject("tiny"))
	tok := srv.Token("tiny")
	api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,age\n1,30\n")
	api(t, srv, tok, "content", "record", "format", "json", "fields[0]", "record_id", "fields[1]", "age")
	st, body := api(t, srv, tok, "content", "log", "format", "json", "logtype", "export")
	rows := decodeRows(t, body)
	if st != 200 || len(rows) != 1 || rows[0]["action"] != "Data export (API)" || rows[0]["details"] != "format = 'json', type = 'flat', fields = 'record_id, age'" || rows[0]["record"] != "" {
		t.Errorf("export log: %d %s", st, body)
	}
	if _, body = api(t, srv, tok, "content", "log", "format", "json", "logtype", "record"); len(decodeRows(t, body)) != 1 {
		t.Errorf("record log holds the export: %s", body)
	}
}

// TestCheckboxOnlyExportRows: an export of a checkbox alone has a row for
// every record × event with data, unticked boxes included.
func TestCheckboxOnlyExportRows(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	seedLong(t, srv)
	api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,race___1\n2,enrol_arm_1,1\n")
	st, body := api(t, srv, tok, "content", "record", "format", "csv", "fields", "race", "events", "enrol_arm_1,enrol_arm_2")
	// records 1 (enrol_arm_1), 2 (both arms), 10 (enrol_arm_2): 4 record-events, one ticked box
	// (no event column: the record id is not requested)
	want := "race___1,race___2,race____1,race___oth,race___na,race___unk\n" +
		"0,0,0,0,0,0\n" + // record 1, enrol_arm_1
		"1,0,0,0,0,0\n" + // record 2, enrol_arm_1
		"0,0,0,0,0,0\n" + // record 2, enrol_arm_2
		"0,0,0,0,0,0\n" // record 10, enrol_arm_2
	if st != 200 || body != want {
		t.Errorf("checkbox-only export: %d\n got %q\nwant %q", st, body, want)
	}
}

// TestExportWithoutRecordIDHasNoPlumbing: a longitudinal, repeating export
// whose fields, forms and events leave the record id out carries neither
// redcap_event_name nor the repeat columns, in any format; with the id they
// are there.
func TestExportWithoutRecordIDHasNoPlumbing(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	seedLong(t, srv)
	for _, format := range []string{"csv", "json", "xml"} {
		for _, kv := range [][]string{{"forms", "visit"}, {"fields", "sbp"}, {"fields", "sbp", "forms", "meds"}} {
			args := append([]string{"content", "record", "format", format, "events", "visit_arm_1,enrol_arm_1"}, kv...)
			st, body := api(t, srv, tok, args...)
			if st != 200 || strings.Contains(body, "redcap_event_name") || strings.Contains(body, "redcap_repeat_") || !strings.Contains(body, "sbp") {
				t.Errorf("%s %v: %d %.300s", format, kv, st, body)
			}
			st, body = api(t, srv, tok, append(args, "fields", "record_id")...)
			if st != 200 || !strings.Contains(body, "redcap_event_name") || !strings.Contains(body, "redcap_repeat_instance") {
				t.Errorf("%s %v with the id: %d %.300s", format, kv, st, body)
			}
		}
	}
}
