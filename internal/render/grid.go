package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
)

// minColumn is the narrowest a table column is squeezed to.
const minColumn = 4

// The window that table and markdown read before writing anything: the
// columns are sized (and numbers found) on the first windowRows rows or
// windowCells cells, whichever comes first, and every later row is written
// as it is read. A result of any size then takes the window's memory and
// no more. A later cell wider than its column is cut with "…" when the
// table is fitted to a terminal (as a window cell would be) and otherwise
// written whole, pushing the rest of its line right; markdown never cuts.
const (
	windowRows  = 1000
	windowCells = 200_000
)

// writeGrid writes a psql-style table (with a row count) or a Markdown
// table, sized on a first window of rows (see windowRows) and streamed
// after it. An error within the window prints nothing; a later one stops
// the table without its row count.
func writeGrid(w io.Writer, f Format, rows Rows, opts Options) (int, error) {
	g := &grid{f: f, cols: rows.Columns(), opts: opts}
	g.right = make([]bool, len(g.cols)) // numbers align right
	g.seen = make([]bool, len(g.cols))
	for i := range g.right {
		g.right[i] = true
	}
	var cells [][]string
	more := true
	for len(cells) < windowRows && len(cells)*max(len(g.cols), 1) < windowCells {
		if !rows.Next() {
			more = false
			break
		}
		cells = append(cells, g.line(rows.Row(), true))
	}
	if !more {
		if err := rows.Err(); err != nil {
			// Nothing is printed: a table missing rows must not look complete.
			return 0, err
		}
	}
	g.size(cells)
	bw := bufio.NewWriterSize(w, 64<<10)
	g.header(bw)
	n := 0
	for _, l := range cells {
		g.write(bw, l)
		n++
	}
	cells = nil
	if more {
		for rows.Next() {
			g.write(bw, g.line(rows.Row(), false))
			n++
		}
		if err := rows.Err(); err != nil {
			bw.Flush()
			return n, err
		}
	}
	if f == Table {
		if n == 1 {
			bw.WriteString("(1 row)\n")
		} else {
			fmt.Fprintf(bw, "(%d rows)\n", n)
		}
	}
	return n, bw.Flush()
}

// grid is the state of one table or markdown output.
type grid struct {
	f      Format
	cols   []string
	opts   Options
	right  []bool // align right: every non-null value of the window is a number
	seen   []bool // the window has a non-null value in the column
	widths []int
	buf    []byte
}

// line turns a row into the cells shown; inWindow rows also decide the
// alignment.
func (g *grid) line(r []client.Value, inWindow bool) []string {
	line := make([]string, len(g.cols))
	for i := range g.cols {
		var v client.Value
		if i < len(r) {
			v = r[i]
		}
		line[i] = oneLine(cellText(v, g.opts.Null))
		if g.f == Markdown {
			line[i] = strings.ReplaceAll(line[i], "|", `\|`)
		}
		if inWindow && v.Kind != client.KindNull {
			g.seen[i] = true
			if v.Kind != client.KindNumber {
				g.right[i] = false
			}
		}
	}
	return line
}

// size sets the column widths from the header and the window.
func (g *grid) size(cells [][]string) {
	g.widths = make([]int, len(g.cols))
	for i, c := range g.cols {
		g.widths[i] = utf8.RuneCountInString(c)
		g.right[i] = g.right[i] && g.seen[i]
	}
	for _, line := range cells {
		for i, s := range line {
			g.widths[i] = max(g.widths[i], utf8.RuneCountInString(s))
		}
	}
	if g.f == Markdown {
		for i := range g.widths {
			g.widths[i] = max(g.widths[i], 3)
		}
		return
	}
	fit(g.widths, g.right, g.opts.Width)
}

// header writes the column names and the rule under them.
func (g *grid) header(w *bufio.Writer) {
	b := g.buf[:0]
	if g.f == Markdown {
		b = append(b, '|')
		for i, c := range g.cols {
			b = append(b, ' ')
			b = appendPad(b, strings.ReplaceAll(c, "|", `\|`), g.widths[i], false, false)
			b = append(b, " |"...)
		}
		b = append(b, "\n|"...)
		for i := range g.cols {
			b = append(b, ' ')
			b = append(b, strings.Repeat("-", g.widths[i])...)
			b = append(b, " |"...)
		}
		b = append(b, '\n')
	} else {
		for i, c := range g.cols {
			if i > 0 {
				b = append(b, " |"...)
			}
			b = append(b, ' ')
			b = appendPad(b, c, g.widths[i], false, true)
		}
		b = append(trimRight(b), '\n')
		for i := range g.cols {
			if i > 0 {
				b = append(b, '+')
			}
			b = append(b, strings.Repeat("-", g.widths[i]+2)...)
		}
		b = append(b, '\n')
	}
	w.Write(b)
	g.buf = b
}

// write writes one line of cells. A table cell wider than its column is
// cut when the table is fitted to a width; otherwise it is written whole.
func (g *grid) write(w *bufio.Writer, line []string) {
	b := g.buf[:0]
	if g.f == Markdown {
		b = append(b, '|')
		for i, s := range line {
			b = append(b, ' ')
			b = appendPad(b, s, g.widths[i], false, false)
			b = append(b, " |"...)
		}
	} else {
		cut := g.opts.Width > 0
		for i, s := range line {
			if i > 0 {
				b = append(b, " |"...)
			}
			b = append(b, ' ')
			b = appendPad(b, s, g.widths[i], g.right[i], cut && !g.right[i]) // numbers are never cut
		}
		b = trimRight(b)
	}
	b = append(b, '\n')
	w.Write(b)
	g.buf = b
}

// trimRight drops trailing spaces.
func trimRight(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// fit shrinks the widest text columns until the table fits in width
// (borders included) or every text column is at its minimum. Number
// columns (right) are never shrunk: a cut number reads as another number.
// The CLI passes no width (it pages or goes vertical instead); the option
// is for programs that must fit a fixed width.
func fit(widths []int, right []bool, width int) {
	if width <= 0 || len(widths) == 0 {
		return
	}
	total := func() int {
		t := 0
		for _, w := range widths {
			t += w + 3
		}
		return t - 1
	}
	for total() > width {
		widest := -1
		for i, w := range widths {
			if !right[i] && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 || widths[widest] <= minColumn {
			return
		}
		widths[widest]--
	}
}

// appendPad appends s padded to width, cut to it (ending in "…") when cut
// is set, else whole when it is wider.
func appendPad(b []byte, s string, width int, right, cut bool) []byte {
	n := utf8.RuneCountInString(s)
	if n > width {
		if !cut {
			return append(b, s...)
		}
		r := []rune(s)
		s = string(r[:max(width-1, 0)]) + "…"
		n = width
	}
	if right {
		b = appendSpaces(b, width-n)
		return append(b, s...)
	}
	b = append(b, s...)
	return appendSpaces(b, width-n)
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// oneLine shows line breaks and tabs inside a cell as visible escapes.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}
