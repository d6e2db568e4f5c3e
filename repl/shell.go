package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// Shell reads the shell's input one line at a time: it finds where
// statements end, runs meta-commands, and hands each statement to its
// Session, the evaluator every input shares. It knows nothing of
// terminals: Run glues it to readline, tests call Process directly.
type Shell struct {
	*Session

	name      string           // project title, for the prompt
	cat       *catalog.Catalog // structure, for \d and completion
	pending   []string         // lines of an unfinished statement
	pendHead  string           // input before pending[0] on its line (an earlier statement)
	pendStart int              // input line of pending[0]
	line      int              // input lines read
	last      string           // the last statement run (for \w)
	history   []string         // whole inputs completed since TakeHistory
	mu        sync.Mutex
}

// New returns a shell over c with default settings (table format).
func New(c *client.Client, opts ...rq.Option) *Shell {
	return &Shell{Session: NewSession(c, opts...)}
}

// Load fetches the project's title and structure, for the prompt, \d and
// completion. Queries load them on demand anyway; call Load first to have
// completion ready at the first prompt.
func (s *Shell) Load(ctx context.Context) error {
	p, err := s.project()
	if err != nil {
		return err
	}
	cat, err := p.Catalog(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cat = cat
	s.mu.Unlock()
	if m := p.Mirror(); m != nil {
		s.mu.Lock()
		s.name = m.State.ProjectTitle + " (mirror)"
		s.mu.Unlock()
	} else if cp, err := s.Client.Project(ctx); err == nil {
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

// Process evaluates one line of input. A line starting with a backslash
// (outside a quote) is a meta-command, run at once even in the middle of a
// statement, which stays pending (as in psql). Other lines accumulate until
// a ';' ends a statement; every statement a line ends runs in turn, and
// text after the last ';' starts the next one. Process returns what went
// to Stdout (collected instead of written); exit is true for \q. Errors
// are *Error: their text is ready for the user (query errors with the
// source line and a caret); when several statements fail, their texts are
// joined. ProcessEach writes results as they come and reports each error.
func (s *Shell) Process(ctx context.Context, line string) (out string, exit bool, err error) {
	var errs []error
	out = s.collect(func() {
		exit = s.ProcessEach(ctx, line, func(err error) { errs = append(errs, err) })
	})
	return out, exit, joinErrors(errs)
}

// collect runs fn with Stdout collected into a string.
func (s *Shell) collect(fn func()) string {
	var b strings.Builder
	saved := s.Stdout
	s.Stdout = &b
	defer func() { s.Stdout = saved }()
	fn()
	return b.String()
}

// ProcessEach is Process writing each statement's or meta-command's output
// to Stdout as soon as it has run, and calling report with each error.
// After a cancelled statement, the rest of the line is dropped.
func (s *Shell) ProcessEach(ctx context.Context, line string, report func(err error)) (exit bool) {
	s.line++
	trimmed := strings.TrimSpace(line)
	if strings.HasPrefix(trimmed, `\`) && !s.inText() {
		s.history = append(s.history, trimmed)
		exit, err := s.meta(ctx, trimmed)
		if err != nil {
			report(err)
		}
		return exit
	}
	if len(s.pending) == 0 {
		if trimmed == "" {
			return false
		}
		if out, exit, ok := s.word(trimmed); ok {
			// help, quit and exit alone on a line, as in psql
			s.history = append(s.history, trimmed)
			io.WriteString(s.Stdout, out)
			return exit
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
		if err := s.runSegment(ctx, text, from, end, head, first); err != nil {
			report(err)
		}
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
func (s *Shell) runSegment(ctx context.Context, text string, from, end int, head string, first int) error {
	seg := text[from:end]
	if lang.Blank(seg) {
		return nil // ";;" or a comment alone
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
	tail := text[end:]
	if i := strings.IndexByte(tail, '\n'); i >= 0 {
		tail = tail[:i]
	}
	return s.StatementAt(ctx, seg, lineHead, tail, first+skipped)
}

// Finish runs an unfinished statement as if it ended with ';' (end of
// piped input).
func (s *Shell) Finish(ctx context.Context) error {
	if len(s.pending) == 0 {
		return nil
	}
	text := strings.Join(s.pending, "\n")
	head, first := s.pendHead, s.pendStart
	s.pending = nil
	return s.runSegment(ctx, text, 0, len(text), head, first)
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

// Errorf makes a usage error of a meta-command.
func errorf(format string, args ...any) error {
	return &Error{Err: fmt.Errorf(format, args...)}
}
