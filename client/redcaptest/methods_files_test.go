package redcaptest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// upload posts a multipart request with the file in part "file".
func upload(t *testing.T, srv *Server, token, filename string, data []byte, kv ...string) (int, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("token", token)
	for i := 0; i+1 < len(kv); i += 2 {
		w.WriteField(kv[i], kv[i+1])
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	resp, err := http.Post(srv.URL, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestFileMethods(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	seedLong(t, srv)
	tok := srv.Token("long")
	p := srv.Project("long")
	content := []byte("%PDF-1.4 consent form")
	tests := []struct {
		name   string
		kv     []string
		status int
		want   string
	}{
		{"not a file field", []string{"record", "1", "field", "age", "event", "enrol_arm_1"}, 400, "The field 'age' does not exist or is not a 'file' field"},
		{"signature", []string{"record", "1", "field", "signature", "event", "enrol_arm_1"}, 400, "signature field"},
		{"unknown record", []string{"record", "99", "field", "consent_file", "event", "enrol_arm_1"}, 400, "The record '99' does not exist"},
		{"no event", []string{"record", "1", "field", "consent_file"}, 400, "The parameter 'event' is missing"},
		{"undesignated event", []string{"record", "1", "field", "consent_file", "event", "visit_arm_1"}, 400, "not designated for the event 'visit_arm_1'"},
		{"ok", []string{"record", "1", "field", "consent_file", "event", "enrol_arm_1"}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := append([]string{"content", "file", "action", "import", "returnFormat", "json"}, tc.kv...)
			st, body := upload(t, srv, tok, "consent.pdf", content, kv...)
			if st != tc.status || (tc.want == "" && body != "") || !strings.Contains(body, tc.want) {
				t.Errorf("got %d %q, want %d containing %q", st, body, tc.status, tc.want)
			}
		})
	}
	if st, body := upload(t, srv, tok, "", nil, "content", "file", "action", "import", "record", "1", "field", "consent_file", "event", "enrol_arm_1", "returnFormat", "json"); st != 400 || !strings.Contains(body, "part 'file'") {
		t.Errorf("no file part: %d %s", st, body)
	}
	if got := cell(p, "1", RowKey{Event: "enrol_arm_1"}, "consent_file"); got != "consent.pdf" {
		t.Errorf("stored value %q", got)
	}
	// Export: bytes and REDCap's Content-Type with the name.
	f := map[string][]string{"token": {tok}, "content": {"file"}, "action": {"export"}, "record": {"1"}, "field": {"consent_file"}, "event": {"enrol_arm_1"}}
	st, body, hdr := post(t, srv.URL, f)
	if st != 200 || body != string(content) || hdr.Get("Content-Type") != `application/pdf; name="consent.pdf";charset=UTF-8` {
		t.Errorf("export: %d %q %q", st, body, hdr.Get("Content-Type"))
	}
	last := p.Log[len(p.Log)-1]
	if last.Kind != LogFileUpload || last.Record != "1" {
		t.Errorf("log %+v", last)
	}
	// Delete: empty body, then nothing to export.
	if st, body := api(t, srv, tok, "content", "file", "action", "delete", "record", "1", "field", "consent_file", "event", "enrol_arm_1"); st != 200 || body != "" {
		t.Errorf("delete: %d %q", st, body)
	}
	if st, body := api(t, srv, tok, "content", "file", "action", "export", "record", "1", "field", "consent_file", "event", "enrol_arm_1", "returnFormat", "json"); st != 400 || body != `{"error":"There is no file to download for this record"}` {
		t.Errorf("export after delete: %d %q", st, body)
	}
	if cell(p, "1", RowKey{Event: "enrol_arm_1"}, "consent_file") != "" || p.Log[len(p.Log)-1].Kind != LogFileDelete {
		t.Error("delete left the value or no log entry")
	}
}

func TestFileRepository(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	tok := srv.Token("long")
	// The exact error text of REDCapR's bad-folder-id fixture.
	st, body := api(t, srv, tok, "content", "fileRepository", "action", "list", "folder_id", "99", "format", "csv", "returnFormat", "csv")
	if st != 400 || body != "ERROR: The File Repository folder folder_id=99 does not exist or else you do not have permission to that folder because it is DAG-restricted or Role-restricted." {
		t.Errorf("bad folder: %d %q", st, body)
	}
	st, body = api(t, srv, tok, "content", "fileRepository", "action", "createFolder", "name", "the-state", "format", "json")
	if st != 200 || body != `[{"folder_id":1}]` {
		t.Fatalf("createFolder: %d %s", st, body)
	}
	if st, body = upload(t, srv, tok, "levon-and-barry.jpg", []byte("JPEG"), "content", "fileRepository", "action", "import", "folder_id", "1"); st != 200 || body != "" {
		t.Fatalf("import into folder: %d %q", st, body)
	}
	if st, body = upload(t, srv, tok, "mugshot-1.jpg", []byte("JPEG1"), "content", "fileRepository", "action", "import"); st != 200 {
		t.Fatalf("import top: %d %q", st, body)
	}
	st, body = api(t, srv, tok, "content", "fileRepository", "action", "list", "format", "csv")
	if st != 200 || !regexp.MustCompile(`^folder_id,doc_id,name,role,dag\n1,,the-state,,\n,[0-9]+,mugshot-1.jpg,,\n$`).MatchString(body) {
		t.Errorf("list top: %d %q", st, body)
	}
	st, body = api(t, srv, tok, "content", "fileRepository", "action", "list", "folder_id", "1", "format", "json")
	m := regexp.MustCompile(`^\[\{"folder_id":"","doc_id":([0-9]+),"name":"levon-and-barry.jpg","role":"","dag":""\}\]$`).FindStringSubmatch(body)
	if st != 200 || m == nil {
		t.Fatalf("list folder: %d %q", st, body)
	}
	doc := m[1]
	f := map[string][]string{"token": {tok}, "content": {"fileRepository"}, "action": {"export"}, "doc_id": {doc}}
	st, body, hdr := post(t, srv.URL, f)
	if st != 200 || body != "JPEG" || hdr.Get("Content-Type") != `image/jpeg; name="levon-and-barry.jpg";charset=UTF-8` {
		t.Errorf("export: %d %q %q", st, body, hdr.Get("Content-Type"))
	}
	if st, body = api(t, srv, tok, "content", "fileRepository", "action", "delete", "doc_id", doc); st != 200 || body != "" {
		t.Errorf("delete: %d %q", st, body)
	}
	n, _ := strconv.Atoi(doc)
	if st, body = api(t, srv, tok, "content", "fileRepository", "action", "export", "doc_id", strconv.Itoa(n), "returnFormat", "json"); st != 400 || !strings.Contains(body, "does not exist") {
		t.Errorf("export deleted: %d %q", st, body)
	}
	if st, body = api(t, srv, tok, "content", "fileRepository", "action", "createFolder", "returnFormat", "json"); st != 400 || !strings.Contains(body, "'name' is missing") {
		t.Errorf("createFolder without name: %d %q", st, body)
	}
}

func TestPDFExport(t *testing.T) {
	srv := NewServer(t, longProject("long"))
	seedLong(t, srv)
	tok := srv.Token("long")
	f := map[string][]string{"token": {tok}, "content": {"pdf"}, "record": {"1"}, "instrument": {"visit"}}
	st, body, hdr := post(t, srv.URL, f)
	if st != 200 || !strings.HasPrefix(body, "%PDF-1.4") || !strings.HasSuffix(body, "%%EOF\n") || hdr.Get("Content-Type") != "application/pdf" ||
		hdr.Get("Content-Disposition") != `attachment; filename="record_1.pdf"` {
		t.Fatalf("pdf: %d %.40q %q %q", st, body, hdr.Get("Content-Type"), hdr.Get("Content-Disposition"))
	}
	for _, want := range []string{"Record: 1", "Instrument: Visit [visit]", "sbp: 120"} {
		if !strings.Contains(body, want) {
			t.Errorf("pdf lacks %q", want)
		}
	}
	// The xref offsets point at the objects.
	xref := regexp.MustCompile(`startxref\n([0-9]+)`).FindStringSubmatch(body)
	at, _ := strconv.Atoi(xref[1])
	if !strings.HasPrefix(body[at:], "xref\n") {
		t.Error("startxref does not point at the xref table")
	}
	for _, m := range regexp.MustCompile(`(?m)^([0-9]{10}) 00000 n $`).FindAllStringSubmatch(body, -1) {
		off, _ := strconv.Atoi(m[1])
		if !regexp.MustCompile(`^[0-9]+ 0 obj`).MatchString(body[off:]) {
			t.Errorf("xref offset %d is not an object", off)
		}
	}
	if st, body := api(t, srv, tok, "content", "pdf", "instrument", "nope", "returnFormat", "json"); st != 400 || !strings.Contains(body, "'nope' does not exist") {
		t.Errorf("bad instrument: %d %s", st, body)
	}
	// compactDisplay leaves out the empty fields (visit_date is blank).
	if !strings.Contains(body, "visit_date: ") {
		t.Errorf("full pdf lacks the empty field")
	}
	f["compactDisplay"] = []string{"true"}
	if _, compact, _ := post(t, srv.URL, f); strings.Contains(compact, "visit_date: ") || !strings.Contains(compact, "sbp: 120") {
		t.Errorf("compact pdf: %q", compact)
	}
	// Choice fields list their options, the chosen ones marked; compact
	// keeps only the chosen ones. Record 1's enrol form: sex 1 (Female).
	if st, body := api(t, srv, tok, "content", "record", "format", "csv", "data", "record_id,redcap_event_name,sex\n1,enrol_arm_1,1\n"); st != 200 {
		t.Fatalf("import: %d %s", st, body)
	}
	f = map[string][]string{"token": {tok}, "content": {"pdf"}, "record": {"1"}, "instrument": {"enrol"}, "event": {"enrol_arm_1"}}
	_, full, _ := post(t, srv.URL, f)
	f["compactDisplay"] = []string{"true"}
	_, compact, _ := post(t, srv.URL, f)
	for _, tc := range []struct {
		pdf, text string
		want      bool
	}{
		{full, `(X\) Female`, true}, {full, `( \) Male`, true},
		{compact, `(X\) Female`, true}, {compact, `( \) Male`, false},
	} {
		if strings.Contains(tc.pdf, tc.text) != tc.want {
			t.Errorf("pdf contains %q: %v, want %v", tc.text, !tc.want, tc.want)
		}
	}
}

// TestFileExportDemo downloads a consent file the demo project stores.
func TestFileExportDemo(t *testing.T) {
	p := Demo(DemoOptions{Records: 20, Seed: 1})
	srv := NewServer(t, p)
	var k FileKey
	var want *StoredFile
	for key, f := range p.Files {
		k, want = key, f
		break
	}
	if want == nil {
		t.Fatal("the demo project stores no file")
	}
	f := map[string][]string{"token": {srv.Token(p.Name)}, "content": {"file"}, "action": {"export"},
		"record": {k.Record}, "field": {k.Field}, "event": {k.Event}}
	st, body, hdr := post(t, srv.URL, f)
	if st != 200 || body != string(want.Data) || hdr.Get("Content-Type") != want.MIME+`; name="`+want.Name+`";charset=UTF-8` {
		t.Errorf("demo file: %d %d bytes %q", st, len(body), hdr.Get("Content-Type"))
	}
}
