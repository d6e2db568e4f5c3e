package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
)

// minColumn is the narrowest a table column is squeezed to.
const minColumn = 4

// writeGrid reads every row, sizes the columns and writes a psql-style
// table (with a row count) or a Markdown table.
func writeGrid(w io.Writer, f Format, rows Rows, opts Options) (int, error) {
	cols := rows.Columns()
	var cells [][]string
	right := make([]bool, len(cols)) // numbers align right
	for i := range right {
		right[i] = true
	}
	seen := make([]bool, len(cols))
	for rows.Next() {
		r := rows.Row()
		line := make([]string, len(cols))
		for i := range cols {
			var v client.Value
			if i < len(r) {
				v = r[i]
			}
			line[i] = oneLine(cellText(v, opts.Null))
			if f == Markdown {
				line[i] = strings.ReplaceAll(line[i], "|", `\|`)
			}
			if v.Kind != client.KindNull {
				seen[i] = true
				if v.Kind != client.KindNumber {
					right[i] = false
				}
			}
		}
		cells = append(cells, line)
	}
	for i := range right {
		right[i] = right[i] && seen[i]
	}
	if err := rows.Err(); err != nil {
		// Nothing is printed: a table missing rows must not look complete.
		return 0, err
	}
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, line := range cells {
		for i, s := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(s))
		}
	}
	if f == Markdown {
		return len(cells), writeMarkdown(w, cols, cells, widths)
	}
	fit(widths, right, opts.Width)
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(" |")
		}
		b.WriteByte(' ')
		b.WriteString(pad(c, widths[i], false))
	}
	b.WriteString("\n")
	for i := range cols {
		if i > 0 {
			b.WriteString("+")
		}
		b.WriteString(strings.Repeat("-", widths[i]+2))
	}
	b.WriteString("\n")
	for _, line := range cells {
		for i, s := range line {
			if i > 0 {
				b.WriteString(" |")
			}
			b.WriteByte(' ')
			b.WriteString(pad(s, widths[i], right[i]))
		}
		b.WriteString("\n")
		if b.Len() > 64<<10 {
			if _, err := io.WriteString(w, trimLines(b.String())); err != nil {
				return 0, err
			}
			b.Reset()
		}
	}
	if len(cells) == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", len(cells))
	}
	_, err := io.WriteString(w, trimLines(b.String()))
	return len(cells), err
}

// trimLines drops trailing spaces at line ends.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
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

// pad cuts s to width (ending in "…" when cut) and pads it.
func pad(s string, width int, right bool) string {
	n := utf8.RuneCountInString(s)
	if n > width {
		r := []rune(s)
		s = string(r[:max(width-1, 0)]) + "…"
		n = width
	}
	fill := strings.Repeat(" ", width-n)
	if right {
		return fill + s
	}
	return s + fill
}

// oneLine shows line breaks and tabs inside a cell as visible escapes.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
}

func writeMarkdown(w io.Writer, cols []string, cells [][]string, widths []int) error {
	var b strings.Builder
	row := func(line []string) {
		b.WriteString("|")
		for i, s := range line {
			b.WriteString(" ")
			b.WriteString(pad(s, widths[i], false))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	hdr := make([]string, len(cols))
	for i, c := range cols {
		hdr[i] = strings.ReplaceAll(c, "|", `\|`)
		widths[i] = max(widths[i], 3)
	}
	row(hdr)
	b.WriteString("|")
	for i := range cols {
		b.WriteString(" " + strings.Repeat("-", widths[i]) + " |")
	}
	b.WriteString("\n")
	for _, line := range cells {
		row(line)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeVertical writes one "column | value" line per value, records
// separated by a numbered rule, like psql's \x.
func writeVertical(w io.Writer, rows Rows, opts Options) (int, error) {
	cols := rows.Columns()
	width := 0
	for _, c := range cols {
		width = max(width, utf8.RuneCountInString(c))
	}
	n := 0
	for rows.Next() {
		n++
		var b strings.Builder
		fmt.Fprintf(&b, "-[ RECORD %d ]%s\n", n, strings.Repeat("-", max(width-10, 3)))
		r := rows.Row()
		for i, c := range cols {
			var v client.Value
			if i < len(r) {
				v = r[i]
			}
			b.WriteString(pad(c, width, false))
			b.WriteString(" | ")
			b.WriteString(oneLine(cellText(v, opts.Null)))
			b.WriteString("\n")
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if n == 0 {
		_, err := io.WriteString(w, "(0 rows)\n")
		return 0, err
	}
	return n, nil
}
