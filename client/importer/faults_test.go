package importer_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client/importer"
	"github.com/redcapql/rq/client/redcaptest"
)

// TestImportUnderFaults imports 60 records in chunks of 5 through the
// emulator's fault injection (15% 502/503/504, 10% HTML error pages, 10%
// truncated answers, cut mid-row or at a row end; 8 seeds each) and
// resumes until done. After every run the report
// must match the server: every record reported written is stored, none
// reported not written is, and anything stored was reported written or
// unknown.
func TestImportUnderFaults(t *testing.T) {
	for i := int64(0); i < 16; i++ {
		seed, atLine := i/2+1, i%2 == 1
		f := redcaptest.Faults{FailRate: 0.15, HTMLErrorRate: 0.10, TruncateRate: 0.10, TruncateAtLineEnd: atLine, Seed: seed}
		srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: f}, redcaptest.Demo(redcaptest.DemoOptions{Records: 10, Seed: 7}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		clean, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, srv.Project(demoName))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(clean.Close)
		c := newClient(t, srv.URL, srv.Token(demoName))
		check := newClient(t, clean.URL, srv.Token(demoName)) // the same project without faults

		var im *importer.Importer
		for range 20 { // loading the structure meets faults too
			if im, err = importer.Load(context.Background(), c); err == nil {
				break
			}
		}
		if im == nil {
			t.Fatalf("seed %d: loading the structure: %v", seed, err)
		}
		src, ids := validCSV(60)
		o := importer.Options{ChunkRecords: 5, JournalPath: filepath.Join(t.TempDir(), "j.json")}
		runs, kinds := 0, map[string]int{}
		for ; runs < 60; runs++ {
			rep, err := im.Import(context.Background(), strings.NewReader(src), importer.CSV, o)
			stored := storedIDs(t, check, ids)
			for _, id := range rep.Written {
				if !slices.Contains(stored, id) {
					t.Fatalf("seed %d run %d: %s reported written but not stored\n%s", seed, runs, id, rep)
				}
			}
			for _, id := range rep.NotWritten {
				if slices.Contains(stored, id) {
					t.Fatalf("seed %d run %d: %s reported not written but stored\n%s", seed, runs, id, rep)
				}
			}
			for _, id := range stored {
				if !slices.Contains(rep.Written, id) && !slices.Contains(rep.Unknown, id) {
					t.Fatalf("seed %d run %d: %s stored but reported neither written nor unknown\n%s", seed, runs, id, rep)
				}
			}
			if err == nil {
				if !slices.Equal(rep.Written, ids) {
					t.Fatalf("seed %d: success without every record written:\n%s", seed, rep)
				}
				break
			}
			var ce *importer.ChunkError
			switch {
			case errors.As(err, &ce) && ce.Unknown:
				kinds["unknown"]++
			case errors.As(err, &ce):
				kinds["not written"]++
			default:
				t.Fatalf("seed %d run %d: %v", seed, runs, err)
			}
			o.Resume = true
		}
		if runs == 60 {
			t.Fatalf("seed %d: not done after 60 runs", seed)
		}
		if rows := export(t, check, ids...); len(rows) != 240 || rows["5042|enrollment_arm_1|medications|1"]["med_dose"] != "51" {
			t.Fatalf("seed %d: %d rows stored, want 240", seed, len(rows))
		}
		t.Logf("seed %d (cut at line ends: %v): done in %d runs (failed chunks: %v)", seed, atLine, runs+1, kinds)
	}
}
