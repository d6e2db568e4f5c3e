package redcaptest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

const aliceToken = "A11CE000000000000000000000000000"

func usersProject() *Project {
	p := longProject("long")
	p.Users = []User{{Username: "alice", FirstName: "Alice", Token: aliceToken, Rights: map[string]string{"api_export": "1", "api_import": "1"}}}
	return p
}

// decodeRows reads a JSON export into rows of text: numbers as written,
// objects of form levels ({"enrol":1,...}) as "enrol:1,..." in their order.
func decodeRows(t *testing.T, body string) []map[string]string {
	t.Helper()
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatalf("not a JSON array of objects: %v: %s", err, body)
	}
	rows := make([]map[string]string, len(raw))
	for i, r := range raw {
		rows[i] = map[string]string{}
		for k, v := range r {
			var s string
			var err error
			switch v[0] {
			case '{':
				s, err = jsonLevels(v)
			default:
				s, err = jsonScalar(v)
			}
			if err != nil {
				t.Fatalf("row %d, %s: %v", i, k, err)
			}
			rows[i][k] = s
		}
	}
	return rows
}

// userNamed returns the project's user of that name (a zero User if none).
func userNamed(p *Project, name string) User {
	for _, u := range p.Users {
		if u.Username == name {
			return u
		}
	}
	return User{}
}

