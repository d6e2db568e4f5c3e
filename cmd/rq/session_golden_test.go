package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/redcapql/rq/repl"
)

// sessionCases are statements every input must show alike (#13): an
// explain, an explain in the json format, a query with invalid-value
// warnings, a syntax error, an unknown field, and a normal query.
var sessionCases = []struct {
	name, format, stmt string
}{
	{"explain", "table", "explain select age from records where score > 5 and form = 'baseline'"},
	{"explain-json", "json", "explain select age from records where score > 5 and notes = '<a & b>'"},
	{"invalid-values", "csv", "select record, weight from records where form = 'baseline' and record in ('3', '197')"},
	{"syntax-error", "table", "select age from records where score >> 5"},
	{"unknown-field", "csv", "select agee from records"},
	{"query-table", "table", "select record_id, age from records where form = 'baseline' and age > 80"},
	{"query-json", "json", "select record_id, age from records where form = 'baseline' and age > 80"},
}

// sourceName matches the input's name at the start of an error position:
// rq run and \i name the file, piped input <stdin>, -c and a shell line
// nothing. It is the one difference between the inputs.
var sourceName = regexp.MustCompile(`(?m)^(<stdin>|[^ :\n]+\.rq):`)

// TestOneEvaluatorGolden runs each case through the five inputs (-c, rq
// run, piped stdin, a shell line, \i in the shell) and requires the same
// stdout, stderr and exit status from each; the shared answer is the
// golden file testdata/session/<case>.txtar (-update rewrites it).
func TestOneEvaluatorGolden(t *testing.T) {
	for _, tc := range sessionCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "q.rq")
			if err := os.WriteFile(file, []byte(tc.stmt+";\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			flags := []string{"--demo", "--format", tc.format}
			ways := map[string]func() (string, string, int){
				"-c":    func() (string, string, int) { return runIn(nil, append(flags, "-c", tc.stmt+";")...) },
				"run":   func() (string, string, int) { return runIn(nil, append(flags, "run", file)...) },
				"piped": func() (string, string, int) { return runIn(strings.NewReader(tc.stmt+";\n"), flags...) },
				"shell": func() (string, string, int) { return shellLine(t, tc.format, tc.stmt+";") },
				`\i`:    func() (string, string, int) { return shellLine(t, tc.format, `\i `+file) },
			}
			var want string
			for _, way := range []string{"-c", "run", "piped", "shell", `\i`} {
				stdout, stderr, code := ways[way]()
				got := string(txtar.Format(&txtar.Archive{
					Comment: []byte(fmt.Sprintf("%s (format %s)\nexit %d\n", tc.stmt, tc.format, min(code, 1))),
					Files: []txtar.File{
						{Name: "stdout", Data: []byte(stdout)},
						{Name: "stderr", Data: []byte(sourceName.ReplaceAllString(stderr, ""))},
					},
				}))
				if way == "-c" {
					want = got
					golden := filepath.Join("..", "..", "testdata", "session", tc.name+".txtar")
					if *update {
						if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
							t.Fatal(err)
						}
					}
					b, err := os.ReadFile(golden)
					if err != nil {
						t.Fatalf("%v (run with -update to create it)", err)
					}
					if string(b) != got {
						t.Errorf("-c differs from %s:\n%s\nwant:\n%s", golden, got, b)
					}
					continue
				}
				if got != want {
					t.Errorf("%s differs from -c:\n%s\n-c gave:\n%s", way, got, want)
				}
			}
		})
	}
}

// runIn runs rq in-process with stdin (empty when nil) and returns its
// output and exit code.
func runIn(stdin *strings.Reader, args ...string) (string, string, int) {
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := run(args, stdin, &out, &errb)
	return out.String(), errb.String(), code
}

// shellLine types line into the shell as the interactive loop runs it (a
// shell line has no source name; an error is printed on stderr) and
// returns the output; the exit code is 1 when an error was shown.
func shellLine(t *testing.T, format, line string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	a.progress.w = &errb
	if err := a.rootCommand().ParseFlags([]string{"--demo", "--format", format}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, f := range a.cleanup {
			f()
		}
	}()
	c, err := a.connect()
	if err != nil {
		t.Fatal(err)
	}
	sess, err := a.session(c, a.stdout)
	if err != nil {
		t.Fatal(err)
	}
	sh := &repl.Shell{Session: sess}
	code := 0
	sh.ResetSeparator()
	sh.ProcessEach(context.Background(), line, func(err error) {
		fmt.Fprintln(&errb, err)
		code = 1
	})
	return out.String(), errb.String(), code
}
