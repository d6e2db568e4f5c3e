package render

import (
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

func TestObjects(t *testing.T) {
	type item struct {
		FolderID int
		Name     string
		On       bool
		Tags     []string `json:"tags"`
	}
	s, err := Objects([]item{{1, "a", true, []string{"x"}}, {2, "", false, nil}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	Write(&b, JSONL, s, Options{})
	want := `{"folder_id":1,"name":"a","on":1,"tags":"[\"x\"]"}` + "\n" + `{"folder_id":2,"name":null,"on":0,"tags":null}` + "\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// custom JSON (users put rights beside the typed fields), keys in first-seen order
	users := []client.User{{Username: "ann", Rights: map[string]any{"design": 1}}, {Username: "bob", Rights: map[string]any{"api_export": 1}}}
	s, err = Objects(users)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Cols, ","); !strings.Contains(got, "username") || !strings.Contains(got, "design") || !strings.Contains(got, "api_export") {
		t.Errorf("user columns = %s", got)
	}
	if _, err := Objects(3); err == nil {
		t.Error("Objects(3): no error")
	}
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"FolderID": "folder_id", "DocID": "doc_id", "Name": "name", "unique_event_name": "unique_event_name", "HTMLPage": "html_page"} {
		if got := Snake(in); got != want {
			t.Errorf("Snake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecords(t *testing.T) {
	s := Records(&client.Records{Columns: []string{"record_id", "age"}, Rows: [][]string{{"1", ""}, {"2", "33"}}})
	var b strings.Builder
	Write(&b, JSONL, s, Options{})
	if b.String() != `{"record_id":"1","age":null}`+"\n"+`{"record_id":"2","age":"33"}`+"\n" {
		t.Errorf("got %s", b.String())
	}
}

// An empty result keeps its header: the element type's columns.
func TestObjectsEmpty(t *testing.T) {
	type item struct {
		FolderID int
		Name     string `json:"name"`
	}
	s, err := Objects([]item{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    Format
		want string
	}{{CSV, "folder_id,name\n"}, {TSV, "folder_id\tname\n"}, {JSON, "[]\n"}} {
		s.i = 0
		var b strings.Builder
		if _, err := Write(&b, tc.f, s, Options{}); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s: got %q, want %q", tc.f, b.String(), tc.want)
		}
	}
}
