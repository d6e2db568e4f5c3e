package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
)

// writeDelimited writes CSV (sep ',') or TSV (sep '\t'), header first. A
// null is an empty field; empty text is written as "" (quoted), so the two
// stay distinct. A missing-data code is written as the code.
func writeDelimited(w io.Writer, sep byte, rows Rows) (int, error) {
	bw := bufio.NewWriter(w)
	cols := rows.Columns()
	for i, c := range cols {
		if i > 0 {
			bw.WriteByte(sep)
		}
		bw.WriteString(quote(c, sep, false))
	}
	bw.WriteString("\n")
	n := 0
	for rows.Next() {
		n++
		r := rows.Row()
		for i := range cols {
			if i > 0 {
				bw.WriteByte(sep)
			}
			if i >= len(r) || (r[i].Kind == client.KindNull && r[i].Missing == "") {
				continue
			}
			bw.WriteString(quote(r[i].String(), sep, true))
		}
		bw.WriteString("\n")
	}
	if err := bw.Flush(); err != nil {
		return n, err
	}
	return n, rows.Err()
}

// quote quotes a field when it holds the separator, a quote or a line
// break, or when it is empty text (emptyQuoted).
func quote(s string, sep byte, emptyQuoted bool) string {
	if s == "" {
		if emptyQuoted {
			return `""`
		}
		return ""
	}
	if !strings.ContainsAny(s, string(sep)+"\"\r\n") && s[0] != ' ' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// writeJSON writes an array of row objects (lines false) or one object per
// line (lines true). Keys keep column order; numbers are numbers, code sets
// arrays of codes, nulls null, a missing-data code {"missing":"UNK"}; dates and
// times are strings.
func writeJSON(w io.Writer, rows Rows, lines bool) (int, error) {
	bw := bufio.NewWriter(w)
	cols := rows.Columns()
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = append(jsonString(c), ':')
	}
	n := 0
	if !lines {
		bw.WriteString("[")
	}
	for rows.Next() {
		if !lines {
			if n > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
		}
		n++
		r := rows.Row()
		bw.WriteString("{")
		for i := range cols {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.Write(keys[i])
			var v client.Value
			if i < len(r) {
				v = r[i]
			}
			bw.Write(jsonValue(v))
		}
		bw.WriteString("}")
		if lines {
			bw.WriteString("\n")
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

// jsonValue encodes one value. A missing-data code is an object holding the
// code, {"missing":"UNK"}: a plain null would lose the code that CSV and the
// table keep, and the code as a string would pass for a value of the field
// (text "UNK" in a number column).
func jsonValue(v client.Value) []byte {
	switch v.Kind {
	case client.KindNull:
		if v.Missing != "" {
			return append(append([]byte(`{"missing":`), jsonString(v.Missing)...), '}')
		}
		return []byte("null")
	case client.KindNumber:
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
			return []byte("null")
		}
		if v.Str != "" && json.Valid([]byte(v.Str)) {
			if _, err := strconv.ParseFloat(v.Str, 64); err == nil {
				return []byte(v.Str)
			}
		}
		return strconv.AppendFloat(nil, v.Num, 'f', -1, 64)
	case client.KindCodeSet:
		codes := v.Codes
		if codes == nil {
			codes = []string{}
		}
		var b []byte
		b = append(b, '[')
		for i, c := range codes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, jsonString(c)...)
		}
		return append(b, ']')
	}
	if b, ok := v.Any().(bool); ok { // a boolean kind: JSON true/false
		return strconv.AppendBool(nil, b)
	}
	return jsonString(v.String())
}

// jsonString encodes s as a JSON string without HTML escaping: <, > and &
// stay as they are (json.Marshal would write \u003c and the like).
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
