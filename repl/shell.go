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
	"strings"
	"sync"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/repl/render"
)

// Shell evaluates the shell's input one line at a time. It knows nothing of
// terminals: Run glues it to readline, tests call Process directly.
type Shell struct {
	// Client reaches the project.
	Client *client.Client
	// Options are applied to every rq.Project the shell opens (progress, ...).
	Options []rq.Option
	// Format is the output format of query results.
	Format render.Format
	// Labels shows choice labels instead of codes.
	Labels bool
	// Timing adds each query's elapsed time after its result.
	Timing bool
	// Width returns the terminal width for tables (nil: no limit).
	Width func() int
	// Params holds $parameter values set with \set.
	Params map[string]string
	// Quiet drops warnings (values read as null because they did not fit).
	Quiet bool
	// Source names the input in error positions ("<stdin>" for piped
	// input): errors then carry the input's line and column, as rq run's
	// do. Empty (interactive): lines count from the statement's first line.
	Source string

	name      string           // project title, for the prompt
	projects  [2]*rq.Project   // without and with labels
	pl        *planner.Planner // structure, for \d and completion
	pending   []string         // lines of an unfinished statement
	pendHead  string           // input before pending[0] on its line (an earlier statement)
	pendStart int              // input line of pending[0]
	line      int              // input lines read
	last      string           // the last statement run (for \w)
	history   []string         // whole inputs completed since TakeHistory
	warnings  []string         // warnings since TakeWarnings
	outFile   *os.File         // \o target, nil for the shell's output
	outName   string
	mu        sync.Mutex
}

// New returns a shell over c with default settings (table format).
func New(c *client.Client, opts ...rq.Option) *Shell {
	return &Shell{Client: c, Options: opts, Format: render.Table, Params: map[string]string{}}
}

// Load fetches the project's title and structure, for the prompt, \d and
// completion. Queries load them on demand anyway; call Load first to have
// completion ready at the first prompt.
func (s *Shell) Load(ctx context.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	pl, err := p.Planner(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.pl = pl
	s.mu.Unlock()
	if cp, err := s.Client.Project(ctx); err == nil {
		s.mu.Lock()
		s.name = cp.Info().ProjectTitle
		s.mu.Unlock()
	}
	return nil
}

// Name is the project title ("rq" before Load).
func (s *Shell) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.name == "" {
		return "rq"
	}
	return s.name
}

// Prompt is the prompt for the next line: "name=> ", or "name-> " inside an
// unfinished statement.
func (s *Shell) Prompt() string {
	if len(s.pending) > 0 {
		return s.Name() + "-> "
	}
	return s.Name() + "=> "
}

// Pending reports whether a statement is unfinished (waiting for ';').
func (s *Shell) Pending() bool { return len(s.pending) > 0 }

// Reset drops an unfinished statement (Ctrl-C at the prompt).
func (s *Shell) Reset() { s.pending = nil }

// TakeHistory returns the inputs completed since the last call: whole
// statements (their lines joined by spaces) and meta-commands.
func (s *Shell) TakeHistory() []string {
	h := s.history
	s.history = nil
	return h
}

// TakeWarnings returns the warnings of the statements run since the last
// call (each ends with a newline), for the shell's standard error.
func (s *Shell) TakeWarnings() []string {
	w := s.warnings
	s.warnings = nil
	return w
}

// Close closes a \o file.
func (s *Shell) Close() error {
	if s.outFile != nil {
		err := s.outFile.Close()
		s.outFile = nil
		return err
	}
	return nil
}

// project returns the rq.Project for the current labels setting.
func (s *Shell) project() (*rq.Project, error) {
	i := 0
	if s.Labels {
		i = 1
	}
	if s.projects[i] == nil {
		opts := slices.Clone(s.Options)
		opts = append(opts, rq.WithLabels(s.Labels))
		p, err := rq.OpenClient(s.Client, opts...)
		if err != nil {
			return nil, err
		}
		s.projects[i] = p
	}
	return s.projects[i], nil
}

