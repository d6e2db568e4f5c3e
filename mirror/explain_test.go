package mirror_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq"
)

// TestMirrorExplain: explain names the mirror as the source and the files
// and columns a query reads, in text and in JSON, through the Go API and
// as rows of an explain statement (what the shell and -c print).
func TestMirrorExplain(t *testing.T) {
	e := newEnv(t, 120) // 40 records a part: 3 parts
	e.sync()
	p, err := rq.OpenMirror(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Mirror().State
	cases := []struct {
		query     string
		files     []string
		textFiles string
		columns   int // 0: every field, -1: age and not weight
	}{
		{"select * from records", []string{"part-00000.parquet", "part-00001.parquet", "part-00002.parquet"},
			"files read: 3 of 3: part-00000.parquet, part-00001.parquet, part-00002.parquet", 0},
		{"select age from records where record_id in ('3', '90')", []string{"part-00000.parquet", "part-00002.parquet"},
			"files read: 2 of 3: part-00000.parquet, part-00002.parquet", -1},
		{"select age from records where record_id = 'nosuch'", []string{},
			"files read: 0 of 3: none", -1},
	}
	for _, c := range cases {
		ex, err := p.Explain(context.Background(), c.query, nil, false)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		for _, want := range []string{"source: mirror " + e.dir + " (offline)\n", c.textFiles + "\n", "(" + st.Generation + "), 120 records\n"} {
			if !strings.Contains(ex.Text, want) {
				t.Errorf("%s: text explain lacks %q:\n%s", c.query, want, ex.Text)
			}
		}
		var doc struct {
			Mirror *struct {
				Dir         string   `json:"dir"`
				Offline     bool     `json:"offline"`
				Generation  string   `json:"generation"`
				Records     int      `json:"records"`
				FilesRead   []string `json:"files_read"`
				Files       int      `json:"files"`
				ColumnsRead []string `json:"columns_read"`
				Columns     int      `json:"columns"`
			} `json:"mirror"`
			Source string `json:"source"`
			Query  string `json:"query"`
		}
		if err := json.Unmarshal(ex.JSON, &doc); err != nil {
			t.Fatalf("%s: %v\n%s", c.query, err, ex.JSON)
		}
		m := doc.Mirror
		if m == nil || m.Dir != e.dir || !m.Offline || m.Generation != st.Generation || m.Records != 120 || m.Files != 3 ||
			!slices.Equal(m.FilesRead, c.files) || doc.Source != "records" || doc.Query == "" {
			t.Errorf("%s: JSON explain:\n%s", c.query, ex.JSON)
			continue
		}
		switch {
		case c.columns == 0 && (!slices.Contains(m.ColumnsRead, "age") || !slices.Contains(m.ColumnsRead, "weight")):
			t.Errorf("%s: columns read %v: want every field", c.query, m.ColumnsRead)
		case c.columns < 0 && (!slices.Contains(m.ColumnsRead, "age") || slices.Contains(m.ColumnsRead, "weight") || len(m.ColumnsRead) >= m.Columns):
			t.Errorf("%s: columns read %v: want age and not every column", c.query, m.ColumnsRead)
		}
		// an explain statement's rows carry the same JSON (the shell's \format json)
		rows, err := p.Query(context.Background(), "explain "+c.query, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
		if string(rows.ExplainJSON()) != string(ex.JSON) {
			t.Errorf("%s: explain statement's JSON differs from Explain's:\n%s", c.query, rows.ExplainJSON())
		}
	}
}
