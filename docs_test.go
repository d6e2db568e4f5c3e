package rq_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/lang"
)

// docQueryFiles are the docs whose queries TestDocsQueries runs: every
// ```sql block, and (in table-heavy pages) every inline `select …` span.
var docQueryFiles = []struct {
	name   string
	inline bool // also run inline code spans that are statements
}{
	{"cookbook.md", false},
	{"pycap.md", true},
}

// docQuery is one query found in a doc.
type docQuery struct {
	file, heading string
	line          int
	src           string
	mayBeEmpty    bool     // <!-- docs-test: may be empty -->
	contains      []string // <!-- docs-test: contains TEXT -->: in the output
	sends         []string // <!-- docs-test: sends TEXT -->: in the statement's explain
}

func (q docQuery) String() string {
	return fmt.Sprintf("docs/%s:%d (%q)", q.file, q.line, q.heading)
}

var (
	docHeading    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	docMarker     = regexp.MustCompile(`^<!--\s*docs-test:\s*(.*?)\s*-->$`)
	docInlineCode = regexp.MustCompile("`([^`]+)`")
	docStatement  = regexp.MustCompile(`(?i)^(explain\s+(analyze\s+)?)?select\s`)
)

// extractDocQueries finds the queries of one markdown file: the ```sql
// fenced blocks and, when inline is set, inline code spans that are
// statements. A marker comment on the line before a block applies to it;
// "<!-- docs-test: may be empty: QUERY -->" anywhere applies to every
// query whose text is QUERY (for inline queries inside tables).
func extractDocQueries(name, text string, inline bool) []docQuery {
	var out []docQuery
	emptyOK := map[string]bool{}
	defer func() {
		for i := range out {
			if emptyOK[out[i].src] {
				out[i].mayBeEmpty = true
			}
		}
	}()
	lines := strings.Split(text, "\n")
	heading := "(top)"
	var markers []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		trimmed := strings.TrimSpace(line)
		if m := docMarker.FindStringSubmatch(trimmed); m != nil {
			if q, ok := strings.CutPrefix(m[1], "may be empty: "); ok {
				emptyOK[q] = true
			} else {
				markers = append(markers, m[1])
			}
			continue
		}
		pending := markers
		markers = nil
		if strings.HasPrefix(trimmed, "```") {
			lang := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			start := i + 1
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				body = append(body, lines[i])
			}
			if lang == "sql" {
				out = append(out, newDocQuery(name, heading, start+1, strings.Join(body, "\n"), pending))
			}
			continue
		}
		if m := docHeading.FindStringSubmatch(line); m != nil {
			heading = m[1]
			continue
		}
		if inline {
			for _, m := range docInlineCode.FindAllStringSubmatch(line, -1) {
				if docStatement.MatchString(m[1]) {
					out = append(out, newDocQuery(name, heading, i+1, m[1], pending))
				}
			}
		}
	}
	return out
}

func newDocQuery(file, heading string, line int, src string, markers []string) docQuery {
	q := docQuery{file: file, heading: heading, line: line, src: src}
	for _, m := range markers {
		switch {
		case strings.HasPrefix(m, "may be empty"):
			q.mayBeEmpty = true
		case strings.HasPrefix(m, "contains "):
			q.contains = append(q.contains, strings.TrimPrefix(m, "contains "))
		case strings.HasPrefix(m, "sends "):
			q.sends = append(q.sends, strings.TrimPrefix(m, "sends "))
		}
	}
	return q
}

// TestDocsQueries runs every query of the cookbook and the PyCap table
// against the demo project (200 records, seed 1). Each must run without
// error and, unless marked "may be empty", return at least one row: a
// recipe that finds nothing on the demo shows nothing.
func TestDocsQueries(t *testing.T) {
	p := open(t, serveClient(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 200, Seed: 1}), redcaptest.Faults{}))
	total := 0
	for _, f := range docQueryFiles {
		text, err := os.ReadFile(filepath.Join("docs", f.name))
		if err != nil {
			t.Fatal(err)
		}
		queries := extractDocQueries(f.name, string(text), f.inline)
		if len(queries) == 0 {
			t.Errorf("docs/%s: no queries found", f.name)
		}
		total += len(queries)
		for _, q := range queries {
			t.Run(fmt.Sprintf("%s:%d", f.name, q.line), func(t *testing.T) {
				runDocQuery(t, p, q)
			})
		}
	}
	t.Logf("%d queries", total)
}