func TestUsersAndRoles(t *testing.T) {
	srv := NewServer(t, usersProject())
	tok := srv.Token("long")
	p := srv.Project("long")
	call := func(kv ...string) (int, string) {
		return api(t, srv, tok, append([]string{"format", "json", "returnFormat", "json"}, kv...)...)
	}
	st, body := call("content", "user")
	rows := decodeRows(t, body)
	// The token's owner is listed too (after the declared users), with full rights.
	if st != 200 || len(rows) != 2 || rows[1]["username"] != DefaultOwner || rows[1]["design"] != "1" || rows[1]["forms"] != "enrol:154,visit:154,meds:154" {
		t.Fatalf("owner: %d %s", st, body)
	}
	if rows[0]["username"] != "alice" || rows[0]["api_import"] != "1" || rows[0]["design"] != "0" || rows[0]["forms"] != "enrol:128,visit:128,meds:128" {
		t.Fatalf("export: %d %s", st, body)
	}
	if len(rows[0]) != len(userColumns) {
		t.Errorf("user export has %d columns, want %d", len(rows[0]), len(userColumns))
	}
	// Import: update alice, add bob (with a DAG and form rights).
	st, body = call("content", "user", "action", "import", "data",
		`[{"username":"alice","design":"1"},{"username":"bob","email":"bob@x.org","data_access_group":"site_a","forms":"enrol:1,visit:2","user_rights":"2"}]`)
	if st != 200 || body != "2" {
		t.Fatalf("import: %d %s", st, body)
	}
	if bob := userNamed(p, "bob"); p.Users[0].Rights["design"] != "1" || p.Users[0].Rights["api_import"] != "1" || bob.DAG != "site_a" || bob.Forms["visit"] != formReadOnly || bob.Forms["enrol"] != formViewEdit {
		t.Errorf("users %+v", p.Users)
	}
	// alice's token still works after the user list grew.
	if st, body = api(t, srv, aliceToken, "content", "generateNextRecordName"); st != 200 || body != "1" {
		t.Errorf("alice token after import: %d %s", st, body)
	}
	bad := []struct{ data, want string }{
		{`[{"username":"bob","design":"2"}]`, "the value '2' of design must be an integer from 0 to 1"},
		{`[{"username":"bob","forms":"nope:1"}]`, "the instrument 'nope' does not exist"},
		{`[{"username":"bob","data_access_group":"site_z"}]`, "the Data Access Group 'site_z' does not exist"},
		{`[{"design":"1"}]`, "the username is missing"},
	}
	for _, b := range bad {
		if st, body := call("content", "user", "action", "import", "data", b.data); st != 400 || !strings.Contains(body, b.want) {
			t.Errorf("%s: %d %s", b.data, st, body)
		}
	}
	// Roles.
	st, body = call("content", "userRole", "action", "import", "data", `[{"role_label":"Data entry","record_create":"1","forms":"enrol:1"}]`)
	if st != 200 || body != "1" || len(p.Roles) != 1 || !regexp.MustCompile(`^U-[0-9A-F]{10}$`).MatchString(p.Roles[0].UniqueName) {
		t.Fatalf("role import: %d %s %+v", st, body, p.Roles)
	}
	role := p.Roles[0].UniqueName
	_, body = call("content", "userRole")
	if rows = decodeRows(t, body); len(rows) != 1 || rows[0]["role_label"] != "Data entry" || rows[0]["record_create"] != "1" || rows[0]["forms"] != "enrol:130,visit:128,meds:128" {
		t.Errorf("role export %s", body)
	}
	if st, body = call("content", "userRoleMapping", "data", `[{"username":"bob","unique_role_name":"`+role+`"}]`); st != 200 || body != "1" {
		t.Fatalf("mapping import: %d %s", st, body)
	}
	if _, body = call("content", "userRoleMapping"); body != `[{"username":"alice","unique_role_name":""},{"username":"api_user","unique_role_name":""},{"username":"bob","unique_role_name":"`+role+`"}]` {
		t.Errorf("mapping export %s", body)
	}
	if st, body = call("content", "userRoleMapping", "data", `[{"username":"bob","unique_role_name":"U-NOPE"}]`); st != 400 || !strings.Contains(body, "'U-NOPE' does not exist") {
		t.Errorf("mapping bad role: %d %s", st, body)
	}
	if st, body = call("content", "userRole", "action", "delete", "roles[0]", role); st != 200 || body != "1" || len(p.Roles) != 0 || userNamed(p, "bob").Role != "" {
		t.Errorf("role delete: %d %s", st, body)
	}
	// Delete: unknown users refuse the whole call; alice's token dies with her.
	if st, body = call("content", "user", "action", "delete", "users[0]", "bob", "users[1]", "zed"); st != 400 || !strings.Contains(body, "'zed' is not a user") || len(p.Users) != 3 {
		t.Errorf("delete unknown: %d %s", st, body)
	}
	if st, body = call("content", "user", "action", "delete", "users[0]", "alice"); st != 200 || body != "1" {
		t.Fatalf("delete: %d %s", st, body)
	}
	if st, _ = api(t, srv, aliceToken, "content", "generateNextRecordName"); st != 403 {
		t.Errorf("deleted user's token: %d", st)
	}
	// A user without User Rights privileges is refused.
	p.Mu.Lock()
	p.Users = append(p.Users, User{Username: "carol", Token: "CA201000000000000000000000000000", Rights: map[string]string{"user_rights": "0"}})
	p.Mu.Unlock()
	srv.mu.Lock()
	srv.userTok["CA201000000000000000000000000000"] = &p.Users[len(p.Users)-1]
	srv.byToken["CA201000000000000000000000000000"] = p
	srv.mu.Unlock()
	if st, body = api(t, srv, "CA201000000000000000000000000000", "content", "user", "format", "json"); st != 403 || !strings.Contains(body, "User Rights privileges") {
		t.Errorf("no rights: %d %s", st, body)
	}
}

