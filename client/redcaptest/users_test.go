package redcaptest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const testSuper = "5E0000000000000000000000000000000000000000000000000000000000000A"

// TestCreateProjectItemXML creates a project with REDCap's documented
// <item> XML body, finds the super token's user as its creator with full
// rights, and updates its settings with the same shape.
func TestCreateProjectItemXML(t *testing.T) {
	srv, err := Start("", Options{SuperToken: testSuper}, tinyProject("tiny"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	st, tok := api(t, srv, testSuper, "content", "project", "format", "xml", "data",
		`<?xml version="1.0" encoding="UTF-8" ?><item><project_title>Made by XML</project_title><purpose>0</purpose><purpose_other></purpose_other><project_notes>n</project_notes></item>`)
	if st != 200 || len(tok) != 32 {
		t.Fatalf("create: %d %q", st, tok)
	}
	st, body := api(t, srv, tok, "content", "user", "format", "json")
	rows := decodeRows(t, body)
	if st != 200 || len(rows) != 1 || rows[0]["username"] != DefaultSuperUser || rows[0]["design"] != "1" || rows[0]["user_rights"] != "1" || rows[0]["forms"] != "my_first_instrument:154" {
		t.Fatalf("users of the created project: %d %s", st, body)
	}
	// JSON types: rights are integers, form rights an object.
	var typed []map[string]any
	if err := json.Unmarshal([]byte(body), &typed); err != nil {
		t.Fatal(err)
	}
	if _, ok := typed[0]["api_export"].(float64); !ok {
		t.Errorf("api_export is %T, want a JSON number", typed[0]["api_export"])
	}
	if _, ok := typed[0]["forms"].(map[string]any); !ok {
		t.Errorf("forms is %T, want a JSON object", typed[0]["forms"])
	}
	if _, ok := typed[0]["data_access_group_id"].(string); !ok {
		t.Errorf("data_access_group_id is %T, want a string", typed[0]["data_access_group_id"])
	}
	// Import Project Info with the <item> shape.
	st, body = api(t, srv, tok, "content", "project_settings", "format", "xml", "data",
		`<?xml version="1.0" encoding="UTF-8" ?><item><project_title>Renamed</project_title><project_irb_number>IRB-1</project_irb_number></item>`)
	if st != 200 {
		t.Fatalf("project_settings: %d %s", st, body)
	}
	st, body = api(t, srv, tok, "content", "project", "format", "json")
	if st != 200 || !strings.Contains(body, `"project_title":"Renamed"`) || !strings.Contains(body, `"project_irb_number":"IRB-1"`) {
		t.Errorf("project info after the XML update: %d %s", st, body)
	}
	// The users round trip: an exported user (forms as an object) imports back.
	_, exp := api(t, srv, tok, "content", "user", "format", "json")
	exp = strings.Replace(exp, `"username":"`+DefaultSuperUser+`"`, `"username":"copy"`, 1)
	if st, body = api(t, srv, tok, "content", "user", "action", "import", "format", "json", "data", exp); st != 200 || body != "1" {
		t.Fatalf("re-import of an export: %d %s", st, body)
	}
	if u := userNamed(srv.Project("Made by XML"), "copy"); u.Forms["my_first_instrument"] != formAll || u.Rights["design"] != "1" {
		t.Errorf("imported copy %+v", u)
	}
}

// TestServedProjectHasOwner: a served project lists its token's owner.
func TestServedProjectHasOwner(t *testing.T) {
	p := tinyProject("tiny")
	p.Owner = "jdoe"
	srv := NewServer(t, p)
	st, body := api(t, srv, srv.Token("tiny"), "content", "user", "format", "csv")
	if st != 200 || !strings.Contains(body, "\njdoe,,,,,,,,1,1,1,") {
		t.Errorf("owner: %d %s", st, body)
	}
}

// rightsDir writes a project folder with a users.csv declaring restricted users.
func rightsDir(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"metadata.csv": "field_name,form_name,field_type,field_label\nrecord_id,demo,text,ID\nage,demo,text,Age\n",
		"data.csv":     "record_id,redcap_data_access_group,age\n1,,30\n2,site_a,40\n3,site_b,50\n",
		"users.csv": "username,token,data_access_group,api_export,api_import,record_delete,user_rights,forms\n" +
			"reader,AAAA0000000000000000000000000001,,1,0,0,0,\n" +
			"writer,AAAA0000000000000000000000000002,,1,1,0,0,\n" +
			"deleter,AAAA0000000000000000000000000003,,1,1,1,0,\n" +
			"blind,AAAA0000000000000000000000000004,,0,1,0,0,\n" +
			"sitea,AAAA0000000000000000000000000005,site_a,1,1,1,0,\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRightsEnforced: declared users are refused as REDCap refuses them.
func TestRightsEnforced(t *testing.T) {
	p, err := LoadCSVDir(rightsDir(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(t, p)
	const (
		reader  = "AAAA0000000000000000000000000001"
		writer  = "AAAA0000000000000000000000000002"
		deleter = "AAAA0000000000000000000000000003"
		blind   = "AAAA0000000000000000000000000004"
		sitea   = "AAAA0000000000000000000000000005"
	)
	imp := []string{"content", "record", "format", "csv", "returnFormat", "json", "data", "record_id,age\n9,1\n"}
	del := []string{"content", "record", "action", "delete", "records[0]", "1", "returnFormat", "json"}
	exp := []string{"content", "record", "format", "csv", "returnFormat", "json"}
	tests := []struct {
		name, token string
		kv          []string
		status      int
		body        string
	}{
		{"reader imports", reader, imp, 403, `{"error":"You do not have API Import\/Update privileges"}`},
		{"reader deletes", reader, del, 403, `{"error":"You do not have API Import\/Update privileges"}`},
		{"reader exports", reader, exp, 200, "record_id,age,demo_complete\n1,30,0\n2,40,0\n3,50,0\n"},
		{"writer deletes", writer, del, 403, `{"error":"You do not have Delete Record privileges"}`},
		{"blind exports", blind, exp, 403, `{"error":"You do not have API Export privileges"}`},
		{"blind lists users", blind, []string{"content", "user", "returnFormat", "json"}, 403, `{"error":"You do not have API Export privileges"}`},
		{"reader lists users", reader, []string{"content", "user", "returnFormat", "json"}, 403, `{"error":"You do not have User Rights privileges"}`},
		{"DAG user exports", sitea, exp, 200, "record_id,age,demo_complete\n2,40,0\n"},
		{"DAG user next id", sitea, []string{"content", "generateNextRecordName"}, 200, ""},
		{"writer imports", writer, imp, 200, `{"count":1}`},
		{"deleter deletes", deleter, del, 200, "1"},
	}
	for _, tc := range tests {
		st, body := api(t, srv, tc.token, tc.kv...)
		if tc.name == "DAG user next id" {
			tc.body = dagID(p, "site_a") + "-1"
		}
		if st != tc.status || body != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.name, st, body, tc.status, tc.body)
		}
	}
}

func dagID(p *Project, unique string) string {
	if d := p.DAGByUnique(unique); d != nil {
		return strconv.Itoa(d.ID)
	}
	return "?"
}

// TestCreatedProjectDeclaredUsers: users declared for created projects
// (rq serve --users) join each project the super token creates, with their
// tokens where free, after the creator.
func TestCreatedProjectDeclaredUsers(t *testing.T) {
	declared, err := ParseUsersCSV(nil, "username,token,api_export,api_import\nreader,BBBB0000000000000000000000000001,1,0\n")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Start("", Options{SuperToken: testSuper, SuperUser: "admin", CreateUsers: declared})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	create := func(title string) string {
		st, tok := api(t, srv, testSuper, "content", "project", "format", "json", "data", `[{"project_title":"`+title+`","purpose":"0"}]`)
		if st != 200 {
			t.Fatalf("create %s: %d %s", title, st, tok)
		}
		return tok
	}
	tok := create("First")
	_, body := api(t, srv, tok, "content", "user", "format", "csv")
	if !strings.Contains(body, "\nreader,") || !strings.Contains(body, "\nadmin,") {
		t.Errorf("users of the created project: %s", body)
	}
	const reader = "BBBB0000000000000000000000000001"
	if st, body := api(t, srv, reader, "content", "record", "format", "csv", "returnFormat", "json", "data", "record_id\n1\n"); st != 403 || !strings.Contains(body, "API Import") {
		t.Errorf("reader import: %d %s", st, body)
	}
	if st, _ := api(t, srv, reader, "content", "project", "format", "json"); st != 200 {
		t.Errorf("reader export: %d", st)
	}
	// A second project: the token is taken, so the user has none there.
	tok2 := create("Second")
	_, body = api(t, srv, tok2, "content", "user", "format", "csv")
	if !strings.Contains(body, "\nreader,") {
		t.Errorf("second project's users: %s", body)
	}
	if p := srv.Project("Second"); userNamed(p, "reader").Token != "" {
		t.Errorf("the taken token was reused")
	}
}
