package redcaptest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redcapql/rq/internal/fixtures"
)

// TestLoadCSVDir loads every REDCapR project folder that has a data
// dictionary CSV and checks that data.csv's records all come back.
func TestLoadCSVDir(t *testing.T) {
	dir := fixtures.Path(t, "redcapr", "projects")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, e := range entries {
		d := filepath.Join(dir, e.Name())
		if !e.IsDir() || (!exists(filepath.Join(d, "dictionary.csv")) && !exists(filepath.Join(d, "metadata.csv")) &&
			!exists(filepath.Join(d, "dictionay.csv"))) {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			p, err := LoadCSVDir(d)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := readCSVFile(filepath.Join(d, "data.csv"))
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, r := range recs[min(1, len(recs)):] {
				ids[r[indexOfString(recs[0], p.RecordIDField())]] = true
			}
			if p.Records.Len() != len(ids) {
				t.Errorf("%d records loaded, data.csv has %d", p.Records.Len(), len(ids))
			}
			srv := NewServer(t, p)
			st, body := postForm(srv.URL, srv.Token(p.Name), map[string]string{"content": "record", "format": "csv"})
			if st != 200 {
				t.Fatalf("export: %d %s", st, body)
			}
		})
		loaded++
	}
	if loaded < 25 {
		t.Errorf("only %d CSV project folders loaded", loaded)
	}
}

// TestLoadCSVMatchesODM: the longitudinal project's data.csv and
// project.xml describe the same records; both loaders must export them alike.
// (data.csv holds a few notes with line breaks turned into spaces, so runs
// of white space are compared as one space.)
func TestLoadCSVMatchesODM(t *testing.T) {
	d := fixtures.Path(t, "redcapr", "projects", "longitudinal")
	fromCSV, err := LoadCSVDir(d)
	if err != nil {
		t.Fatal(err)
	}
	fromXML, err := LoadODM(filepath.Join(d, "project.xml"))
	if err != nil {
		t.Fatal(err)
	}
	fromXML.Name = "xml"
	srv := NewServer(t, fromCSV, fromXML)
	params := map[string]string{"content": "record", "format": "csv"}
	_, a := postForm(srv.URL, srv.Token(fromCSV.Name), params)
	_, b := postForm(srv.URL, srv.Token("xml"), params)
	if squash(a) != squash(b) {
		t.Errorf("CSV-loaded export differs from ODM-loaded export:\ncsv: %.300s\nxml: %.300s", a, b)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
