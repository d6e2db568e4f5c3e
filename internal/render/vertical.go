package render

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
)

// writeVertical writes one "column | value" line per value, records
// separated by a numbered rule, like psql's \x. It streams: each record is
// written as it is read, through one buffer.
func writeVertical(w io.Writer, rows Rows, opts Options) (int, error) {
	cols := rows.Columns()
	width := 0
	for _, c := range cols {
		width = max(width, utf8.RuneCountInString(c))
	}
	names := make([][]byte, len(cols))
	for i, c := range cols {
		names[i] = append(appendPad(nil, c, width, false, true), " | "...)
	}
	rule := strings.Repeat("-", max(width-10, 3))
	bw := bufio.NewWriterSize(w, 64<<10)
	var b []byte
	n := 0
	for rows.Next() {
		n++
		b = append(b[:0], "-[ RECORD "...)
		b = strconv.AppendInt(b, int64(n), 10)
		b = append(b, " ]"...)
		b = append(b, rule...)
		b = append(b, '\n')
		r := rows.Row()
		for i := range cols {
			var v client.Value
			if i < len(r) {
				v = r[i]
			}
			b = append(b, names[i]...)
			b = append(b, oneLine(cellText(v, opts.Null))...)
			b = append(b, '\n')
		}
		if _, err := bw.Write(b); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		bw.Flush()
		return n, err
	}
	if n == 0 {
		bw.WriteString("(0 rows)\n")
	}
	return n, bw.Flush()
}
