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

// TestProgressBarClearedBeforeResult: the shell and -c clear the bar before
// the result is printed, so the table's header starts its own line (QA 10).
func TestProgressBarClearedBeforeResult(t *testing.T) {
	query := "select record_id, age from records where form = 'baseline' and age > 0"
	check := func(t *testing.T, s *ptyShell) {
		t.Helper()
		s.mu.Lock()
		out := s.out.String()
		s.mu.Unlock()
		h := strings.Index(out, " record_id | age")
		if h < 0 {
			t.Fatalf("no result header:\n%q", out)
		}
		if !strings.Contains(out[:h], "fetching") {
			t.Fatalf("no bar before the result (the test needs one):\n%q", out[:h])
		}
		// what the terminal shows on the header's line before it
		line := out[strings.LastIndexAny(out[:h], "\r\n")+1 : h]
		if strings.TrimSpace(line) != "" {
			t.Errorf("the header shares its line with %q", line)
		}
	}
	t.Run("shell", func(t *testing.T) {
		s := startShell(t, []string{"RQ_HISTORY=" + filepath.Join(t.TempDir(), "h")}, "--demo", "--records", "3000")
		s.expect(prompt)
		s.send("select record_id, age from records where form = 'baseline' and age > 0 limit 3;\r")
		s.expect("(3 rows)")
		s.expect(prompt)
		check(t, s)
		s.send(`\q` + "\r")
		if err := s.wait(); err != nil {
			t.Fatalf("shell exit: %v", err)
		}
	})
	t.Run("-c", func(t *testing.T) {
		s := startShell(t, nil, "--demo", "--records", "3000", "-c", query+" limit 3")
		s.expect("(3 rows)") // all output read from the terminal
		if err := s.wait(); err != nil {
			t.Fatalf("rq: %v", err)
		}
		check(t, s)
	})
}
