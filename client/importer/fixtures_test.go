package importer_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client/importer"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/fixtures"
)

// fixtureServer serves a PHPCap project XML export.
func fixtureServer(t *testing.T, xml string, repeating ...string) (*redcaptest.Server, string) {
	t.Helper()
	p, err := redcaptest.LoadODM(fixtures.Path(t, "phpcap", "projects", xml))
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range repeating {
		p.Repeating = append(p.Repeating, redcaptest.RepeatingForm{Form: form})
	}
	srv := redcaptest.NewServer(t, p)
	return srv, p.Token
}

// PHPCap's import payloads, checked against the projects they were
// written for.
func TestFixtureImports(t *testing.T) {
	ctx := context.Background()
	t.Run("basic demography imports", func(t *testing.T) {
		srv, tok := fixtureServer(t, "PHPCapBasicDemography.REDCap.xml")
		c := newClient(t, srv.URL, tok)
		data, err := os.ReadFile(fixtures.Path(t, "phpcap", "data", "basic-demography-import.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := load(t, c).Import(ctx, strings.NewReader(string(data)), importer.CSV, importer.Options{})
		if err != nil {
			t.Fatalf("%v\n%s", err, rep)
		}
		if !slices.Equal(rep.Written, []string{"1101"}) {
			t.Fatalf("report:\n%s", rep)
		}
		r := export(t, c, "1101")["1101|||"]
		if r["first_name"] != "Joe" || r["dob"] != "1945-07-15" || r["telephone"] != "(753) 406-4137" {
			t.Errorf("stored %v", r)
		}
	})
	t.Run("repeating forms with mixed date layouts", func(t *testing.T) {
		// birth_date is written Y-M-D, weight_date M/D/Y: no one dateFormat
		// reads both, so each choice lists the other field's every value.
		srv, tok := fixtureServer(t, "PHPCapRepeatingForms.REDCap.xml", "weight") // REDCap 7's XML does not record the repeating setup
		c := newClient(t, srv.URL, tok)
		data, err := os.ReadFile(fixtures.Path(t, "phpcap", "data", "repeating-forms-import.csv"))
		if err != nil {
			t.Fatal(err)
		}
		count := func(ps importer.Problems, field string) (n int, lines []int) {
			for _, p := range ps {
				if p.Field == field && strings.Contains(p.Message, "not a date") {
					n++
					lines = append(lines, p.Line)
				}
			}
			return n, lines
		}
		ymd := load(t, c).Validate(strings.NewReader(string(data)), importer.CSV)
		if n, _ := count(ymd, "weight_date"); n != 12 || len(ymd.Errors()) != 12 {
			t.Errorf("YMD: %d weight_date problems of %d, want 12 of 12:\n%v", n, len(ymd.Errors()), ymd)
		}
		mdy := load(t, c, importer.WithDateFormat("MDY")).Validate(strings.NewReader(string(data)), importer.CSV)
		if n, lines := count(mdy, "birth_date"); n != 4 || len(mdy.Errors()) != 4 || !slices.Equal(lines, []int{2, 6, 11, 16}) {
			t.Errorf("MDY: birth_date problems on lines %v of %d problems, want 2 6 11 16:\n%v", lines, len(mdy.Errors()), mdy)
		}
		// Rewritten to one layout, the payload imports and reads back in ISO form.
		fixed := strings.NewReplacer("1924-10-20", "10/20/1924", "1926-03-02", "03/02/1926", "1987-06-14", "06/14/1987", "1960-08-09", "08/09/1960").Replace(string(data))
		rep, err := load(t, c, importer.WithDateFormat("MDY")).Import(ctx, strings.NewReader(fixed), importer.CSV, importer.Options{ChunkRecords: 2})
		if err != nil {
			t.Fatalf("%v\n%s", err, rep)
		}
		if rep.Chunks != 2 || !slices.Equal(rep.Written, []string{"1001", "1002", "1003", "1004"}) {
			t.Fatalf("report:\n%s", rep)
		}
		rows := export(t, c, "1002")
		if rows["1002|||"]["birth_date"] != "1926-03-02" || rows["1002||weight|4"]["weight_date"] != "2022-03-11" {
			t.Errorf("stored %v", rows)
		}
	})
}
