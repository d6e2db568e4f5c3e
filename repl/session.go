package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
)

// Session is rq's one evaluator: every way a statement comes in (a shell
// line, piped stdin, \i, rq -c, rq run) hands its text to Statement or File,
// and the session alone decides how the result is shown: rows in the output
// format, an explain as its plan (text, or the plan's JSON document in the
// json format), invalid-value warnings and timing on stderr, several JSON
// results of one file wrapped into one array, a blank line between human
// readable results, and errors as display text (line:col and a caret for
// query errors). So the same statements print the same bytes whichever way
// they come.
type Session struct {
	// Client reaches the project.
	Client *client.Client
	// Mirror, when set, is a mirror folder (rq mirror) queried offline
	// instead of Client.
	Mirror string
	// Options are applied to every rq.Project the session opens (progress, ...).
	Options []rq.Option
	// Format is the output format of query results.
	Format render.Format
	// Labels shows choice labels instead of codes.
	Labels bool
	// Timing adds each statement's elapsed time on stderr after its result.
	Timing bool
	// Width returns the terminal width of the output (nil or 0: not a
	// terminal). Tables are never cut: one wider than the terminal is paged
	// or shown vertically (see Expanded and Pager).
	Width func() int
	// Params holds $parameter values set with \set or -p.
	Params map[string]string
	// Quiet drops warnings (values read as null because they did not fit)
	// and status lines.
	Quiet bool
	// Source names the input in error positions ("<stdin>" for piped
	// input). Empty (interactive, -c): lines count from the statement's
	// first line.
	Source string
	// Expanded is \x: off (tables), on (vertical) or auto (vertical when a
	// table is wider than the terminal).
	Expanded Expanded
	// Pager is the command a table wider than the terminal is piped to
	// (run by sh -c); empty: no paging. It is used only when Terminal is set.
	Pager string
	// Terminal is the terminal the pager writes to.
	Terminal *os.File
	// Stdout receives results; Stderr warnings, timing and status lines.
	Stdout, Stderr io.Writer
	// Wrap, when set, wraps the writer of each result (the command clears
	// its progress bar on the first write); Done is called after each
	// result.
	Wrap func(io.Writer) io.Writer
	Done func()

	projects [2]*rq.Project // without and with labels
	outFile  *os.File       // \o target, nil for Stdout
	outName  string
	results  int             // results written since ResetSeparator, for the blank line between them
	told     map[string]bool // file defaults overridden by \set, said once
}

// Expanded is the \x setting.
type Expanded int

// The \x settings.
const (
	ExpandedOff Expanded = iota
	ExpandedOn
	ExpandedAuto
)

func (e Expanded) String() string {
	switch e {
	case ExpandedOn:
		return "on"
	case ExpandedAuto:
		return "auto"
	}
	return "off"
}

// NewSession returns a session over c with default settings (table format,
// results on os.Stdout, the rest on os.Stderr).
func NewSession(c *client.Client, opts ...rq.Option) *Session {
	return &Session{Client: c, Options: opts, Format: render.Table, Params: map[string]string{},
		Stdout: os.Stdout, Stderr: os.Stderr}
}

// ResetSeparator starts a new input: its first result gets no blank line
// before it (the interactive shell calls it at each prompt).
func (s *Session) ResetSeparator() { s.results = 0 }

// Close closes a \o file.
func (s *Session) Close() error {
	if s.outFile != nil {
		err := s.outFile.Close()
		s.outFile = nil
		return err
	}
	return nil
}

// project returns the rq.Project for the current labels setting.
func (s *Session) project() (*rq.Project, error) {
	i := 0
	if s.Labels {
		i = 1
	}
	if s.projects[i] == nil {
		opts := slices.Clone(s.Options)
		opts = append(opts, rq.WithLabels(s.Labels))
		var p *rq.Project
		var err error
		if s.Mirror != "" {
			p, err = rq.OpenMirror(s.Mirror, opts...)
		} else {
			p, err = rq.OpenClient(s.Client, opts...)
		}
		if err != nil {
			return nil, err
		}
		s.projects[i] = p
	}
	return s.projects[i], nil
}

