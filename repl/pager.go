package repl

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"slices"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/repl/render"
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

// page pipes a table to the pager, which writes to the terminal. When the
// pager cannot start, the table is written whole to w instead.
func (s *Session) page(w io.Writer, table []byte) error {
	cmd := exec.Command("sh", "-c", s.pager())
	cmd.Stdin = bytes.NewReader(table)
	cmd.Stdout = s.Terminal
	cmd.Stderr = s.Stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); ok {
			return nil // the pager ran (and may have been quit early)
		}
		s.status("warning: pager " + s.pager() + ": " + err.Error() + "\n")
		_, err := w.Write(table)
		return err
	}
	return nil
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

// replay returns the recorded rows.
func (r *recorder) replay() render.Rows {
	return &render.Slice{Cols: r.src.Columns(), Vals: r.rows}
}
