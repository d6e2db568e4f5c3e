package repl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/render"
)

// DefaultPager is the pager when $PAGER is unset: less with long lines
// chopped (scrolled sideways), as psql users know it.
const DefaultPager = "less -S"

// PagerFromEnv is $PAGER, or DefaultPager.
func PagerFromEnv() string {
	if p := os.Getenv("PAGER"); p != "" {
		return p
	}
	return DefaultPager
}

// windowRows is how many rows decide whether a table fits the terminal
// (render's table sizes its columns on as many).
const windowRows = 1000

// page streams a table of rows to the pager, which writes to the terminal.
// When the pager cannot start, the table is written to w instead.
func (s *Session) page(w io.Writer, rows render.Rows) error {
	return s.pageWith(w, func(out io.Writer) error {
		_, err := render.Write(out, render.Table, rows, render.Options{})
		return err
	})
}

// pageWith runs the pager on what write writes, or, when the pager cannot
// start, has write write to w.
func (s *Session) pageWith(w io.Writer, write func(io.Writer) error) error {
	cmd := exec.Command("sh", "-c", s.pager())
	pr, pw := io.Pipe()
	cmd.Stdin = pr
	cmd.Stdout = s.Terminal
	cmd.Stderr = s.Stderr
	if err := cmd.Start(); err != nil {
		pr.Close()
		s.status("warning: pager " + s.pager() + ": " + err.Error() + "\n")
		return write(w)
	}
	done := make(chan error, 1)
	go func() {
		err := write(pw)
		pw.CloseWithError(err)
		done <- err
	}()
	werr := cmd.Wait()
	pr.Close() // a pager quit early: the writer stops
	err := <-done
	if errors.Is(err, io.ErrClosedPipe) {
		err = nil // the user quit the pager before the end
	}
	if err == nil {
		if _, ok := werr.(*exec.ExitError); !ok && werr != nil {
			err = werr
		}
	}
	return err
}

// widest is the width of the longest line of a rendered table, in runes
// (as the table measures its cells).
func widest(b []byte) int {
	n := 0
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		line := b
		if i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		n = max(n, utf8.RuneCount(line))
	}
	return n
}

// recorder passes rows through to a renderer and keeps them, so that a
// table too wide for the terminal can be shown again vertically.
type recorder struct {
	src  render.Rows
	rows [][]client.Value
}

func (r *recorder) Columns() []string { return r.src.Columns() }
func (r *recorder) Next() bool        { return r.src.Next() }
func (r *recorder) Err() error        { return r.src.Err() }
func (r *recorder) Row() []client.Value {
	row := slices.Clone(r.src.Row())
	r.rows = append(r.rows, row)
	return row
}

// then returns the recorded rows followed by the rest of the source.
func (r *recorder) then() render.Rows {
	return &prefixed{src: r.src, pre: r.rows}
}

// prefixed is rows already read followed by the rest of their source.
type prefixed struct {
	src render.Rows
	pre [][]client.Value
	i   int
	cur []client.Value
}

func (p *prefixed) Columns() []string   { return p.src.Columns() }
func (p *prefixed) Row() []client.Value { return p.cur }
func (p *prefixed) Err() error          { return p.src.Err() }
func (p *prefixed) Next() bool {
	if p.i < len(p.pre) {
		p.cur = p.pre[p.i]
		p.i++
		return true
	}
	if p.src.Next() {
		p.cur = p.src.Row()
		return true
	}
	return false
}

// replay returns the recorded rows.
func (r *recorder) replay() render.Rows {
	return &render.Slice{Cols: r.src.Columns(), Vals: r.rows}
}