func TestDAGMethods(t *testing.T) {
	p := usersProject()
	p.Users[0].DAG = "site_a"
	srv := NewServer(t, p)
	tok := srv.Token("long")
	seedLong(t, srv)
	call := func(kv ...string) (int, string) {
		return api(t, srv, tok, append([]string{"format", "csv", "returnFormat", "json"}, kv...)...)
	}
	if st, body := call("content", "dag"); st != 200 || body != "data_access_group_name,unique_group_name,data_access_group_id\n\"Site A\",site_a,11\n\"Site B\",site_b,12\n" {
		t.Errorf("export: %d %q", st, body)
	}
	st, body := call("content", "dag", "action", "import", "data", "data_access_group_name,unique_group_name\nSite A renamed,site_a\nNorth Clinic #1,\nNorth Clinic #1,\n")
	if st != 200 || body != "3" {
		t.Fatalf("import: %d %s", st, body)
	}
	if p.DAGByUnique("site_a").Name != "Site A renamed" || p.DAGByUnique("north_clinic_1") == nil || p.DAGByUnique("north_clinic_12") == nil {
		t.Errorf("dags %+v", p.DAGs)
	}
	// Users in a DAG cannot manage DAGs; they see only their own.
	if st, body = api(t, srv, aliceToken, "content", "dag", "action", "import", "format", "csv", "returnFormat", "json", "data", "data_access_group_name\nX\n"); st != 403 {
		t.Errorf("DAG user import: %d %s", st, body)
	}
	if st, body = api(t, srv, aliceToken, "content", "dag", "format", "csv"); st != 200 || body != "data_access_group_name,unique_group_name,data_access_group_id\n\"Site A renamed\",site_a,11\n" {
		t.Errorf("DAG user export: %d %q", st, body)
	}
	// Mapping and switch.
	if st, body = call("content", "userDagMapping", "data", "username,redcap_data_access_group\nalice,site_b\n"); st != 200 || body != "1" {
		t.Fatalf("mapping: %d %s", st, body)
	}
	if st, body = call("content", "userDagMapping"); body != "username,redcap_data_access_group\nalice,site_b\napi_user,\n" {
		t.Errorf("mapping export: %d %q", st, body)
	}
	if st, body = api(t, srv, aliceToken, "content", "dag", "action", "switch", "dag", "site_a"); st != 200 || body != "1" || p.Users[0].DAG != "site_a" {
		t.Errorf("switch: %d %q %q", st, body, p.Users[0].DAG)
	}
	if st, body = api(t, srv, aliceToken, "content", "dag", "action", "switch", "dag", "nope", "returnFormat", "json"); st != 400 || !strings.Contains(body, "'nope' does not exist") {
		t.Errorf("switch unknown: %d %s", st, body)
	}
	// Delete: records of the group lose it.
	api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,redcap_data_access_group\n1,enrol_arm_1,site_b\n")
	if st, body = call("content", "dag", "action", "delete", "dags[0]", "site_b"); st != 200 || body != "1" {
		t.Fatalf("delete: %d %s", st, body)
	}
	if rec, _ := p.Records.Get("1"); rec.DAG != "" || p.DAGByUnique("site_b") != nil {
		t.Errorf("after delete: record DAG %q", rec.DAG)
	}
	if st, body = call("content", "dag", "action", "delete", "dags[0]", "site_b"); st != 400 || !strings.Contains(body, "'site_b' does not exist") {
		t.Errorf("delete again: %d %s", st, body)
	}
}

