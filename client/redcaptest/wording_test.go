package redcaptest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestNotFoundPage: a wrong path gets a web server's HTML 404 page, as
// from a real REDCap host, not Go's plain-text one.
func TestNotFoundPage(t *testing.T) {
	srv := NewServer(t, tinyProject("tiny"))
	base := strings.TrimSuffix(srv.URL, "api/")
	for _, path := range []string{"", "redcap/api/", "surveys/?s=X"} {
		resp, err := http.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader("token=X"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<title>404 Not Found</title>") {
			t.Errorf("%q: %d %q %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

// TestClientTestedWording: messages client libraries' own tests match.
func TestClientTestedWording(t *testing.T) {
	p := longProject("long")
	p.Info.SurveysEnabled = true
	srv := NewServer(t, p)
	tok := srv.Token("long")
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		// REDCapR's file download test
		{"file export of a non-file field", []string{"content", "file", "action", "export", "record", "1", "field", "age", "event", "enrol_arm_1", "returnFormat", "csv"},
			"ERROR: The field 'age' does not exist or is not a 'file' field"},
		{"file export of an unknown field", []string{"content", "file", "action", "export", "record", "1", "field", "mugshotttttt", "event", "enrol_arm_1", "returnFormat", "csv"},
			"ERROR: The field 'mugshotttttt' does not exist or is not a 'file' field"},
		// REDCapR's survey link test
		{"survey link of an unknown record", []string{"content", "surveyLink", "record", "-1", "instrument", "enrol", "event", "enrol_arm_1", "returnFormat", "csv"},
			`ERROR: The record "-1" does not exist`},
	}
	for _, tc := range tests {
		if st, body := api(t, srv, tok, tc.kv...); st != 400 || body != tc.want {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, st, body, tc.want)
		}
	}
}
