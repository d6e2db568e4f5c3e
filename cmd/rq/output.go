package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// A result that fails half-way must not look whole. With -o, output goes
// to a temporary file beside the target, renamed over it only when the
// whole command succeeded (run calls finishOutputs); on failure the
// temporary file is removed and the target is neither created nor
// replaced. To stdout, what is written is written: a failure after that
// ends with a line on stderr saying how many rows went out and that they
// are incomplete, and the exit code is exitIncomplete.

// pendingFile is an -o output not yet renamed into place.
type pendingFile struct {
	f           *os.File
	target, tmp string
}

// Rewind empties the file for a new attempt (client.Rewinder).
func (p *pendingFile) Rewind() error {
	if err := p.f.Truncate(0); err != nil {
		return err
	}
	_, err := p.f.Seek(0, io.SeekStart)
	return err
}

func (p *pendingFile) Write(b []byte) (int, error) { return p.f.Write(b) }

// createBeside opens a temporary file in target's directory (same file
// system, so the final rename is atomic), mode 0600.
func createBeside(target string) (*pendingFile, error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.rq-partial")
	if err != nil {
		return nil, err
	}
	return &pendingFile{f: f, target: target, tmp: f.Name()}, nil
}

// outFile opens the -o target as a pending file and registers it for
// finishOutputs.
func (a *app) outFile() (*pendingFile, error) {
	p, err := createBeside(a.output)
	if err != nil {
		return nil, usageError{err}
	}
	a.pending = append(a.pending, p)
	return p, nil
}

// lineCounter counts the lines a result writes to stdout, for the
// incomplete-output line when the rows themselves are not counted.
type lineCounter struct {
	w     io.Writer
	lines int
}

func (l *lineCounter) Write(b []byte) (int, error) {
	n, err := l.w.Write(b)
	l.lines += bytes.Count(b[:n], []byte{'\n'})
	return n, err
}

// stdoutWriter is stdout for a result: counted when it is not a terminal
// (on a terminal the user sees what came, and the writers must see the
// terminal itself to size tables).
func (a *app) stdoutWriter() io.Writer {
	if isTerminal(a.stdout) {
		return a.stdout
	}
	if a.stdoutLines == nil {
		a.stdoutLines = &lineCounter{w: a.stdout}
	}
	return a.stdoutLines
}

// countRows records rows written to stdout for the incomplete-output
// line.
func (a *app) countRows(w io.Writer, n int) {
	if w == a.stdout || a.stdoutLines != nil && w == io.Writer(a.stdoutLines) {
		a.rowsOut += n
	}
}

// finishOutputs renames pending files into place when err is nil, and
// removes them otherwise; it returns err, or the first rename error.
func (a *app) finishOutputs(err error) error {
	for _, p := range a.pending {
		p.f.Close()
		if err == nil {
			if rerr := os.Rename(p.tmp, p.target); rerr != nil {
				os.Remove(p.tmp)
				err = fmt.Errorf("writing %s: %w", p.target, rerr)
			}
			continue
		}
		os.Remove(p.tmp)
		a.discarded = append(a.discarded, p.target)
	}
	a.pending = nil
	return err
}

// commitOutputs puts what was written so far in place now: for an output
// that is whole even if the command then fails (an import's report).
func (a *app) commitOutputs() error {
	a.stdoutUsed = false
	return a.finishOutputs(nil)
}

// reportIncomplete prints, after a failed command's error, what became of
// its output, and says whether stdout holds a partial result.
func (a *app) reportIncomplete() bool {
	for _, t := range a.discarded {
		fmt.Fprintf(a.stderr, "rq: %s was not written (nothing partial was kept; an existing file is unchanged)\n", t)
	}
	if !a.stdoutUsed || a.rowsOut == 0 && a.stdoutLines != nil && a.stdoutLines.lines == 0 {
		return false // nothing reached stdout
	}
	what := fmt.Sprintf("%d rows", a.rowsOut)
	if a.rowsOut == 0 && a.stdoutLines != nil {
		what = fmt.Sprintf("%d lines", a.stdoutLines.lines)
	}
	fmt.Fprintf(a.stderr, "rq: output incomplete: %s written to stdout before the error; do not use it as a whole result\n", what)
	return true
}

// spool is a raw export bound for stdout: it goes to a temporary file
// first, so that a body that fails verification can be fetched again,
// and is copied to stdout only once whole.
type spool struct {
	f *os.File
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "rq-export-*.rq-partial")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name()) // unlinked: gone with the process however it ends
	return &spool{f: f}, nil
}

func (s *spool) Write(b []byte) (int, error) { return s.f.Write(b) }

func (s *spool) Rewind() error {
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	_, err := s.f.Seek(0, io.SeekStart)
	return err
}

// copyTo writes the spooled body to w and closes the spool.
func (s *spool) copyTo(w io.Writer) error {
	defer s.f.Close()
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

// rewinder is where a verified raw export goes: the -o file or a spool.
type rewinder interface {
	io.Writer
	Rewind() error
}

// rawSink returns the writer for a verified raw export and the function
// that finishes it (copying a spool to stdout).
func (a *app) rawSink() (rewinder, func() error, error) {
	if a.output != "" && a.output != "-" {
		p, err := a.outFile()
		if err != nil {
			return nil, nil, err
		}
		return p, func() error { return nil }, nil
	}
	s, err := newSpool()
	if err != nil {
		return nil, nil, err
	}
	return s, func() error {
		err := s.copyTo(a.stdout)
		if err != nil {
			a.stdoutUsed = true
		}
		return err
	}, nil
}