func TestLogExport(t *testing.T) {
	srv := NewServer(t, usersProject())
	tok := srv.Token("long")
	seedLong(t, srv)
	api(t, srv, aliceToken, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,age\n1,enrol_arm_1,31\n")
	api(t, srv, tok, "content", "record", "action", "delete", "records[0]", "10")
	st, body := api(t, srv, tok, "content", "log", "format", "csv")
	re := regexp.MustCompile(`^timestamp,username,action,details,record\n` +
		`"\d{4}-\d\d-\d\d \d\d:\d\d",api_user,"Delete record \(API\) 10",,10\n` +
		`"\d{4}-\d\d-\d\d \d\d:\d\d",alice,"Update record \(API\) 1","age = '31'",1\n`)
	if st != 200 || !re.MatchString(body) {
		t.Fatalf("log: %d %q", st, body)
	}
	tests := []struct {
		kv   []string
		want int // rows
	}{
		{[]string{"logtype", "record_delete"}, 1},
		{[]string{"logtype", "record_add"}, 3},
		{[]string{"logtype", "record_edit"}, 1},
		{[]string{"user", "alice"}, 1},
		{[]string{"record", "1"}, 2},
		{[]string{"beginTime", "2000-01-01 00:00", "endTime", "2000-01-01 24:00"}, 0},
		{[]string{"logtype", "manage"}, 7}, // the log exports before this one
	}
	for _, tc := range tests {
		st, body := api(t, srv, tok, append([]string{"content", "log", "format", "json"}, tc.kv...)...)
		if rows := decodeRows(t, body); st != 200 || len(rows) != tc.want {
			t.Errorf("%v: %d, %d rows, want %d: %s", tc.kv, st, len(rows), tc.want, body)
		}
	}
	if st, body := api(t, srv, tok, "content", "log", "logtype", "bogus", "returnFormat", "json"); st != 400 || !strings.Contains(body, "logtype") {
		t.Errorf("bad logtype: %d %s", st, body)
	}
}

func TestSurveyMethods(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	p := srv.Project("long")
	seedLong(t, srv)
	api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,email,enrol_complete\n1,enrol_arm_1,a@b.org,2\n")
	args := []string{"record", "1", "instrument", "enrol", "event", "enrol_arm_1", "returnFormat", "json"}
	if st, body := api(t, srv, tok, append([]string{"content", "surveyLink"}, args...)...); st != 400 || body != `{"error":"Surveys are not enabled in this project"}` {
		t.Errorf("disabled: %d %s", st, body)
	}
	p.Mu.Lock()
	p.Info.SurveysEnabled = true
	p.Mu.Unlock()
	base := strings.TrimSuffix(srv.URL, "api/")
	st, link := api(t, srv, tok, append([]string{"content", "surveyLink"}, args...)...)
	if st != 200 || !regexp.MustCompile(`^`+regexp.QuoteMeta(base)+`surveys/\?s=[0-9A-Z]{10}$`).MatchString(link) {
		t.Fatalf("link: %d %q", st, link)
	}
	if _, again := api(t, srv, tok, append([]string{"content", "surveyLink"}, args...)...); again != link {
		t.Error("survey link is not deterministic")
	}
	if st, q := api(t, srv, tok, "content", "surveyQueueLink", "record", "1"); st != 200 || !strings.HasPrefix(q, base+"surveys/?sq=") {
		t.Errorf("queue link: %d %q", st, q)
	}
	if st, code := api(t, srv, tok, append([]string{"content", "surveyReturnCode"}, args...)...); st != 200 || !regexp.MustCompile(`^[0-9A-Z]{8}$`).MatchString(code) {
		t.Errorf("return code: %d %q", st, code)
	}
	st, code := api(t, srv, tok, append([]string{"content", "surveyAccessCode"}, args...)...)
	if st != 200 || !regexp.MustCompile(`^[0-9A-Z]{9}$`).MatchString(code) {
		t.Errorf("access code: %d %q", st, code)
	}
	if st, body := api(t, srv, tok, "content", "surveyLink", "record", "1", "instrument", "visit", "event", "visit_arm_1", "returnFormat", "json"); st != 400 || body != `{"error":"The instrument 'visit' is not enabled as a survey"}` {
		t.Errorf("not a survey: %d %s", st, body)
	}
	if st, body := api(t, srv, tok, "content", "surveyLink", "record", "99", "instrument", "enrol", "event", "enrol_arm_1", "returnFormat", "json"); st != 400 || body != `{"error":"The record \"99\" does not exist"}` {
		t.Errorf("unknown record: %d %s", st, body)
	}
	st, body := api(t, srv, tok, "content", "participantList", "instrument", "enrol", "event", "enrol_arm_1", "format", "json")
	rows := decodeRows(t, body)
	// Record 10 exists in arm 2 only: not a participant of an arm-1 event.
	if st != 200 || len(rows) != 2 || rows[0]["record"] != "1" || rows[0]["email"] != "a@b.org" || rows[0]["response_status"] != "2" ||
		rows[0]["survey_access_code"] != code || rows[0]["survey_link"] != link || rows[1]["record"] != "2" || rows[1]["response_status"] != "1" {
		t.Errorf("participants: %d %s", st, body)
	}
	st, body = api(t, srv, tok, "content", "participantList", "instrument", "enrol", "event", "enrol_arm_2", "format", "json")
	if rows = decodeRows(t, body); st != 200 || len(rows) != 2 || rows[0]["record"] != "2" || rows[1]["record"] != "10" {
		t.Errorf("arm 2 participants: %d %s", st, body)
	}
	// The participant list needs the Survey Distribution Tools right.
	p = srv.Project("long")
	p.Mu.Lock()
	p.Users = append(p.Users, User{Username: "nosurvey", Token: "5000000000000000000000000000000E", Rights: map[string]string{"api_export": "1", "manage_survey_participants": "0"}})
	p.Mu.Unlock()
	srv.mu.Lock()
	srv.userTok["5000000000000000000000000000000E"] = &p.Users[len(p.Users)-1]
	srv.byToken["5000000000000000000000000000000E"] = p
	srv.mu.Unlock()
	if st, body = api(t, srv, "5000000000000000000000000000000E", "content", "participantList", "instrument", "enrol", "event", "enrol_arm_1", "format", "json", "returnFormat", "json"); st != 403 || body != `{"error":"You do not have Survey Distribution Tools privileges"}` {
		t.Errorf("without the right: %d %s", st, body)
	}
}

// TestUserExportColumns checks the user export's header against REDCap's
// (REDCap 14/15, as the REDCapR users-export captures show it once
// REDCapR's own split of "forms" is undone), in CSV and JSON alike, with the
// DAG id and label filled for a user in a DAG.
func TestUserExportColumns(t *testing.T) {
	want := []string{"username", "email", "firstname", "lastname", "expiration",
		"data_access_group", "data_access_group_id", "data_access_group_label",
		"design", "alerts", "user_rights", "data_access_groups", "reports", "stats_and_charts",
		"manage_survey_participants", "calendar", "data_import_tool", "data_comparison_tool",
		"logging", "email_logging", "file_repository", "data_quality_create", "data_quality_execute",
		"api_export", "api_import", "api_modules", "mobile_app", "mobile_app_download_data",
		"record_create", "record_rename", "record_delete", "lock_records_all_forms", "lock_records",
		"lock_records_customization", "forms", "forms_export"}
	p := usersProject()
	p.Users = append(p.Users, User{Username: "bob", DAG: "site_b"})
	srv := NewServer(t, p)
	tok := srv.Token(p.Name)
	st, body := api(t, srv, tok, "content", "user", "format", "csv")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if st != 200 || len(lines) != 4 {
		t.Fatalf("csv export: %d %s", st, body)
	}
	if got := strings.Split(lines[0], ","); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("csv header\n got %v\nwant %v", got, want)
	}
	if !strings.HasPrefix(lines[2], `bob,,,,,site_b,12,"Site B",`) {
		t.Errorf("bob's row: %s", lines[2])
	}
	_, body = api(t, srv, tok, "content", "user", "format", "json")
	dec := json.NewDecoder(strings.NewReader(body))
	var keys []string
	// Read the first object's keys in order.
	if tk, err := dec.Token(); err != nil || tk != json.Delim('[') {
		t.Fatalf("json: %v %s", err, body)
	}
	if tk, err := dec.Token(); err != nil || tk != json.Delim('{') {
		t.Fatalf("json: %v %s", err, body)
	}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("json keys\n got %v\nwant %v", keys, want)
	}
}

