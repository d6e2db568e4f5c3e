package redcaptest

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redcapql/rq/internal/fixtures"
)

// allODM lists every project XML in the fixtures.
func allODM(t *testing.T) []string {
	dir := fixtures.Dir(t)
	var out []string
	for _, pat := range []string{"redcapr/projects/*/project.xml", "pycap/*.xml", "phpcap/projects/*.xml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 30 {
		t.Fatalf("found only %d project XML files", len(out))
	}
	return out
}

// TestLoadEveryODM loads every project XML of the fixtures and exports its
// records in each format: every record the XML holds must come back.
func TestLoadEveryODM(t *testing.T) {
	for _, path := range allODM(t) {
		rel := strings.TrimPrefix(path, fixtures.Dir(t)+"/")
		t.Run(rel, func(t *testing.T) {
			p, err := LoadODM(path)
			if err != nil {
				t.Fatal(err)
			}
			want := p.Records.Len()
			srv := NewServer(t, p)
			for _, format := range []string{"csv", "json", "xml"} {
				resp, err := http.PostForm(srv.URL, url.Values{"token": {srv.Token(p.Name)}, "content": {"record"},
					"format": {format}, "returnFormat": {"json"}})
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", format, resp.StatusCode, body)
				}
				ids := map[string]bool{}
				for r := range p.Records.All() {
					if !strings.Contains(string(body), r.ID) {
						t.Errorf("%s: record %q missing from export", format, r.ID)
					}
					ids[r.ID] = true
				}
				if len(ids) != want {
					t.Errorf("%s: %d distinct records, store holds %d", format, len(ids), want)
				}
			}
		})
	}
}
