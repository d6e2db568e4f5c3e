package client_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/fixtures"
)

// TestDecodeFixtureCSVs streams every CSV of the shared REDCap fixtures
// (real exports: records, metadata, arms, events...) and checks that the
// record decoder gives exactly what csv.ReadAll gives.
func TestDecodeFixtureCSVs(t *testing.T) {
	root := fixtures.Dir(t)
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".csv") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("only %d CSV fixtures under %s", len(files), root)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, p)
		want, werr := csv.NewReader(bytes.NewReader(b)).ReadAll()
		rs, err := client.NewRecordStream(bytes.NewReader(b), "csv", "")
		var rows [][]string
		if err == nil {
			for rs.Next() {
				rows = append(rows, slices.Clone(rs.Row()))
			}
			err = rs.Err()
		}
		if (err == nil) != (werr == nil) {
			t.Errorf("%s: decoder %v, encoding/csv %v", name, err, werr)
			continue
		}
		if err != nil || len(want) == 0 {
			continue
		}
		want[0][0] = strings.TrimPrefix(want[0][0], "\ufeff")
		if !slices.Equal(rs.Columns(), want[0]) || len(rows) != len(want)-1 {
			t.Errorf("%s: columns %v (%d rows), want %v (%d rows)", name, rs.Columns(), len(rows), want[0], len(want)-1)
			continue
		}
		for i, r := range rows {
			if !slices.Equal(r, want[i+1]) {
				t.Errorf("%s row %d: %q, want %q", name, i+1, r, want[i+1])
				break
			}
		}
	}
}
