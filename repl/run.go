package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chzyer/readline"
)

// Config is how Run talks to the user.
type Config struct {
	Stdin          io.ReadCloser // default os.Stdin
	Stdout, Stderr io.Writer     // default os.Stdout, os.Stderr
	// Terminal selects the interactive shell (readline, completion,
	// history, Ctrl-C cancelling a query); otherwise lines are read from
	// Stdin and run in order, without prompts.
	Terminal bool
	// HistoryFile keeps whole statements between sessions (created with
	// mode 0600); empty means no history file.
	HistoryFile string
	// BeforeOutput, when set, is called before each result or error is
	// printed (the command clears its progress bar there).
	BeforeOutput func()
}

// Run reads input until \q or end of input. Interactive, errors are shown
// and the shell goes on; Run then returns nil. Piped, errors are shown too
// and every statement runs; Run returns the first error.
func Run(ctx context.Context, s *Shell, cfg Config) error {
	if cfg.Stdin == nil {
		cfg.Stdin = os.Stdin
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	defer s.Close()
	if cfg.Terminal {
		return interactive(ctx, s, cfg)
	}
	return piped(ctx, s, cfg)
}

// piped runs statements read from a pipe or file. Results go to Stdout,
// everything else (errors, warnings, status lines) to Stderr.
func piped(ctx context.Context, s *Shell, cfg Config) error {
	var first error
	report := func(err error) {
		if cfg.BeforeOutput != nil {
			cfg.BeforeOutput()
		}
		fmt.Fprintln(cfg.Stderr, err)
		if first == nil {
			first = err
		}
	}
	if s.Source == "" {
		s.Source = "<stdin>"
	}
	s.Stdout, s.Stderr = cfg.Stdout, cfg.Stderr
	sc := bufio.NewScanner(cfg.Stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if s.ProcessEach(ctx, sc.Text(), report) {
			return first
		}
	}
	if err := sc.Err(); err != nil {
		report(&Error{Err: err, Text: "reading input: " + err.Error()})
	}
	if err := s.Finish(ctx); err != nil {
		report(err)
	}
	return first
}

// interactive is the readline shell.
func interactive(ctx context.Context, s *Shell, cfg Config) error {
	// Ctrl-C with the completion menu open cancels the line too, as it
	// does without a menu (readline alone would only close the menu).
	var inst atomic.Pointer[readline.Instance]
	interruptMenu := func(r rune) (rune, bool) {
		if rl := inst.Load(); r == readline.CharInterrupt && rl != nil && rl.Operation.IsInCompleteMode() {
			rl.Operation.ExitCompleteMode(true)
		}
		return r, true
	}
	rl, err := readline.NewEx(&readline.Config{
		FuncFilterInputRune:    interruptMenu,
		Prompt:                 s.Prompt(),
		AutoComplete:           completer{s},
		DisableAutoSaveHistory: true,
		HistoryLimit:           5000,
		InterruptPrompt:        "^C",
		EOFPrompt:              `\q`,
		Stdin:                  cfg.Stdin,
		Stdout:                 cfg.Stdout,
		Stderr:                 cfg.Stderr,
	})
	if err != nil {
		return err
	}
	defer rl.Close()
	inst.Store(rl)
	s.Stdout, s.Stderr = rl.Stdout(), rl.Stderr()
	hist, err := openHistory(cfg.HistoryFile)
	if err != nil {
		fmt.Fprintf(cfg.Stderr, "warning: history: %v\n", err)
	}
	if hist != nil {
		defer hist.Close()
		for _, h := range hist.lines {
			rl.SaveHistory(h)
		}
	}
	if err := s.Load(ctx); err != nil {
		fmt.Fprintf(cfg.Stderr, "warning: could not load the project structure: %v\n", err)
	}
	fmt.Fprintf(cfg.Stdout, "rq shell on %q. Statements end with ';'. \\? for help, \\q to quit.\n", s.Name())

	// Ctrl-C while a query runs (terminal in cooked mode) arrives as
	// SIGINT: it cancels the query, not the shell.
	var mu sync.Mutex
	var cancelQuery context.CancelFunc
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, os.Interrupt)
	defer signal.Stop(sigc)
	go func() {
		for range sigc {
			mu.Lock()
			if cancelQuery != nil {
				cancelQuery()
			}
			mu.Unlock()
		}
	}()

	for {
		rl.SetPrompt(s.Prompt())
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			s.Reset()
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		qctx, cancel := context.WithCancel(ctx)
		mu.Lock()
		cancelQuery = cancel
		mu.Unlock()
		s.ResetSeparator()
		exit := s.ProcessEach(qctx, line, func(err error) {
			if cfg.BeforeOutput != nil {
				cfg.BeforeOutput()
			}
			fmt.Fprintln(rl.Stderr(), err)
		})
		mu.Lock()
		cancelQuery = nil
		mu.Unlock()
		cancel()
		for _, h := range s.TakeHistory() {
			rl.SaveHistory(h)
			if hist != nil {
				if err := hist.add(h); err != nil {
					fmt.Fprintf(cfg.Stderr, "warning: history: %v\n", err)
				}
			}
		}
		if exit {
			return nil
		}
	}
}

// completer adapts Shell.Complete to readline.
type completer struct{ s *Shell }

// Do returns the rest of each completion of the word before pos, followed
// by a space, or inside a quote or brackets by the closing quote or ']'
// (none when one already follows the cursor).
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	prefix := string(line[:pos])
	words, n := c.s.Complete(prefix, len(prefix))
	typed := []rune(prefix[len(prefix)-n:])
	end := []rune{' '}
	if q := openQuote(prefix); q != 0 {
		end = []rune{q}
		if pos < len(line) && line[pos] == q {
			end = nil
		}
	} else if openBracket(prefix) >= 0 {
		// [event or [field: close the bracket
		end = []rune{']'}
		if pos < len(line) && line[pos] == ']' {
			end = nil
		}
	}
	var out [][]rune
	for _, w := range words {
		r := []rune(w)
		if len(r) < len(typed) {
			continue
		}
		// keep what the user typed (its case) and append the rest
		out = append(out, append(r[len(typed):len(r):len(r)], end...))
	}
	return out, len(typed)
}

// openQuote is the quote character of a text left open at the end of
// line, or 0.
func openQuote(line string) rune {
	var q rune
	for _, r := range line {
		switch {
		case q != 0:
			if r == q {
				q = 0
			}
		case r == '\'' || r == '"':
			q = r
		}
	}
	return q
}

// history is the history file: one whole statement per line, mode 0600.
type history struct {
	f     *os.File
	lines []string
}

func openHistory(path string) (*history, error) {
	if path == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	// An older file may have looser rights; statements can hold PHI.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	h := &history{f: f}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			h.lines = append(h.lines, l)
		}
	}
	if len(h.lines) > 5000 {
		h.lines = h.lines[len(h.lines)-5000:]
	}
	return h, nil
}

func (h *history) add(line string) error {
	line = strings.ReplaceAll(line, "\n", " ")
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return nil
	}
	h.lines = append(h.lines, line)
	_, err := h.f.WriteString(line + "\n")
	return err
}

func (h *history) Close() error { return h.f.Close() }
