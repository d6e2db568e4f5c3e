package repl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/lang"
)

func demoShell(t *testing.T) *Shell {
	t.Helper()
	return demoShellN(t, 20)
}

func demoShellN(t *testing.T, records int) *Shell {
	t.Helper()
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1}))
	c, err := client.New(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		t.Fatal(err)
	}
	s := New(c)
	s.Stderr = new(bytes.Buffer)
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// stderr returns and clears what the shell wrote to its standard error.
func stderr(s *Shell) string {
	b := s.Stderr.(*bytes.Buffer)
	defer b.Reset()
	return b.String()
}

// feed runs lines and returns the output of the last one.
func feed(t *testing.T, s *Shell, lines ...string) (string, bool, error) {
	t.Helper()
	var out string
	var exit bool
	var err error
	for _, l := range lines {
		out, exit, err = s.Process(context.Background(), l)
	}
	return out, exit, err
}

func TestProcess(t *testing.T) {
	s := demoShell(t)
	tests := []struct {
		name    string
		lines   []string
		want    []string // substrings of the last output
		wantErr string
		exit    bool
	}{
		{"one line", []string{"select age from records where record_id = '2' and form = 'baseline';"}, []string{" age", "33", "(1 row)"}, "", false},
		{"multi-line with a comment and a quoted ;", []string{"select record_id -- the id;", "from records where notes = 'a;b'", "  or record_id = '2' and form = 'baseline'  ;  "}, []string{"record_id", "(1 row)"}, "", false},
		{"query error with caret", []string{"select agee from records;"}, nil, "1:8: no field 'agee'; did you mean 'age'?\n    select agee from records;\n           ^", false},
		{"help", []string{`\?`}, []string{`\d [name]`, `\conninfo`, "Ctrl-C"}, "", false},
		{"quit", []string{`\q`}, nil, "", true},
		{"quit alone", []string{"quit"}, nil, "", true},
		{"exit alone", []string{"  EXIT;"}, nil, "", true},
		{"help alone", []string{"help"}, []string{"You are using rq", `\h select`}, "", false},
		{"syntax help", []string{`\h select`}, []string{"Statement: select", "[where <condition>]", "Example:"}, "", false},
		{"syntax help param", []string{`\h PARAM`}, []string{"param $<name> [= <literal>]"}, "", false},
		{"syntax help unknown", []string{`\h nope`}, nil, `\h: no statement "nope"; try one of explain, param, select`, false},
		{"expanded bad", []string{`\x maybe`}, nil, `\x takes on, off or auto, not "maybe"`, false},
		{"expanded on", []string{`\x on`, "select 1 as a, 2 as b from project;"}, []string{"-[ RECORD 1 ]", "a | 1", "b | 2"}, "", false},
		{"describe form", []string{`\d baseline -- a comment`}, []string{"Form baseline", "race", "checkbox", "1=White | 2=Black"}, "", false},
		{"describe field", []string{`\d site`}, []string{"dropdown", "nyc=New York | bos=Boston | chi=Chicago", "enrollment"}, "", false},
		{"describe checkbox column", []string{`\d race___oth`}, []string{"| race"}, "", false},
		{"describe all", []string{`\d`}, []string{"Forms", "medications", "yes", "Events", "week_12_arm_1", "1 (Treatment)"}, "", false},
		{"describe unknown", []string{`\d nosuch`}, nil, `\d: no form or field named "nosuch"`, false},
		{"sources", []string{`\dt`}, []string{"records", "fem", "project"}, "", false},
		{"format", []string{`\format jsonl`, "select age from records where record_id = '2' and form = 'baseline';"}, []string{`{"age":33}`}, "", false},
		{"bad format", []string{`\format xml`}, nil, `\format: unknown format "xml"`, false},
		{"params", []string{`\set min 80`, `\format csv`, "select record_id from records where form = 'baseline' and age > $min;"}, []string{"record_id\n19\n"}, "", false},
		{"unset param", []string{`\set min 80`, `\unset min`, "select record_id from records where age > $min;"}, nil, "min", false},
		{"bad param name", []string{`\set 1x 2`}, nil, `\set: "1x" is not a parameter name`, false},
		{"labels", []string{`\labels on`, `\format csv`, "select sex from records where record_id = '3' and form = 'enrollment';"}, []string{"sex\nMale\n"}, "", false},
		{"toggle bad", []string{`\timing maybe`}, nil, `\timing takes on or off, not "maybe"`, false},
		{"unknown", []string{`\nope`}, nil, `unknown command \nope; \? lists the commands`, false},
		{"conninfo", []string{`\conninfo`}, []string{`/api/, project "rq demo study".`}, "", false},
		{"explain", []string{"explain select age from records where score > 5;"}, []string{"filterLogic: [score] > 5"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Format, s.Labels, s.Timing, s.Params = render.Table, false, false, map[string]string{}
			out, exit, err := feed(t, s, tt.lines...)
			if exit != tt.exit {
				t.Errorf("exit = %v", exit)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if s.Pending() {
				t.Errorf("statement still pending")
			}
		})
	}
}

func TestQueryErrorKeepsCause(t *testing.T) {
	s := demoShell(t)
	_, _, err := feed(t, s, "select agee from records;")
	var le *lang.Error
	if !errors.As(err, &le) {
		t.Errorf("error %T does not unwrap to *lang.Error", err)
	}
}

func TestPendingAndPrompt(t *testing.T) {
	s := demoShell(t)
	if p := s.Prompt(); p != "rq demo study=> " {
		t.Errorf("prompt = %q", p)
	}
	feed(t, s, "select age")
	if !s.Pending() || s.Prompt() != "rq demo study-> " {
		t.Errorf("pending = %v, prompt %q", s.Pending(), s.Prompt())
	}
	s.Reset()
	if s.Pending() {
		t.Error("Reset left the statement")
	}
	// a meta-command inside a statement runs at once (as in psql); the
	// statement stays pending
	if _, exit, _ := feed(t, s, "select age", `\q`); !exit || !s.Pending() {
		t.Errorf(`\q inside a statement: exit = %v, pending = %v`, exit, s.Pending())
	}
	s.Reset()
	s.TakeHistory()
	feed(t, s, "select age from records where record_id = '2'", "and form = 'baseline';", `\d`)
	if h := s.TakeHistory(); strings.Join(h, "|") != `select age from records where record_id = '2' and form = 'baseline';|\d` {
		t.Errorf("history = %q", h)
	}
	if h := s.TakeHistory(); len(h) != 0 {
		t.Errorf("history not taken: %q", h)
	}
}

func TestFinish(t *testing.T) {
	s := demoShell(t)
	s.Format = render.CSV
	feed(t, s, "select count(*) as n from records where form = 'baseline'")
	var err error
	out := s.collect(func() { err = s.Finish(context.Background()) })
	if err != nil || out != "n\n20\n" {
		t.Errorf("Finish = %q, %v", out, err)
	}
	feed(t, s, "-- only a comment")
	if out := s.collect(func() { err = s.Finish(context.Background()) }); out != "" || err != nil {
		t.Errorf("Finish of a comment = %q, %v", out, err)
	}
}

func TestFiles(t *testing.T) {
	s := demoShell(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	saved := filepath.Join(dir, "saved.rq")
	s.Format = render.CSV
	if _, _, err := feed(t, s, `\w `+saved); err == nil {
		t.Error(`\w with no statement: no error`)
	}
	feed(t, s, `\o `+out, "select count(*) as n from records where form = 'baseline';", `\o`)
	if b, _ := os.ReadFile(out); string(b) != "n\n20\n" {
		t.Errorf("out.csv = %q", b)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("out.csv mode = %o", st.Mode().Perm())
	}
	feed(t, s, `\w `+saved)
	if b, _ := os.ReadFile(saved); string(b) != "select count(*) as n from records where form = 'baseline';\n" {
		t.Errorf("saved.rq = %q", b)
	}
	got, _, err := feed(t, s, `\i `+saved)
	if err != nil || got != "n\n20\n" {
		t.Errorf(`\i = %q, %v`, got, err)
	}
	os.WriteFile(saved, []byte("select x from;\n"), 0o600)
	_, _, err = feed(t, s, `\i `+saved)
	if err == nil || !strings.Contains(err.Error(), "saved.rq:1:") || !strings.Contains(err.Error(), "^") {
		t.Errorf(`\i of a bad file: %v`, err)
	}
}

func TestComplete(t *testing.T) {
	s := demoShell(t)
	s.Params["min_age"] = "18"
	tests := []struct {
		line string
		want []string
		n    int
	}{
		{"select ag", []string{"age"}, 2},
		{"select AG", []string{"age"}, 2},
		{"select age from re", []string{"records", "repeating"}, 2},
		{"select * from ", []string{"arms", "dags", "events", "fem", "fields", "instruments", "metadata", "project", "records", "repeating", "users"}, 0},
		{"select * from records where form = bas", []string{"baseline", "baseline_complete"}, 3},
		{"select * from records where event = week_1", []string{"week_12_arm_1"}, 6},
		{"select datedi", []string{"datediff"}, 6},
		{"sel", []string{"select"}, 3},
		{`\d`, []string{`\d`, `\d+`, `\dt`}, 2},
		{`\ti`, []string{`\timing`}, 3},
		{`\d bas`, []string{"baseline", "baseline_complete"}, 3},
		{`\d med_`, []string{"med_dose", "med_name", "med_start"}, 4},
		{"select age where age > $m", []string{"$min_age"}, 2},
		{`\i fi`, nil, 0},
		// context (#16.8): codes inside a quote compared with a field,
		// events inside [, fields after select and where
		{"select * from records where site = '", []string{"bos", "chi", "nyc"}, 0},
		{"select * from records where site = 'b", []string{"bos"}, 1},
		{"select * from records where site in ('nyc', 'c", []string{"chi"}, 1},
		{"select * from records where race has '", []string{"-1", "1", "2", "3", "oth"}, 0},
		{"select * from records where form = 'bas", []string{"baseline"}, 3},
		{"select * from records where notes = 'x", nil, 1},
		{"select [", []string{"enrollment_arm_1", "enrollment_arm_2", "week_12_arm_1", "week_4_arm_1", "week_4_arm_2"}, 0},
		{"select [enr", []string{"enrollment_arm_1", "enrollment_arm_2"}, 3},
		{"select [enrollment_arm_1][ag", []string{"age"}, 2},
		{"select * from records where [enrollment_arm_1][site] = '", []string{"bos", "chi", "nyc"}, 0},
		{"select * from records where s", []string{"sbp", "score", "sex", "site", "smoker", "starts_with", "stddev", "sum"}, 1},
		{"select a", []string{"abs", "adverse_event", "age", "avg"}, 1},
		{"select age, s", []string{"sbp", "score", "sex", "site", "smoker", "starts_with", "stddev", "sum"}, 1},
	}
	for _, tt := range tests {
		got, n := s.Complete(tt.line, len(tt.line))
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || n != tt.n {
			t.Errorf("Complete(%q) = %q, %d; want %q, %d", tt.line, got, n, tt.want, tt.n)
		}
	}
	// the readline adapter appends the rest of each word and a space
	rest, n := completer{s}.Do([]rune("select ag"), 9)
	if n != 2 || len(rest) != 1 || string(rest[0]) != "e " {
		t.Errorf("Do = %q, %d", rest, n)
	}
}

func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history")
	h, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	h.add("select 1;")
	h.add("select 1;") // repeated: kept once
	h.add("select\n2;")
	h.Close()
	b, _ := os.ReadFile(path)
	if string(b) != "select 1;\nselect 2;\n" {
		t.Errorf("history = %q", b)
	}
	os.Chmod(path, 0o644)
	h, err = openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %o, want 600", st.Mode().Perm())
	}
	if strings.Join(h.lines, "|") != "select 1;|select 2;" {
		t.Errorf("lines = %q", h.lines)
	}
}