func runDocQuery(t *testing.T, p *rq.Project, q docQuery) {
	t.Helper()
	name := fmt.Sprintf("docs/%s", q.file)
	var out strings.Builder
	statements := 0
	// Blank lines in front keep error positions on the doc's own lines.
	src := strings.Repeat("\n", q.line-1) + q.src
	err := p.Exec(context.Background(), name, src, nil, func(stmt *lang.Select, rows *rq.Rows) error {
		statements++
		n := 0
		for rows.Next() {
			n++
			fmt.Fprintln(&out, strings.Join(rows.Strings(), "|"))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n == 0 && !q.mayBeEmpty {
			return fmt.Errorf("%s returned no rows on the demo project", stmt)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s:\n%s", q, lang.Render(err, src))
	}
	if statements == 0 {
		t.Fatalf("%s: no statement in the block", q)
	}
	for _, want := range q.contains {
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: output lacks %q:\n%s", q, want, out.String())
		}
	}
	if len(q.sends) > 0 {
		ex, err := p.Explain(context.Background(), src, nil, false)
		if err != nil {
			t.Fatalf("%s: explain:\n%s", q, lang.Render(err, src))
		}
		for _, want := range q.sends {
			if !strings.Contains(ex.Text, want) {
				t.Errorf("%s: the plan lacks %q:\n%s", q, want, ex.Text)
			}
		}
	}
}

// TestDocsExtract checks the extractor on a small page: blocks, headings,
// markers and inline statements.
func TestDocsExtract(t *testing.T) {
	page := strings.Join([]string{
		"# Title",
		"## First",
		"```sql",
		"select 1 from records",
		"```",
		"<!-- docs-test: may be empty -->",
		"```sql",
		"select * from users",
		"```",
		"### Second",
		"```sh",
		"rq --demo",
		"```",
		"<!-- docs-test: may be empty: explain select x from y -->",
		"| a | `select record from records` | `rq export` | `explain select x from y` |",
		"<!-- docs-test: contains abc -->",
		"<!-- docs-test: sends [x] > 1 -->",
		"```sql",
		"select 2 from records",
		"```",
	}, "\n")
	got := extractDocQueries("p.md", page, true)
	want := []docQuery{
		{file: "p.md", heading: "First", line: 4, src: "select 1 from records"},
		{file: "p.md", heading: "First", line: 8, src: "select * from users", mayBeEmpty: true},
		{file: "p.md", heading: "Second", line: 15, src: "select record from records"},
		{file: "p.md", heading: "Second", line: 15, src: "explain select x from y", mayBeEmpty: true},
		{file: "p.md", heading: "Second", line: 19, src: "select 2 from records", contains: []string{"abc"}, sends: []string{"[x] > 1"}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d queries %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.file != w.file || g.heading != w.heading || g.line != w.line || g.src != w.src ||
			g.mayBeEmpty != w.mayBeEmpty || strings.Join(g.contains, ",") != strings.Join(w.contains, ",") ||
			strings.Join(g.sends, ",") != strings.Join(w.sends, ",") {
			t.Errorf("query %d: got %+v, want %+v", i, g, w)
		}
	}
	if inl := extractDocQueries("p.md", page, false); len(inl) != 3 {
		t.Errorf("without inline: got %d queries, want 3", len(inl))
	}
}

var docLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocsLinks checks every relative link of docs/*.md: the file (or
// folder) must exist, relative to docs/, and an anchor (#part) must name a
// heading of the target page.
func TestDocsLinks(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no docs/*.md")
	}
	anchors := map[string]map[string]bool{} // cleaned path -> anchors
	anchorsOf := func(path string) (map[string]bool, error) {
		if a, ok := anchors[path]; ok {
			return a, nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		a := markdownAnchors(string(text))
		anchors[path] = a
		return a, nil
	}
	checked := 0
	for _, page := range pages {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range markdownLinks(string(text)) {
			target := l.target
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Clean(filepath.Join("docs", file))
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s:%d: link %q: %s does not exist", page, l.line, target, path)
					continue
				}
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(path, ".md") {
				t.Errorf("%s:%d: link %q: anchor into a file that is not markdown", page, l.line, target)
				continue
			}
			a, err := anchorsOf(path)
			if err != nil {
				t.Errorf("%s:%d: link %q: %v", page, l.line, target, err)
				continue
			}
			if !a[anchor] {
				t.Errorf("%s:%d: link %q: %s has no heading with anchor #%s", page, l.line, target, path, anchor)
			}
		}
	}
	t.Logf("%d relative links in %d pages", checked, len(pages))
}

type mdLink struct {
	line   int
	target string
}

// markdownLinks lists the [text](target) links of a page outside code
// fences and inline code.
func markdownLinks(text string) []mdLink {
	var out []mdLink
	inFence := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		line = docInlineCode.ReplaceAllString(line, "``")
		for _, m := range docLink.FindAllStringSubmatch(line, -1) {
			out = append(out, mdLink{line: i + 1, target: m[1]})
		}
	}
	return out
}

// markdownAnchors returns the anchors GitHub makes for a page's headings:
// lower case, punctuation dropped, spaces turned into '-', and "-1", "-2"…
// added to repeats.
func markdownAnchors(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		m := docHeading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := headingSlug(m[1])
		if n := seen[slug]; n > 0 {
			out[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

func headingSlug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// TestHeadingSlug pins the anchor rule on headings used in the docs.
func TestHeadingSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Canonical form (`rq fmt`)", "canonical-form-rq-fmt"},
		{".rq files", "rq-files"},
		{"REDCap and C habits that work", "redcap-and-c-habits-that-work"},
		{"The project's structure", "the-projects-structure"},
		{"Filter: PyCap's `Project.filter`", "filter-pycaps-projectfilter"},
		{"PyCap → rq", "pycap--rq"},
	} {
		if got := headingSlug(c.in); got != c.want {
			t.Errorf("headingSlug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestDocsPyCapBuilder checks the builder lines of the PyCap table: each Go
// expression prints as the rq text the table shows next to it, and runs as
// a Filter on the demo project.
func TestDocsPyCapBuilder(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("docs", "pycap.md"))
	if err != nil {
		t.Fatal(err)
	}
	p := open(t, serveClient(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 200, Seed: 1}), redcaptest.Faults{}))
	for _, b := range []struct {
		code string // as written in the doc
		cond lang.Cond
	}{
		{`lang.Field("age").Between(18, 65)`, lang.Field("age").Between(18, 65)},
		{`lang.Field("score").Gt(5)`, lang.Field("score").Gt(5)},
		{`lang.Field("dob").Lt("1950-01-01")`, lang.Field("dob").Lt("1950-01-01")},
		{`lang.Field("site").Eq("nyc")`, lang.Field("site").Eq("nyc")},
		{`lang.Field("sex").Ne(2)`, lang.Field("sex").Ne(2)},
	} {
		row := fmt.Sprintf("`%s` — `%s`", b.code, b.cond.String())
		if !strings.Contains(string(text), row) {
			t.Errorf("docs/pycap.md lacks %s", row)
		}
		rows, err := p.Filter(context.Background(), b.cond, "sex", "sbp")
		if err != nil {
			t.Errorf("Filter(%s): %v", b.code, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("Filter(%s): %v", b.code, err)
		}
		rows.Close()
		if n == 0 {
			t.Errorf("Filter(%s) found no rows on the demo project", b.code)
		}
	}
	// The text form of a condition, as the doc's Go example gives it.
	ids, err := p.Filter(context.Background(), "age between 18 and 65 and score > 5")
	if err != nil {
		t.Fatal(err)
	}
	defer ids.Close()
	if cols := ids.Columns(); len(cols) != 1 || cols[0] != "record_id" {
		t.Errorf("Filter ids: columns %v, want [record_id]", cols)
	}
	n := 0
	for ids.Next() {
		n++
	}
	if n == 0 {
		t.Error("Filter(age between 18 and 65 and score > 5): no records")
	}
}

// TestDocsCommands checks the rq command lines of the user docs against the
// binary built from cmd/rq: every `rq …` span (and every line of a ```sh
// block that starts with rq) must name an existing command with existing
// flags, and every bare `--flag` span must be a flag of a command the page
// names.
func TestDocsCommands(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "rq")
	build := exec.Command("go", "build", "-o", bin, "./cmd/rq")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/rq: %v\n%s", err, out)
	}
	helps := map[string]string{} // command path -> --help output
	help := func(path []string) (string, error) {
		key := strings.Join(path, " ")
		if h, ok := helps[key]; ok {
			return h, nil
		}
		out, err := exec.Command(bin, append(append([]string{}, path...), "--help")...).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("rq %s --help: %v\n%s", key, err, out)
		}
		helps[key] = string(out)
		return string(out), nil
	}
	for _, name := range []string{"cookbook.md", "pycap.md", "README.md"} {
		text, err := os.ReadFile(filepath.Join("docs", name))
		if err != nil {
			t.Fatal(err)
		}
		lines, bare := docCommandLines(string(text))
		var pageHelp strings.Builder
		for _, l := range lines {
			path, flags := splitCommandLine(l.text)
			h, err := help(path)
			if err != nil {
				t.Errorf("docs/%s:%d: %s: %v", name, l.line, l.text, err)
				continue
			}
			if usage := "rq " + strings.Join(path, " "); !strings.Contains(h, "\n  "+strings.TrimSpace(usage)) {
				t.Errorf("docs/%s:%d: %s: no command %q", name, l.line, l.text, usage)
				continue
			}
			pageHelp.WriteString(h)
			for _, f := range flags {
				if !helpHasFlag(h, f) {
					t.Errorf("docs/%s:%d: %s: rq %s has no flag %s", name, l.line, l.text, strings.Join(path, " "), f)
				}
			}
		}
		for _, l := range bare {
			_, flags := splitCommandLine("rq " + l.text)
			for _, f := range flags {
				if !helpHasFlag(pageHelp.String(), f) {
					t.Errorf("docs/%s:%d: %s: no command the page names has flag %s", name, l.line, l.text, f)
				}
			}
		}
	}
	if len(helps) == 0 {
		t.Fatal("no rq command lines found in the docs")
	}
	t.Logf("%d distinct commands checked", len(helps))
}

type docLine struct {
	line int
	text string
}

// docCommandLines returns a page's rq command lines (inline `rq …` spans
// and ```sh lines starting with "rq ") and its bare `--flag …` spans.
func docCommandLines(text string) (cmds, bare []docLine) {
	inSh, inFence := false, false
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inFence = !inFence
			inSh = inFence && (trimmed == "```sh" || trimmed == "```bash")
			continue
		}
		if inFence {
			if inSh && strings.HasPrefix(trimmed, "rq ") {
				cmds = append(cmds, docLine{i + 1, trimmed})
			}
			continue
		}
		for _, m := range docInlineCode.FindAllStringSubmatch(line, -1) {
			switch {
			case m[1] == "rq" || strings.HasPrefix(m[1], "rq "):
				cmds = append(cmds, docLine{i + 1, m[1]})
			case strings.HasPrefix(m[1], "--"):
				bare = append(bare, docLine{i + 1, m[1]})
			}
		}
	}
	return cmds, bare
}

var commandWord = regexp.MustCompile(`^[a-z][a-z-]*$`)

// splitCommandLine splits "rq export records --field a,b -o x" into the
// command path [export records] and the flags [--field -o]. Words after
// the path that are not flags (file names, values) are ignored.
func splitCommandLine(s string) (path, flags []string) {
	words := shellWords(s)
	i := 1 // words[0] is "rq"
	for ; i < len(words) && commandWord.MatchString(words[i]); i++ {
		path = append(path, words[i])
	}
	for ; i < len(words); i++ {
		w := words[i]
		if strings.HasPrefix(w, "-") && len(w) > 1 && w != "--" {
			name, _, _ := strings.Cut(w, "=")
			flags = append(flags, name)
		}
	}
	return path, flags
}

// shellWords splits a command line at spaces, keeping quoted parts
// together (quotes removed).
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// helpHasFlag reports whether cobra's help text lists flag ("--name" or
// "-x").
func helpHasFlag(help, flag string) bool {
	if strings.HasPrefix(flag, "--") {
		return regexp.MustCompile(`(?m)^\s+(-\w, )?` + regexp.QuoteMeta(flag) + `\b`).MatchString(help)
	}
	return regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(flag) + `, --`).MatchString(help)
}

// TestSplitCommandLine pins how doc command lines are read.
func TestSplitCommandLine(t *testing.T) {
	for _, c := range []struct{ in, path, flags string }{
		{`rq export records --field record_id,age -o x.csv`, "export records", "--field -o"},
		{`rq file import consent.pdf --record 1 --event enrollment_arm_1`, "file import", "--record --event"},
		{`rq --format json -c "select 1 from records"`, "", "--format -c"},
		{`rq export logging --begin-time '2024-01-01 00:00' --record=1`, "export logging", "--begin-time --record"},
		{`rq run older.rq -p site=bos`, "run", "-p"},
	} {
		path, flags := splitCommandLine(c.in)
		if strings.Join(path, " ") != c.path || strings.Join(flags, " ") != c.flags {
			t.Errorf("splitCommandLine(%q) = %q, %q; want %q, %q", c.in, path, flags, c.path, c.flags)
		}
	}
	h := "Flags:\n  -c, --command string   run one query\n      --demo   use the demo\n  -o, --output string\n"
	for f, want := range map[string]bool{"--command": true, "-c": true, "--demo": true, "-o": true, "--dem": false, "-d": false, "--output": true} {
		if got := helpHasFlag(h, f); got != want {
			t.Errorf("helpHasFlag(%q) = %v, want %v", f, got, want)
		}
	}
}

// TestDocsIndex checks that docs/README.md links every page of docs/.
func TestDocsIndex(t *testing.T) {
	index, err := os.ReadFile(filepath.Join("docs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, l := range markdownLinks(string(index)) {
		file, _, _ := strings.Cut(l.target, "#")
		linked[file] = true
	}
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range pages {
		name := filepath.Base(page)
		if name != "README.md" && !linked[name] {
			t.Errorf("docs/README.md does not list %s", name)
		}
	}
}