// Process evaluates one line of input. A line starting with a backslash
// (outside a quote) is a meta-command, run at once even in the middle of a
// statement, which stays pending (as in psql). Other lines accumulate until
// a ';' ends a statement; every statement a line ends runs in turn, and
// text after the last ';' starts the next one. out is what to print; exit
// is true for \q. Errors are *Error: their text is ready for the user
// (query errors with the source line and a caret); when several statements
// fail, their texts are joined. ProcessEach hands out each statement's
// result as it comes.
func (s *Shell) Process(ctx context.Context, line string) (out string, exit bool, err error) {
	var b strings.Builder
	var errs []error
	exit = s.ProcessEach(ctx, line, func(out string, err error) {
		b.WriteString(out)
		if err != nil {
			errs = append(errs, err)
		}
	})
	return b.String(), exit, joinErrors(errs)
}

// ProcessEach is Process calling emit with the output and error of each
// statement or meta-command as soon as it has run. After a cancelled
// statement, the rest of the line is dropped.
func (s *Shell) ProcessEach(ctx context.Context, line string, emit func(out string, err error)) (exit bool) {
	s.line++
	trimmed := strings.TrimSpace(line)
	if strings.HasPrefix(trimmed, `\`) && !s.inText() {
		s.history = append(s.history, trimmed)
		out, exit, err := s.meta(ctx, trimmed)
		emit(out, err)
		return exit
	}
	if len(s.pending) == 0 {
		if trimmed == "" {
			return false
		}
		s.pendStart, s.pendHead = s.line, ""
	}
	s.pending = append(s.pending, line)
	text := strings.Join(s.pending, "\n")
	ends, _ := lang.Ends(text)
	if len(ends) == 0 {
		return false
	}
	head, first := s.pendHead, s.pendStart
	s.pending = nil
	from := 0
	for _, end := range ends {
		if ctx.Err() != nil {
			break // cancelled: the rest of the line does not run
		}
		s.runSegment(ctx, text, from, end, head, first, emit)
		from = end + 1
	}
	if rest := text[from:]; !lang.Blank(rest) && ctx.Err() == nil {
		// the start of the next statement, on this line after the last ';'
		s.pending = []string{rest}
		s.pendStart = s.line
		s.pendHead = line[:len(line)-len(rest)]
	}
	return false
}

// runSegment runs the statement text[from:end] (end is its ';' or the end
// of text). head is the input before text on text's first line, which is
// input line first: error positions count from there (piped input).
func (s *Shell) runSegment(ctx context.Context, text string, from, end int, head string, first int, emit func(string, error)) {
	seg := text[from:end]
	if lang.Blank(seg) {
		return // ";;" or a comment alone
	}
	full := head + text[:from]
	lineHead := full[strings.LastIndexByte(full, '\n')+1:]
	skipped := strings.Count(text[:from], "\n") // lines of text before seg
	stmt := strings.TrimSpace(seg) + ";"
	s.history = append(s.history, oneLine(stmt))
	s.last = stmt
	if s.Source == "" {
		first = 1 // interactive: lines count from the statement's start
	}
	emit(s.runAt(ctx, seg, lineHead, first+skipped))
}

// Finish runs an unfinished statement as if it ended with ';' (end of
// piped input).
func (s *Shell) Finish(ctx context.Context) (string, error) {
	if len(s.pending) == 0 {
		return "", nil
	}
	text := strings.Join(s.pending, "\n")
	head, first := s.pendHead, s.pendStart
	s.pending = nil
	var b strings.Builder
	var errs []error
	s.runSegment(ctx, text, 0, len(text), head, first, func(out string, err error) {
		b.WriteString(out)
		if err != nil {
			errs = append(errs, err)
		}
	})
	return b.String(), joinErrors(errs)
}

// inText reports whether the pending statement ends inside a quoted text
// or a /* comment, where a line starting with a backslash is not a
// meta-command.
func (s *Shell) inText() bool {
	if len(s.pending) == 0 {
		return false
	}
	_, open := lang.Ends(strings.Join(s.pending, "\n") + "\n")
	return open
}

// joinErrors makes one *Error of the errors of several statements.
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	texts := make([]string, len(errs))
	for i, e := range errs {
		texts[i] = e.Error()
	}
	return &Error{Err: errors.Join(errs...), Text: strings.Join(texts, "\n")}
}

// oneLine joins a statement's lines for the history file.
func oneLine(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return l == "" }), " ")
}

// Run runs one statement and renders its result (to the \o file when one
// is open, in which case out is empty).
func (s *Shell) Run(ctx context.Context, src string) (string, error) {
	return s.runAt(ctx, src, "", 1)
}

// runAt is Run for a statement that starts on input line line, after
// head on that line: error positions are the input's (named s.Source when
// set), and the caret display shows the whole input line.
func (s *Shell) runAt(ctx context.Context, src, head string, line int) (string, error) {
	p, err := s.project()
	if err != nil {
		return "", &Error{Err: err}
	}
	// Spaces in place of head keep columns right; lines are shifted after.
	query := strings.Repeat(" ", len(head)) + src
	fail := func(err error) error {
		shiftPos(err, s.Source, line-1)
		return wrap(ctx, err, head+src)
	}
	start := time.Now()
	if s.Format == render.JSON {
		if stmt, err := lang.Parse(query); err == nil && (stmt.Explain || stmt.Analyze) {
			// the plan's JSON document, as rq explain --json prints it
			ex, err := p.Explain(ctx, query, maps.Clone(s.Params), stmt.Analyze)
			if err != nil {
				return "", fail(err)
			}
			out := string(bytes.TrimRight(ex.JSON, "\n")) + "\n"
			if s.outFile != nil {
				if _, err := io.WriteString(s.outFile, out); err != nil {
					return "", &Error{Err: err}
				}
				return "", nil
			}
			return out, nil
		}
	}
	rows, err := p.Query(ctx, query, maps.Clone(s.Params))
	if err != nil {
		return "", fail(err)
	}
	defer rows.Close()
	var b strings.Builder
	w := io.Writer(&b)
	if s.outFile != nil {
		w = s.outFile
	}
	f := s.Format
	if len(rows.Columns()) == 1 && rows.Columns()[0] == "plan" && f == render.Table {
		f = render.Vertical // explain output reads better without a grid
		_, err = writePlan(w, rows)
	} else {
		_, err = render.Write(w, f, rows, render.Options{Width: s.width()})
	}
	if err != nil {
		return b.String(), fail(err)
	}
	if warn := InvalidWarning(rows.Stats()); warn != "" && !s.Quiet {
		s.warnings = append(s.warnings, warn)
	}
	if s.Timing {
		fmt.Fprintf(&b, "Time: %.3f ms\n", float64(time.Since(start).Microseconds())/1000)
	}
	return b.String(), nil
}

// shiftPos names the file and moves the line of the lang errors in err
// (a query's positions count from its first line).
func shiftPos(err error, name string, lines int) {
	var list lang.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			shiftPos(e, name, lines)
		}
		return
	}
	var e *lang.Error
	if errors.As(err, &e) && e.Pos.IsValid() {
		e.Pos.Line += lines
		if e.Pos.Filename == "" {
			e.Pos.Filename = name
		}
	}
}

// writePlan prints explain's plan lines as they are.
func writePlan(w io.Writer, rows render.Rows) (int, error) {
	n := 0
	for rows.Next() {
		n++
		if _, err := fmt.Fprintln(w, rows.Row()[0].String()); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}

func (s *Shell) width() int {
	if s.Width == nil || s.outFile != nil {
		return 0
	}
	return s.Width()
}

// Error is an error from the shell with its display text.
type Error struct {
	Err  error
	Text string // the display; Err.Error() when empty
}

// Error returns the display text.
func (e *Error) Error() string {
	if e.Text != "" {
		return strings.TrimRight(e.Text, "\n")
	}
	return e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// wrap renders query errors with the caret display and names cancellation.
func wrap(ctx context.Context, err error, src string) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Err: context.Canceled, Text: "query cancelled"}
	}
	return &Error{Err: err, Text: RenderError(err, src)}
}

// Errorf makes a usage error of a meta-command.
func errorf(format string, args ...any) error {
	return &Error{Err: fmt.Errorf(format, args...)}
}