// Values that do not fit their type are counted and quoted (up to three)
// in a warning the shell hands out after the result; Quiet drops it.
func TestInvalidValuesWarning(t *testing.T) {
	s := demoShell(t)
	q := "select record, weight from records where form = 'baseline' and record in ('3', '197');"
	if _, _, err := feed(t, s, "select record, weight from records where form = 'baseline' and record = '1';"); err != nil {
		t.Fatal(err)
	}
	if w := stderr(s); w != "" {
		t.Fatalf("record 1's weight fits, got %q", w)
	}
	s = demoShellN(t, 200)
	if _, _, err := feed(t, s, q); err != nil {
		t.Fatal(err)
	}
	w := stderr(s)
	want := "warning: 2 values did not fit their field's type and were read as null, e.g.:\n" +
		"  record \"3\", field \"weight\": value \"abc\": not a number\n" +
		"  record \"197\", field \"weight\": value \"abc\": not a number\n"
	if w != want {
		t.Errorf("warnings %q, want %q", w, want)
	}
	s.Quiet = true
	feed(t, s, q)
	if w := stderr(s); w != "" {
		t.Errorf("Quiet: %q", w)
	}
}

// Several statements on one line run in turn; text after the last ';'
// starts the next statement (QA 8).
func TestSeveralStatementsOnALine(t *testing.T) {
	s := demoShell(t)
	s.Format = render.CSV
	var outs []string
	var errs []string
	var b strings.Builder
	s.Stdout = &b
	emit := func(err error) { errs = append(errs, err.Error()) }
	ctx := context.Background()
	processEach := func(line string) {
		s.ProcessEach(ctx, line, emit)
		if b.Len() > 0 {
			outs = append(outs, b.String())
		}
		b.Reset()
	}
	processEach("select 1 as x from project; select 2 as y from project;")
	if strings.Join(outs, "|") != "x\n1\ny\n2\n" || errs != nil || s.Pending() {
		t.Errorf("two statements: outs %q errs %q pending %v", outs, errs, s.Pending())
	}
	outs, errs = nil, nil
	processEach("select 3 as z from project; select 4 as w -- rest follows")
	if strings.Join(outs, "|") != "z\n3\n" || !s.Pending() {
		t.Errorf("statement and a start: outs %q pending %v", outs, s.Pending())
	}
	processEach("from project;;")
	if strings.Join(outs, "|") != "z\n3\n|w\n4\n" || errs != nil || s.Pending() {
		t.Errorf("finished on the next line: outs %q errs %q", outs, errs)
	}
	if h := s.TakeHistory(); strings.Join(h, "|") != "select 1 as x from project;|select 2 as y from project;|select 3 as z from project;|select 4 as w -- rest follows from project;" {
		t.Errorf("history = %q", h)
	}
	// an error does not stop the statements after it
	outs, errs = nil, nil
	processEach("select agee from records; select 5 as v from project;")
	if strings.Join(outs, "|") != "v\n5\n" || len(errs) != 1 || !strings.Contains(errs[0], "no field 'agee'") {
		t.Errorf("error first: outs %q errs %q", outs, errs)
	}
	// Process joins the outputs and the errors
	s.Stdout = new(strings.Builder)
	out, _, err := s.Process(ctx, "select nope from records; select 6 as u from project; select nada from records;")
	if out != "u\n6\n" || err == nil || !strings.Contains(err.Error(), "'nope'") || !strings.Contains(err.Error(), "'nada'") {
		t.Errorf("Process = %q, %v", out, err)
	}
}