// Statement runs one statement (its text without the ';') and shows its
// result. The error returned is an *Error ready to print.
func (s *Session) Statement(ctx context.Context, src string) error {
	return s.StatementAt(ctx, src, "", "", 1)
}

// StatementAt is Statement for a statement that is part of a longer input:
// it starts on input line line, after head on that line, and tail follows
// it on its last line (its ';' and whatever comes after). They only shape
// error positions and the caret display, which shows whole input lines.
func (s *Session) StatementAt(ctx context.Context, src, head, tail string, line int) error {
	p, err := s.project()
	if err != nil {
		return s.fail(ctx, err, src)
	}
	// Spaces in place of head keep columns right; lines are shifted after.
	query := spaces(len(head)) + src
	start := time.Now()
	rows, err := p.Query(ctx, query, maps.Clone(s.Params))
	if err == nil {
		err = s.show(rows, start)
	}
	if err != nil {
		shiftPos(err, s.Source, line-1)
		return s.fail(ctx, err, head+src+tail)
	}
	return nil
}

// File runs the statements of a .rq file (rq run, \i, and rq -c, whose
// text is a file without a name). Nothing runs until every statement is
// checked. params are the caller's values: strict, a given one that the
// file neither uses nor declares is an error (rq run's -p); otherwise they
// are a session's variables and only those the file uses count. With the
// json format, the results of a file of several statements make one array.
func (s *Session) File(ctx context.Context, name, src string, params map[string]string, strict bool) error {
	p, err := s.project()
	if err != nil {
		return s.fail(ctx, err, src)
	}
	file, err := lang.ParseFile(name, src)
	if err != nil {
		return s.fail(ctx, err, src)
	}
	if !strict {
		s.sayOverrides(name, file, params)
	}
	var opts []rq.ExecOption
	if !strict {
		opts = append(opts, rq.IgnoreUnusedParams())
	}
	wrap := s.Format == render.JSON && len(file.Statements) > 1 && s.outFile == nil
	n := 0
	start := time.Now()
	err = p.Exec(ctx, name, src, maps.Clone(params), func(_ *lang.Select, rows *rq.Rows) error {
		if wrap {
			sep := "[\n"
			if n > 0 {
				sep = ",\n"
			}
			if _, err := io.WriteString(s.Stdout, sep); err != nil {
				return err
			}
		}
		n++
		err := s.show(rows, start)
		start = time.Now()
		return err
	}, opts...)
	if wrap && n > 0 && err == nil {
		// not on error: a cut-short document must not parse as whole
		_, err = io.WriteString(s.Stdout, "]\n")
	}
	if err != nil {
		return s.fail(ctx, err, src)
	}
	return nil
}

// sayOverrides notes, once per file and parameter, a session value that
// replaces a default the file declares.
func (s *Session) sayOverrides(name string, file *lang.File, params map[string]string) {
	for _, d := range file.Params {
		v, ok := params[d.Name]
		if !ok || d.Default == nil {
			continue
		}
		key := name + "\x00" + d.Name + "\x00" + v
		if s.told[key] {
			continue
		}
		if s.told == nil {
			s.told = map[string]bool{}
		}
		s.told[key] = true
		s.status(fmt.Sprintf("note: $%s is %s (set with \\set), not %s's default %s\n", d.Name, v, name, d.Default))
	}
}