// TestUserDAGAssignmentLog: a user–DAG mapping import logs, per user whose
// group changed, REDCap's "Assign user to data access group" or "Remove
// user from data access group" entry under Manage/Design, naming the user
// and the group's label; unchanged rows log nothing.
func TestUserDAGAssignmentLog(t *testing.T) {
	p := usersProject()
	p.Users[0].DAG = "site_a"
	srv := NewServer(t, p)
	tok := srv.Token("long")
	st, body := api(t, srv, tok, "content", "userDagMapping", "format", "csv", "returnFormat", "json",
		"data", "username,redcap_data_access_group\nalice,site_b\napi_user,\n")
	if st != 200 || body != "2" {
		t.Fatalf("mapping: %d %s", st, body)
	}
	api(t, srv, tok, "content", "userDagMapping", "format", "json", "data", `[{"username":"alice","redcap_data_access_group":""}]`)
	st, body = api(t, srv, tok, "content", "log", "format", "json", "logtype", "manage")
	var got []string
	for _, r := range decodeRows(t, body) {
		if strings.Contains(r["details"], "data access group") {
			got = append(got, r["action"]+" | "+r["details"])
		}
	}
	want := []string{ // newest first
		"Manage/Design | Remove user from data access group user = 'alice', group = 'Site B'",
		"Manage/Design | Assign user to data access group user = 'alice', group = 'Site B'",
	}
	if st != 200 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log: %d\n got %q\nwant %q", st, got, want)
	}
}