// Errors carry the input's line and column: piped input's (Source set)
// from its first line, interactive ones from the statement's (QA 9).
func TestErrorPositions(t *testing.T) {
	tests := []struct {
		name   string
		source string
		lines  []string
		want   string
	}{
		{"piped second line", "<stdin>", []string{"select count(*) from project;", "select agee from records;"},
			"<stdin>:2:8: no field 'agee'; did you mean 'age'?\n    select agee from records;\n           ^"},
		{"piped after a statement on the line", "<stdin>", []string{"", "select 1 as x from project; select agee", "from records;"},
			"<stdin>:2:36: no field 'agee'; did you mean 'age'?\n    select 1 as x from project; select agee\n                                       ^"},
		{"piped third line of a statement", "<stdin>", []string{"select age,", "", "  agee from records;"},
			"<stdin>:3:3: no field 'agee'"},
		{"interactive", "", []string{"select count(*) from project;", "select 1 as x from project;   select", "agee from records;"},
			"2:1: no field 'agee'; did you mean 'age'?\n    agee from records;\n    ^"},
		{"interactive same line", "", []string{"select 1 as x from project; select agee from records;"},
			"1:36: no field 'agee'; did you mean 'age'?\n    select 1 as x from project; select agee from records;\n                                       ^"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := demoShell(t)
			s.Source = tt.source
			var err error
			for _, l := range tt.lines {
				if _, _, e := s.Process(context.Background(), l); e != nil {
					err = e
				}
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err =\n%v\nwant prefix\n%s", err, tt.want)
			}
		})
	}
	// the end of piped input too
	s := demoShell(t)
	s.Source = "<stdin>"
	feed(t, s, "select 1 as x from project;", "select", "agee from records")
	if err := s.Finish(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "<stdin>:3:1: no field 'agee'") {
		t.Errorf("Finish err = %v", err)
	}
}

