package redcaptest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadState: a project folder's state files (project info, reports,
// log, file repository) replay through the API as recorded.
func TestLoadState(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"metadata.csv": "field_name,form_name,field_type,field_label\nrecord_id,demo,text,ID\nage,demo,text,Age\n",
		"data.csv":     "record_id,age\n1,30\n2,40\n3,50\n",
		"project.csv":  "project_id,project_title,creation_time,production_time,in_production,purpose,surveys_enabled\n4321,Replayed,2024-10-11 09:00:00,,0,2,1\n",
		"reports.csv":  "report_id,title,fields,filter_logic\n77,Older,\"record_id,age\",[age] > 35\n",
		"log.csv": "timestamp,username,action,details,record\n" +
			"2024-10-13 08:00,bob,Update record 2,age = '40',2\n" +
			"2024-10-12 10:30:15,alice,Create record 2,age = '39',2\n" +
			"2024-10-12 10:00,alice,Create record 1,age = '30',1\n" +
			"2024-10-12 10:01,alice,Create record 3,age = '50',3\n",
		"file-repository/the-state/mugshot-1.jpg": "JPEG1",
		"file-repository/readme.txt":              "hello",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := LoadCSVDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(t, p)
	tok := srv.Token(p.Name)
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		{"project id and creation time", []string{"content", "project", "format", "csv"}, "4321,Replayed,\"2024-10-11 09:00:00\",,0,"},
		{"report", []string{"content", "report", "report_id", "77", "format", "csv"}, "record_id,age\n2,40\n3,50\n"},
		{"file repository top", []string{"content", "fileRepository", "action", "list", "format", "json"}, `[{"folder_id":1,"doc_id":"","name":"the-state","role":"","dag":""},{"folder_id":"","doc_id":2,"name":"readme.txt","role":"","dag":""}]`},
		{"file repository folder", []string{"content", "fileRepository", "action", "list", "folder_id", "1", "format", "csv"}, "folder_id,doc_id,name,role,dag\n,1,mugshot-1.jpg,,\n"},
		{"document", []string{"content", "fileRepository", "action", "export", "doc_id", "1"}, "JPEG1"},
		{"log", []string{"content", "log", "format", "csv", "user", "bob"}, "timestamp,username,action,details,record\n\"2024-10-13 08:00\",bob,\"Update record 2\",\"age = '40'\",2\n"},
		// modification times from the log: records changed on the 12th only
		{"dateRange from the log", []string{"content", "record", "format", "csv", "fields", "record_id", "dateRangeBegin", "2024-10-12 10:00:00", "dateRangeEnd", "2024-10-12 10:30:15"}, "record_id\n1\n2\n3\n"},
		{"dateRange ending at a whole second", []string{"content", "record", "format", "csv", "fields", "record_id", "dateRangeBegin", "2024-10-12 10:00:30", "dateRangeEnd", "2024-10-12 10:30:15"}, "record_id\n2\n3\n"},
		{"dateRange after the update", []string{"content", "record", "format", "csv", "fields", "record_id", "dateRangeBegin", "2024-10-13"}, "record_id\n2\n"},
	}
	for _, tc := range tests {
		st, body := api(t, srv, tok, tc.kv...)
		exact := strings.HasPrefix(tc.want, "record_id\n")
		if st != 200 || !strings.Contains(body, tc.want) || (exact && body != tc.want) {
			t.Errorf("%s: %d %q, want it to hold %q", tc.name, st, body, tc.want)
		}
	}
	// Bad state files say what and where.
	os.WriteFile(filepath.Join(dir, "reports.csv"), []byte("report_id,title,fields\n5,X,nope\n"), 0o644)
	if _, err := LoadCSVDir(dir); err == nil || !strings.Contains(err.Error(), "reports.csv") || !strings.Contains(err.Error(), "the field 'nope'") {
		t.Errorf("bad report: %v", err)
	}
}
