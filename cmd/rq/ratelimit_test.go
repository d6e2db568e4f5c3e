package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redcapql/rq/client/redcaptest"
)

// TestRateLimitedServerNeverBans: a whole-project query at CLI defaults
// against an emulator whose rate limiter bans past 300 calls a minute
// (REDCap's default is 600) gets every record and is never banned: rq makes
// few, large calls and its limiter stays under 300 a minute anyway. 200,000
// records (20,000 with -short). Nothing here depends on timing.
func TestRateLimitedServerNeverBans(t *testing.T) {
	records := 200_000
	if testing.Short() {
		records = 20_000
	}
	srv, err := redcaptest.Start("", redcaptest.Options{Faults: redcaptest.Faults{RateLimitPerMinute: 300}},
		redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv("REDCAP_API_URL", srv.URL)
	t.Setenv("REDCAP_API_TOKEN", srv.Token(demoName))
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	out := filepath.Join(t.TempDir(), "out.csv")

	var stdout, stderr bytes.Buffer
	if code := run([]string{"-q", "-c", "select * from records", "--format", "csv", "-o", out}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil || len(header) < 10 || header[0] != "record_id" {
		t.Fatalf("header %v, %v", header, err)
	}
	ids := map[string]bool{}
	rows := 0
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", rows+1, err)
		}
		rows++
		ids[row[0]] = true
	}
	if len(ids) != records || rows < records {
		t.Fatalf("%d rows of %d records, want all %d records", rows, len(ids), records)
	}
	// Not banned: the same IP is still served.
	stdout.Reset()
	if code := run([]string{"export", "version"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("after the export: exit %d: %s", code, stderr.String())
	}
}
