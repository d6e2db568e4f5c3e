package redcaptest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// tinyProject is a two-field classic project built by hand.
func tinyProject(name string) *Project {
	p := &Project{Name: name, Info: ProjectInfo{Title: name}}
	p.Metadata = []Field{
		{FieldName: "record_id", FormName: "demo", FieldType: "text", FieldLabel: "ID"},
		{FieldName: "age", FormName: "demo", FieldType: "text", FieldLabel: "Age", TextValidationTypeOrShowSliderNumber: "integer"},
	}
	return p
}

func post(t *testing.T, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestWireErrors(t *testing.T) {
	srv := NewServer(t, tinyProject("tiny"))
	tok := srv.Token("tiny")
	if len(tok) != 32 || strings.ToUpper(tok) != tok {
		t.Fatalf("token %q: want 32 upper-case hex", tok)
	}
	if !strings.HasSuffix(srv.URL, "/api/") {
		t.Fatalf("URL %q does not end in /api/", srv.URL)
	}
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 501 || string(b) != msgNotImplemented {
		t.Errorf("GET: %d %q", resp.StatusCode, b)
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		body   string
	}{
		{"unknown token json", url.Values{"token": {"0123456789ABCDEF0123456789ABCDEF"}, "content": {"version"}, "format": {"json"}},
			403, `{"error":"You do not have permissions to use the API"}`},
		{"bad token chars", url.Values{"token": {"ab-cd"}, "content": {"version"}, "returnFormat": {"csv"}},
			403, "ERROR: You do not have permissions to use the API"},
		{"missing token xml", url.Values{"content": {"version"}},
			403, `<?xml version="1.0" encoding="UTF-8" ?><hash><error>You do not have permissions to use the API</error></hash>`},
		{"bad content", url.Values{"token": {tok}, "content": {"nope"}, "returnFormat": {"json"}},
			400, `{"error":"The value of the parameter \"content\" is not valid"}`},
		{"version", url.Values{"token": {tok}, "content": {"version"}}, 200, Version},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body, _ := post(t, srv.URL, tt.form)
			if st != tt.status || body != tt.body {
				t.Errorf("got %d %q, want %d %q", st, body, tt.status, tt.body)
			}
		})
	}
}

func TestPHPForm(t *testing.T) {
	tests := []struct {
		body string
		key  string
		want []string
	}{
		{"records[0]=a&records[1]=b", "records", []string{"a", "b"}},
		{"records[]=a&records[]=b", "records", []string{"a", "b"}},
		{"records=a,b", "records", []string{"a", "b"}},
		{"records=a&records=b", "records", []string{"b"}},
		{"records[1]=a&records[2]=b&records[1]=c", "records", []string{"c", "b"}},
		{"records[0]=a&records=z", "records", []string{"z"}},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest("POST", "/", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		f, err := parseForm(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.List(tt.key); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: got %q want %q", tt.body, got, tt.want)
		}
	}
}

func TestMaxInputVars(t *testing.T) {
	srv, err := Start("", Options{Faults: Faults{MaxInputVars: 5}}, tinyProject("tiny"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	f := url.Values{"token": {srv.Token("tiny")}, "content": {"version"}, "returnFormat": {"json"}}
	for _, k := range []string{"records[0]", "records[1]", "records[2]"} {
		f.Set(k, "1")
	}
	st, body, _ := post(t, srv.URL, f)
	if st != 400 || !strings.Contains(body, "maximum for the number of POST parameters") {
		t.Errorf("got %d %q", st, body)
	}
}