// A meta-command typed inside a statement runs at once and the statement
// stays pending; \w writes the pending statement (QA 11).
func TestMetaInsideStatement(t *testing.T) {
	s := demoShell(t)
	dir := t.TempDir()
	saved := filepath.Join(dir, "pending.rq")
	out, _, err := feed(t, s, "select age", `\format csv`)
	if err != nil || out != "" || stderr(s) != "Output format is csv.\n" || !s.Pending() {
		t.Fatalf(`\format inside a statement = %q, %v (pending %v)`, out, err, s.Pending())
	}
	if out, _, err := feed(t, s, "from records", `\w `+saved); err != nil || !strings.HasPrefix(stderr(s), "Wrote ") {
		t.Fatalf(`\w = %q, %v`, out, err)
	}
	if b, _ := os.ReadFile(saved); string(b) != "select age\nfrom records\n" {
		t.Errorf(`\w wrote %q`, b)
	}
	out, _, err = feed(t, s, "where record_id = '2' and form = 'baseline';")
	if err != nil || out != "age\n33\n" {
		t.Errorf("statement after the meta-commands = %q, %v", out, err)
	}
	// a backslash line inside an open quote is text, not a command
	out, _, err = feed(t, s, "select count(*) as n from records where notes = 'a", `\nope' ;`)
	if err != nil || out != "n\n0\n" || s.Pending() {
		t.Errorf("backslash inside a quote = %q, %v", out, err)
	}
}

