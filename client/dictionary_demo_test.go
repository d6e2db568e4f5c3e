package client

import (
	"context"
	"errors"
	"testing"

	"github.com/redcapql/rq/client/redcaptest"
)

// TestDictionaryAgainstDemo checks the dictionary against the embedded
// server's independent implementation: its exportFieldNames must name the
// columns the dictionary computes (checkbox codes -1 and oth, missing-data
// codes included), and every value of a raw export must parse, but for the
// demo's deliberately invalid values.
func TestDictionaryAgainstDemo(t *testing.T) {
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 300, Seed: 7}))
	c, err := New(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	meta, err := c.ExportMetadata(ctx, ExportMetadataParams{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.ExportProjectInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDictionary(meta, info.MissingDataCodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.MissingCodes()) == 0 {
		t.Fatalf("demo has no missing-data codes (project info %q)", info.MissingDataCodes)
	}

	names, err := c.ExportFieldNames(ctx, ExportFieldNamesParams{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, n := range names {
		listed[n.ExportFieldName] = true
		f, code, ok := d.ExportColumn(n.ExportFieldName)
		if !ok || f.Name != n.OriginalFieldName || code != n.ChoiceValue {
			t.Errorf("exportFieldNames %+v: dictionary maps it to %v, %q, %v", n, f, code, ok)
		}
	}
	race, _ := d.Field("race")
	for _, col := range race.Columns() {
		if !listed[col] {
			t.Errorf("checkbox column %s is not in exportFieldNames", col)
		}
	}

	recs, err := c.ExportRecords(ctx, ExportRecordsParams{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.NewRowParser(recs.Columns)
	if err != nil {
		t.Fatal(err)
	}
	var vals []Value
	var bad, missing, codeSets, values int
	for _, row := range recs.Rows {
		vals, err = p.Parse(row, vals)
		var ves ValueErrors
		if err != nil && !errors.As(err, &ves) {
			t.Fatal(err)
		}
		for _, ve := range ves {
			f, _ := d.Field(ve.Field)
			if f.Kind == KindText || f.Kind == KindCodeSet {
				t.Errorf("unexpected: %v", ve)
			} else {
				t.Logf("invalid value, as the demo plants them: %v", ve)
			}
			bad++
		}
		for _, v := range vals {
			values++
			if v.Missing != "" {
				missing++
			}
			if v.Kind == KindCodeSet && (v.Has("-1") || v.Has("oth")) {
				codeSets++
			}
		}
	}
	t.Logf("demo: %d rows, %d values, %d missing codes, %d code sets with -1/oth, %d values not fitting", len(recs.Rows), values, missing, codeSets, bad)
	if missing == 0 || codeSets == 0 {
		t.Errorf("demo exercised too little: %d missing, %d code sets with -1/oth", missing, codeSets)
	}
	if bad > values/50 {
		t.Errorf("%d of %d values do not fit", bad, values)
	}
}
