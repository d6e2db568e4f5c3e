package render

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
)

// flushAt is the size at which a streaming writer hands its line buffer to
// the output: rows are built with appends into one reused buffer and
// written in blocks of whole rows, never byte by byte. 4 KB, as bufio's
// default was, so rows reach a pipe as early as before (a run that fails
// mid-way has written its first rows, which the incomplete marker follows).
const flushAt = 4 << 10

// writeDelimited writes CSV (sep ',') or TSV (sep '\t'), header first. A
// null is an empty field; empty text is written as "" (quoted), so the two
// stay distinct. A missing-data code is written as the code.
func writeDelimited(w io.Writer, sep byte, rows Rows) (int, error) {
	cols := rows.Columns()
	b := make([]byte, 0, 2*flushAt)
	for i, c := range cols {
		if i > 0 {
			b = append(b, sep)
		}
		b = appendQuoted(b, c, sep, false)
	}
	b = append(b, '\n')
	n := 0
	for rows.Next() {
		n++
		r := rows.Row()
		for i := range cols {
			if i > 0 {
				b = append(b, sep)
			}
			if i >= len(r) {
				continue
			}
			b = appendDelimited(b, r[i], sep)
		}
		b = append(b, '\n')
		if len(b) >= flushAt {
			if _, err := w.Write(b); err != nil {
				return n, err
			}
			b = b[:0]
		}
	}
	if _, err := w.Write(b); err != nil {
		return n, err
	}
	return n, rows.Err()
}

// appendDelimited appends one CSV/TSV field: nothing for a null, the code
// for a missing value, and the value's text otherwise. Numbers are written
// without going through a string.
func appendDelimited(b []byte, v client.Value, sep byte) []byte {
	switch v.Kind {
	case client.KindNull:
		return appendQuoted(b, v.Missing, sep, false)
	case client.KindText:
		return appendQuoted(b, v.Str, sep, true)
	case client.KindNumber:
		if v.Str == "" {
			return strconv.AppendFloat(b, v.Num, 'f', -1, 64)
		}
	}
	return appendQuoted(b, v.String(), sep, true)
}

// appendQuoted appends s, quoted when it holds the separator, a quote or a
// line break or starts with a space, or when it is empty text
// (emptyQuoted).
func appendQuoted(b []byte, s string, sep byte, emptyQuoted bool) []byte {
	if s == "" {
		if emptyQuoted {
			return append(b, `""`...)
		}
		return b
	}
	plain := s[0] != ' '
	for i := 0; plain && i < len(s); i++ {
		switch s[i] {
		case sep, '"', '\r', '\n':
			plain = false
		}
	}
	if plain {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// writeJSON writes an array of row objects (lines false) or one object per
// line (lines true). Keys keep column order; numbers are numbers, code sets
// arrays of codes, nulls null, a missing-data code {"missing":"UNK"}; dates and
// times are strings.
func writeJSON(w io.Writer, rows Rows, lines bool) (int, error) {
	bw := bufio.NewWriterSize(w, flushAt)
	cols := rows.Columns()
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = append(appendJSONString(nil, c), ':')
	}
	n := 0
	if !lines {
		bw.WriteString("[")
	}
	var b []byte
	for rows.Next() {
		b = b[:0]
		if !lines {
			if n > 0 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		n++
		r := rows.Row()
		b = append(b, '{')
		for i := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, keys[i]...)
			var v client.Value
			if i < len(r) {
				v = r[i]
			}
			b = appendJSONValue(b, v)
		}
		b = append(b, '}')
		if lines {
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
	if !lines {
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]\n")
	}
	return n, bw.Flush()
}

// appendJSONValue appends one value's JSON. A missing-data code is an object
// holding the code, {"missing":"UNK"}: a plain null would lose the code that
// CSV and the table keep, and the code as a string would pass for a value of
// the field (text "UNK" in a number column).
func appendJSONValue(b []byte, v client.Value) []byte {
	switch v.Kind {
	case client.KindNull:
		if v.Missing != "" {
			b = append(b, `{"missing":`...)
			b = appendJSONString(b, v.Missing)
			return append(b, '}')
		}
		return append(b, "null"...)
	case client.KindText:
		return appendJSONString(b, v.Str)
	case client.KindNumber:
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
			return append(b, "null"...)
		}
		if v.Str != "" && jsonNumber(v.Str) {
			return append(b, v.Str...)
		}
		return strconv.AppendFloat(b, v.Num, 'f', -1, 64)
	case client.KindCodeSet:
		b = append(b, '[')
		for i, c := range v.Codes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, c)
		}
		return append(b, ']')
	case client.KindBool:
		return strconv.AppendBool(b, v.Num != 0)
	}
	return appendJSONString(b, v.String())
}

// jsonNumber reports whether s is a JSON number that Go reads as a finite
// float64: the export text of a number is then written as it came. Only a
// number with an exponent or of 300 characters or more is parsed again to
// check its range; the grammar scan settles every other one.
func jsonNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i - j
	}
	start := i
	if d := digits(); d == 0 || (d > 1 && s[start] == '0') {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	exp := i < len(s) && (s[i] == 'e' || s[i] == 'E')
	if exp {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	if i != len(s) {
		return false
	}
	if !exp && len(s) < 300 {
		return true // no exponent and under 300 digits: finite, no parse needed
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(f, 0)
}

// appendJSONString appends s as a JSON string the way encoding/json does
// with HTML escaping off: <, > and & stay as they are, invalid UTF-8 becomes
// U+FFFD, and U+2028 and U+2029 are escaped (JavaScript reads them as line
// ends).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