// Completion inside a quote ends with the closing quote, not a space, and
// adds none when the quote is already closed after the cursor (QA 12).
func TestCompleterQuotes(t *testing.T) {
	s := demoShell(t)
	c := completer{s}
	tests := []struct {
		line string
		pos  int
		want []string
	}{
		{"select ag", -1, []string{"e "}},
		{"select * from records where event = 'week_1", -1, []string{"2_arm_1'"}},
		{"select * from records where event = 'week_1' and x", 43, []string{"2_arm_1"}},
		{`select * from records where event = "week_1`, -1, []string{`2_arm_1"`}},
		{"select * from records where notes = 'it''s' and ag", -1, []string{"e "}},
		{"select [enrollment_arm_1][ag", -1, []string{"e]"}},
		{"select [enrollment_arm_1][ag] from records", 28, []string{"e"}},
	}
	for _, tt := range tests {
		line := []rune(tt.line)
		pos := tt.pos
		if pos < 0 {
			pos = len(line)
		}
		got, _ := c.Do(line, pos)
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if strings.Join(gs, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Do(%q, %d) = %q, want %q", tt.line, pos, gs, tt.want)
		}
	}
}

// A pair of typographic quotes gives two errors: no blank line between
// them, and their shared hint once (QA 17l).
func TestTypographicQuotesError(t *testing.T) {
	s := demoShell(t)
	_, _, err := feed(t, s, "select age from records where sex = ‘a’;")
	want := "1:37: unexpected character '‘'\n" +
		"    select age from records where sex = ‘a’;\n" +
		"                                        ^\n" +
		"1:41: unexpected character '’'\n" +
		"    select age from records where sex = ‘a’;\n" +
		"                                          ^\n" +
		"hint: use straight quotes ' instead of typographic quotes"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

// With \format json, explain prints the plan's JSON document (as rq
// explain --json does), not rows of plan lines.
func TestExplainJSONFormat(t *testing.T) {
	s := demoShell(t)
	out, _, err := feed(t, s, `\format json`, "explain select age from records where score > 5;")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc["source"] != "records" {
		t.Errorf("not the plan document (%v):\n%s", err, out)
	}
	out, _, err = feed(t, s, "explain select agee from records;")
	if err == nil || !strings.Contains(err.Error(), "no field 'agee'") {
		t.Errorf("explain error = %q, %v", out, err)
	}
}

// A table wider than the terminal goes vertical under \x auto, decided on
// the first window of rows; the rows after the window follow (#16.2).
func TestExpandedAutoPastTheWindow(t *testing.T) {
	s := demoShellN(t, 1500)
	s.Width = func() int { return 20 }
	s.Expanded = ExpandedAuto
	out, _, err := feed(t, s, "select record_id, 'some wide text' as t from records where form = 'baseline';")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "-[ RECORD 1 ]") || !strings.Contains(out, "-[ RECORD 1500 ]") || strings.Contains(out, "-[ RECORD 1501 ]") {
		t.Errorf("want 1500 vertical records, got %d bytes ending %q", len(out), out[max(len(out)-200, 0):])
	}
	// a narrow table past the window stays a table, whole
	s.Width = func() int { return 200 }
	out, _, err = feed(t, s, "select record_id from records where form = 'baseline';")
	if err != nil || !strings.HasSuffix(out, "(1500 rows)\n") {
		t.Errorf("table: %v, ends %q", err, out[max(len(out)-50, 0):])
	}
}

// With a pager set and a terminal, a wide table goes to the pager,
// streamed past the window (#16.2).
func TestPagerPastTheWindow(t *testing.T) {
	s := demoShellN(t, 1500)
	s.Width = func() int { return 20 }
	got := filepath.Join(t.TempDir(), "paged")
	tty, err := os.Create(filepath.Join(t.TempDir(), "tty"))
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	s.Terminal = tty
	s.Pager = "cat > " + got
	out, _, err := feed(t, s, "select record_id, 'some wide text' as t from records where form = 'baseline';")
	if err != nil || out != "" {
		t.Fatalf("paged: %q, %v", out, err)
	}
	b, _ := os.ReadFile(got)
	if !strings.HasPrefix(string(b), " record_id | t\n") || !strings.HasSuffix(string(b), "(1500 rows)\n") {
		t.Errorf("the pager got %d bytes: %q...", len(b), b[:min(len(b), 80)])
	}
}