// TestDesignExportsLogged: the reads the fixtures' log capture shows
// REDCap logging are logged with its wording, under Manage/Design.
func TestDesignExportsLogged(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	for _, content := range []string{"project", "dag", "instrument", "log"} {
		if st, body := api(t, srv, tok, "content", content, "format", "json"); st != 200 {
			t.Fatalf("%s: %d %s", content, st, body)
		}
	}
	_, body := api(t, srv, tok, "content", "log", "format", "json", "logtype", "manage")
	var got []string
	for _, r := range decodeRows(t, body) {
		got = append(got, r["action"]+" | "+r["details"])
	}
	want := []string{ // newest first
		"Manage/Design | Export Logging (API)",
		"Manage/Design | Export instruments (API)",
		"Manage/Design | Export DAGs (API)",
		"Manage/Design | Export project information (API)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n got %q\nwant %q", got, want)
	}
}

// TestDAGReadsNeedDAGRight: DAG and user–DAG exports, and record exports
// with exportDataAccessGroups, need the Data Access Groups right (400 with
// REDCap's wording); a user inside a group exports records with the flag
// (ignored for it) without the right, as the fixtures' read-dag capture
// shows.
func TestDAGReadsNeedDAGRight(t *testing.T) {
	p := longProject("long")
	p.Users = []User{
		{Username: "nodag", Token: "D0000000000000000000000000000001", Rights: map[string]string{"api_export": "1", "data_access_groups": "0"}},
		{Username: "inside", Token: "D0000000000000000000000000000002", DAG: "site_a", Rights: map[string]string{"api_export": "1", "data_access_groups": "0"}},
	}
	srv := NewServer(t, p)
	seedLong(t, srv)
	cases := []struct {
		token  string
		kv     []string
		status int
	}{
		{"D0000000000000000000000000000001", []string{"content", "dag"}, 400},
		{"D0000000000000000000000000000001", []string{"content", "userDagMapping"}, 400},
		{"D0000000000000000000000000000001", []string{"content", "record", "exportDataAccessGroups", "true"}, 400},
		{"D0000000000000000000000000000001", []string{"content", "record"}, 200},
		{"D0000000000000000000000000000002", []string{"content", "record", "exportDataAccessGroups", "true"}, 200},
		{srv.Token("long"), []string{"content", "dag"}, 200},
	}
	for _, tc := range cases {
		st, body := api(t, srv, tc.token, append([]string{"format", "json", "returnFormat", "json"}, tc.kv...)...)
		if st != tc.status || st == 400 && body != `{"error":"`+msgNoDAGRight+`"}` {
			t.Errorf("%v: %d %s, want %d", tc.kv, st, body, tc.status)
		}
	}
}

// TestFormRightsBitValues: data entry rights are exported as REDCap 15.6's
// bit values and imported as bit values or legacy levels.
func TestFormRightsBitValues(t *testing.T) {
	srv := NewServer(t, usersProject())
	tok := srv.Token("long")
	cases := []struct{ forms, want, err string }{
		{"enrol:146,visit:129,meds:0", "enrol:146,visit:129,meds:128", ""},
		{"enrol:1,visit:2,meds:3", "enrol:130,visit:129,meds:138", ""},
		{"enrol:131", "", "'enrol:131' is not of the form instrument:level"},
		{"enrol:129,visit:137", "", "'visit:137' is not of the form"},
	}
	for _, tc := range cases {
		st, body := api(t, srv, tok, "content", "user", "action", "import", "format", "json", "returnFormat", "json",
			"data", `[{"username":"alice","forms":"`+tc.forms+`"}]`)
		if tc.err != "" {
			if st != 400 || !strings.Contains(body, tc.err) {
				t.Errorf("%s: %d %s, want 400 %q", tc.forms, st, body, tc.err)
			}
			continue
		}
		if st != 200 {
			t.Fatalf("%s: %d %s", tc.forms, st, body)
		}
		_, body = api(t, srv, tok, "content", "user", "format", "json")
		if got := decodeRows(t, body)[0]["forms"]; got != tc.want {
			t.Errorf("%s: exported %q, want %q", tc.forms, got, tc.want)
		}
	}
}