// show writes a statement's result: an explain's plan, or its rows, then
// its warnings and timing.
func (s *Session) show(rows *rq.Rows, start time.Time) (err error) {
	defer rows.Close()
	w := s.Stdout
	if s.outFile != nil {
		w = s.outFile
	}
	if s.Wrap != nil {
		w = s.Wrap(w)
	}
	if s.Done != nil {
		defer s.Done()
	}
	human := s.Format == render.Table || s.Format == render.Markdown || s.Format == render.Vertical
	if s.results > 0 && human {
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	s.results++
	if pl := rows.Plan(); pl != nil && pl.Stmt != nil && (pl.Stmt.Explain || pl.Analyze) {
		err = s.writePlan(w, rows, pl)
	} else {
		err = s.writeRows(w, rows)
	}
	if err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !s.Quiet {
		io.WriteString(s.Stderr, InvalidWarning(rows.Stats()))
	}
	if s.Timing {
		fmt.Fprintf(s.Stderr, "Time: %.3f ms\n", float64(time.Since(start).Microseconds())/1000)
	}
	return nil
}

// writePlan shows an explain: the plan's JSON document in the json format
// (as rq explain --json prints it), its text lines otherwise (as rq explain
// prints them): a plan is not rows, so no other format applies.
func (s *Session) writePlan(w io.Writer, rows *rq.Rows, pl *planner.Plan) error {
	var lines bytes.Buffer
	for rows.Next() {
		lines.WriteString(rows.Value(0).String())
		lines.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if s.Format == render.JSON {
		js := rows.ExplainJSON()
		if js == nil {
			js = pl.ExplainJSON()
		}
		_, err := w.Write(append(bytes.TrimRight(js, "\n"), '\n'))
		return err
	}
	_, err := w.Write(lines.Bytes())
	return err
}

// writeRows renders rows in the session's format. Tables are never cut: on
// a terminal, one wider than the screen is shown vertically (\x auto) or
// paged; elsewhere it is written whole.
func (s *Session) writeRows(w io.Writer, rows *rq.Rows) error {
	f := s.Format
	if f == render.Table && s.Expanded == ExpandedOn {
		f = render.Vertical
	}
	width := s.width()
	if f != render.Table || width <= 0 || s.Expanded != ExpandedAuto && s.pager() == "" {
		_, err := render.Write(w, f, rows, render.Options{})
		return err
	}
	// Decide on the first window of rows, as the table sizes its columns
	// on it; the rest streams after them.
	rec := &recorder{src: rows}
	for len(rec.rows) < windowRows && rec.Next() {
		rec.Row()
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var b bytes.Buffer
	if _, err := render.Write(&b, render.Table, rec.replay(), render.Options{}); err != nil {
		return err
	}
	all := rec.then()
	switch {
	case widest(b.Bytes()) <= width:
		_, err := render.Write(w, render.Table, all, render.Options{})
		return err
	case s.Expanded == ExpandedAuto:
		_, err := render.Write(w, render.Vertical, all, render.Options{})
		return err
	}
	return s.page(w, all)
}

// width is the terminal's width, 0 when results do not go to a terminal.
func (s *Session) width() int {
	if s.Width == nil || s.outFile != nil {
		return 0
	}
	return s.Width()
}

// pager is the pager command in use ("" when none).
func (s *Session) pager() string {
	if s.Terminal == nil {
		return ""
	}
	return s.Pager
}

// fail makes err ready to print: query errors with the source line and a
// caret, cancellation named, other errors prefixed with "rq: ".
func (s *Session) fail(ctx context.Context, err error, src string) error {
	if _, ok := err.(*Error); ok {
		return err
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Err: context.Canceled, Text: "query cancelled"}
	}
	var le *lang.Error
	var ll lang.ErrorList
	if errors.As(err, &le) || errors.As(err, &ll) {
		return &Error{Err: err, Text: RenderError(err, src)}
	}
	return &Error{Err: err, Text: "rq: " + err.Error()}
}

// status prints a status line (a setting changed, a file written) on
// stderr, so that stdout holds results only; Quiet drops it.
func (s *Session) status(msg string) {
	if !s.Quiet {
		io.WriteString(s.Stderr, msg)
	}
}

func spaces(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}
