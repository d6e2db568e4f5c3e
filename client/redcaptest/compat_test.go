package redcaptest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The compatibility test drives the server with plain HTTP the way client
// libraries (PyCap, REDCapR, PHPCap, curl scripts) do: url-encoded bodies
// with PHP arrays (fields[0]=, records[]=), returnFormat, XML bodies in
// REDCap's <records><item> and <item> shapes, and multipart file uploads.
// It creates a project with the super token, imports its metadata,
// records and users, and exports them back, in json, csv and xml.

// crow is one row of a payload, its columns in order.
type crow [][2]string

// encodeRows writes rows in a client's payload format.
func encodeRows(t *testing.T, format string, rows []crow, single bool) string {
	t.Helper()
	switch format {
	case "json":
		var parts []string
		for _, r := range rows {
			var kv []string
			for _, c := range r {
				k, _ := json.Marshal(c[0])
				v, _ := json.Marshal(c[1])
				kv = append(kv, string(k)+":"+string(v))
			}
			parts = append(parts, "{"+strings.Join(kv, ",")+"}")
		}
		return "[" + strings.Join(parts, ",") + "]"
	case "csv":
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		var head []string
		for _, c := range rows[0] {
			head = append(head, c[0])
		}
		w.Write(head)
		for _, r := range rows {
			var vals []string
			for _, c := range r {
				vals = append(vals, c[1])
			}
			w.Write(vals)
		}
		w.Flush()
		return b.String()
	default:
		esc := func(s string) string {
			var b bytes.Buffer
			xml.EscapeText(&b, []byte(s))
			return b.String()
		}
		item := func(r crow) string {
			var b strings.Builder
			for _, c := range r {
				b.WriteString("<" + c[0] + ">" + esc(c[1]) + "</" + c[0] + ">")
			}
			return b.String()
		}
		if single { // REDCap's documented shape for one project / settings row
			return `<?xml version="1.0" encoding="UTF-8" ?><item>` + item(rows[0]) + "</item>"
		}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?><records>`)
		for _, r := range rows {
			b.WriteString("<item>" + item(r) + "</item>")
		}
		b.WriteString("</records>")
		return b.String()
	}
}

// decodeAny reads a tabular export in any format into rows of text.
func decodeAny(t *testing.T, format, body string) []map[string]string {
	t.Helper()
	switch format {
	case "json":
		if strings.HasPrefix(body, "{") { // project info: one object
			body = "[" + body + "]"
		}
		return decodeRows(t, body)
	case "csv":
		r := csv.NewReader(strings.NewReader(body))
		recs, err := r.ReadAll()
		if err != nil || len(recs) == 0 {
			t.Fatalf("csv export: %v: %q", err, body)
		}
		var out []map[string]string
		for _, rec := range recs[1:] {
			m := map[string]string{}
			for i, h := range recs[0] {
				m[h] = rec[i]
			}
			out = append(out, m)
		}
		return out
	default:
		rows, err := parseImportXML(body)
		if err != nil {
			t.Fatalf("xml export: %v: %q", err, body)
		}
		var out []map[string]string
		for _, r := range rows {
			out = append(out, r.vals)
		}
		return out
	}
}

// rawPost sends a body exactly as written (form-encoded).
func rawPost(t *testing.T, u, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestClientCompatibility(t *testing.T) {
	srv, err := Start("", Options{SuperToken: testSuper})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, format := range []string{"json", "csv", "xml"} {
		t.Run(format, func(t *testing.T) {
			call := func(kv ...string) (int, string) {
				t.Helper()
				f := url.Values{}
				for i := 0; i+1 < len(kv); i += 2 {
					f.Add(kv[i], kv[i+1])
				}
				return rawPost(t, srv.URL, f.Encode())
			}
			// 1. Create the project with the super token.
			st, tok := call("token", testSuper, "content", "project", "format", format, "returnFormat", "json",
				"data", encodeRows(t, format, []crow{{{"project_title", "Compat " + format}, {"purpose", "0"}, {"purpose_other", ""}, {"project_notes", "made over HTTP"}, {"is_longitudinal", "0"}, {"surveys_enabled", "0"}, {"record_autonumbering_enabled", "0"}}}, true))
			if st != 200 || len(tok) != 32 {
				t.Fatalf("create project: %d %q", st, tok)
			}
			// 2. Metadata.
			meta := []crow{
				{{"field_name", "record_id"}, {"form_name", "demo"}, {"field_type", "text"}, {"field_label", "ID"}, {"select_choices_or_calculations", ""}, {"text_validation_type_or_show_slider_number", ""}},
				{{"field_name", "name"}, {"form_name", "demo"}, {"field_type", "text"}, {"field_label", "Name"}, {"select_choices_or_calculations", ""}, {"text_validation_type_or_show_slider_number", ""}},
				{{"field_name", "weight"}, {"form_name", "demo"}, {"field_type", "text"}, {"field_label", "Weight"}, {"select_choices_or_calculations", ""}, {"text_validation_type_or_show_slider_number", "number"}},
				{{"field_name", "color"}, {"form_name", "demo"}, {"field_type", "checkbox"}, {"field_label", "Colours"}, {"select_choices_or_calculations", "1, Red | 2, Blue"}, {"text_validation_type_or_show_slider_number", ""}},
				{{"field_name", "photo"}, {"form_name", "demo"}, {"field_type", "file"}, {"field_label", "Photo"}, {"select_choices_or_calculations", ""}, {"text_validation_type_or_show_slider_number", ""}},
			}
			if st, body := call("token", tok, "content", "metadata", "format", format, "returnFormat", "json", "data", encodeRows(t, format, meta, false)); st != 200 || !strings.Contains(body, "5") {
				t.Fatalf("import metadata: %d %s", st, body)
			}
			// 3. Records.
			recs := []crow{
				{{"record_id", "1"}, {"name", "Ann & <Bo>"}, {"weight", "61.5"}, {"color___1", "1"}, {"color___2", "0"}},
				{{"record_id", "2"}, {"name", "Cy, \"Di\""}, {"weight", "80"}, {"color___1", "0"}, {"color___2", "1"}},
				{{"record_id", "3"}, {"name", "Ed"}, {"weight", ""}, {"color___1", "0"}, {"color___2", "0"}},
			}
			if st, body := call("token", tok, "content", "record", "format", format, "type", "flat", "overwriteBehavior", "normal",
				"returnContent", "count", "returnFormat", "json", "data", encodeRows(t, format, recs, false)); st != 200 || body != `{"count":3}` {
				t.Fatalf("import records: %d %s", st, body)
			}
			// 4. Users.
			users := []crow{{{"username", "reader_" + format}, {"api_export", "1"}, {"api_import", "0"}, {"forms", "demo:2"}}}
			if st, body := call("token", tok, "content", "user", "action", "import", "format", format, "returnFormat", "json", "data", encodeRows(t, format, users, false)); st != 200 || body != "1" {
				t.Fatalf("import users: %d %s", st, body)
			}
			st, body := call("token", tok, "content", "user", "format", format, "returnFormat", "json")
			got := decodeAny(t, format, body)
			if st != 200 || len(got) != 2 || got[0]["username"] != DefaultSuperUser || got[1]["username"] != "reader_"+format || got[1]["api_import"] != "0" {
				t.Errorf("export users: %d %s", st, body)
			}
			// 5. A file, as multipart.
			if st, body := upload(t, srv, tok, "p.jpg", []byte("JPEGDATA"), "content", "file", "action", "import", "record", "2", "field", "photo", "returnFormat", "json"); st != 200 || body != "" {
				t.Fatalf("upload: %d %q", st, body)
			}
			// 6. Export with PHP arrays in both spellings.
			st, body = rawPost(t, srv.URL, "token="+tok+"&content=record&format="+format+"&type=flat&returnFormat=json"+
				"&fields%5B0%5D=record_id&fields%5B1%5D=name&fields%5B2%5D=weight&fields%5B3%5D=color&fields%5B4%5D=photo"+
				"&records[]=1&records[]=2")
			got = decodeAny(t, format, body)
			if st != 200 || len(got) != 2 {
				t.Fatalf("export records: %d %s", st, body)
			}
			want := []map[string]string{
				{"record_id": "1", "name": "Ann & <Bo>", "weight": "61.5", "color___1": "1", "color___2": "0", "photo": ""},
				{"record_id": "2", "name": "Cy, \"Di\"", "weight": "80", "color___1": "0", "color___2": "1", "photo": "p.jpg"},
			}
			for i, w := range want {
				for k, v := range w {
					if got[i][k] != v {
						t.Errorf("record %d %s = %q, want %q (%s)", i+1, k, got[i][k], v, body)
					}
				}
			}
			// The file comes back with its bytes.
			if st, body := call("token", tok, "content", "file", "action", "export", "record", "2", "field", "photo"); st != 200 || body != "JPEGDATA" {
				t.Errorf("file export: %d %q", st, body)
			}
			// 7. Project info reflects the creation.
			st, body = call("token", tok, "content", "project", "format", format, "returnFormat", "json")
			got = decodeAny(t, format, body)
			if st != 200 || len(got) != 1 || got[0]["project_title"] != "Compat "+format || got[0]["project_notes"] != "made over HTTP" {
				t.Errorf("project info: %d %s", st, body)
			}
			// 8. Errors come in returnFormat whatever the format.
			if st, body := call("token", tok, "content", "record", "format", format, "returnFormat", "json", "fields[0]", "nope"); st != 400 || !strings.HasPrefix(body, `{"error":`) {
				t.Errorf("error answer: %d %s", st, body)
			}
		})
	}
}
