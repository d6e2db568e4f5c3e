package client_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/fixtures"
)

// TestEmulatorFixtureProjects serves real project XMLs from the fixtures
// and checks, for each: the Project loads (classic, longitudinal,
// repeating, DAGs), its dictionary builds, and the CSV and JSON exports
// decode to the same rows in the same column order.
func TestEmulatorFixtureProjects(t *testing.T) {
	root := fixtures.Dir(t)
	paths, _ := filepath.Glob(filepath.Join(root, "redcapr", "projects", "*", "project.xml"))
	more, _ := filepath.Glob(filepath.Join(root, "pycap", "*.xml"))
	paths = append(paths, more...)
	if len(paths) < 10 {
		t.Fatalf("only %d project XMLs", len(paths))
	}
	ctx := context.Background()
	for _, path := range paths {
		name, _ := filepath.Rel(root, path)
		t.Run(name, func(t *testing.T) {
			if st, err := os.Stat(path); err != nil || st.Size() > 2<<20 {
				return // the super-wide projects are covered by redcaptest itself
			}
			p, err := redcaptest.LoadODM(path)
			if err != nil {
				t.Fatalf("LoadODM: %v", err)
			}
			srv := redcaptest.NewServer(t, p)
			c, err := client.New(srv.URL, p.Token, client.WithRateLimit(0), client.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			proj, err := c.Project(ctx)
			if err != nil {
				t.Fatalf("Project: %v", err)
			}
			if proj.IsLongitudinal() != (len(p.Events) > 0) || proj.HasRepeating() != (len(p.Repeating) > 0) {
				t.Errorf("longitudinal %v repeating %v", proj.IsLongitudinal(), proj.HasRepeating())
			}
			if proj.IsLongitudinal() && len(proj.Events()) != len(p.Events) {
				t.Errorf("%d events, want %d", len(proj.Events()), len(p.Events))
			}
			if _, err := proj.Dictionary(); err != nil {
				t.Errorf("Dictionary: %v", err)
			}
			csvR, err := c.ExportRecords(ctx, client.ExportRecordsParams{Format: "csv", ExportDataAccessGroups: true})
			if err != nil {
				t.Fatalf("csv export: %v", err)
			}
			jsonR, err := c.ExportRecords(ctx, client.ExportRecordsParams{Format: "json", ExportDataAccessGroups: true})
			if err != nil {
				t.Fatalf("json export: %v", err)
			}
			if len(csvR.Rows) > 0 && (csvR.Columns[0] != proj.DefField() || !slices.Equal(csvR.Columns, jsonR.Columns)) {
				t.Fatalf("columns\ncsv  %v\njson %v", csvR.Columns, jsonR.Columns)
			}
			if len(csvR.Rows) != len(jsonR.Rows) {
				t.Fatalf("csv %d rows, json %d", len(csvR.Rows), len(jsonR.Rows))
			}
			for i := range csvR.Rows {
				if !slices.Equal(csvR.Rows[i], jsonR.Rows[i]) {
					t.Fatalf("row %d\ncsv  %q\njson %q", i, csvR.Rows[i], jsonR.Rows[i])
				}
			}
		})
	}
}
