package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProgressBarOnTerminal: a query fetching several batches draws a bar
// on a terminal's stderr (records fetched / total); --quiet draws none, and
// neither does a query fetched in one call.
func TestProgressBarOnTerminal(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		wantBar bool
	}{
		{"several batches", []string{"--demo", "--records", "3000", "-o", "out.csv", "-c", "select * from records"}, true},
		{"quiet", []string{"--demo", "--records", "3000", "--quiet", "-o", "out.csv", "-c", "select * from records"}, false},
		{"one batch", []string{"--demo", "--records", "20", "-o", "out.csv", "-c", "select * from records"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startShell(t, nil, tt.args...)
			if err := s.wait(); err != nil {
				t.Fatalf("rq: %v\n%s", err, s.out.String())
			}
			s.mu.Lock()
			out := s.out.String()
			s.mu.Unlock()
			bar := strings.Contains(out, "fetching") && strings.Contains(out, "/3000") && strings.Contains(out, "records/")
			if bar != tt.wantBar {
				t.Errorf("bar shown = %v, want %v; terminal:\n%q", bar, tt.wantBar, out)
			}
			b, err := os.ReadFile(filepath.Join(s.cmd.Dir, "out.csv"))
			if err != nil || !strings.HasPrefix(string(b), "record_id,") {
				t.Errorf("out.csv: %v %.40q", err, b)
			}
		})
	}
}
