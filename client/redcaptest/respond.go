package redcaptest

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// table streams a tabular answer (CSV, JSON array of objects, or REDCap's
// <records><item> XML) to the client as rows are produced.
type table struct {
	c       *call
	bw      *bufio.Writer
	format  string
	cols    []string
	numeric []bool // JSON: write non-blank cells of these columns as numbers
	objects []bool // JSON: write "form:1,form2:0" cells of these columns as {"form":1,"form2":0}
	delim   byte
	guard   bool // CSV: prefix values starting with = - + @ with a TAB
	header  bool // CSV: write the header even with no rows
	headers []string
	started bool
	rows    int
	err     error
	buf     []byte // row being encoded
}

// newTable prepares a tabular answer with the call's format.
func (c *call) newTable(cols []string) *table {
	return &table{c: c, format: c.Format, cols: cols, delim: ',', header: true}
}

func contentType(format string) string {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8"
	case "json":
		return "application/json; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

func (t *table) start() {
	if t.started {
		return
	}
	t.started = true
	t.c.w.Header().Set("Content-Type", contentType(t.format))
	t.c.w.WriteHeader(http.StatusOK)
	t.bw = bufio.NewWriterSize(t.c.w, 64<<10)
	switch t.format {
	case "json":
		t.bw.WriteByte('[')
	case "csv":
		if t.headers == nil {
			t.headers = t.cols
		}
		for i, h := range t.headers {
			if i > 0 {
				t.bw.WriteByte(t.delim)
			}
			t.csvCell(h, false)
		}
		t.bw.WriteByte('\n')
	default:
		t.bw.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<records>\n")
	}
}

// Row writes one row; vals line up with the columns.
func (t *table) Row(vals []string) error {
	if t.err != nil {
		return t.err
	}
	t.start()
	switch t.format {
	case "json":
		if t.rows > 0 {
			t.bw.WriteByte(',')
		}
		t.bw.WriteByte('{')
		for i, col := range t.cols {
			if i > 0 {
				t.bw.WriteByte(',')
			}
			writeJSONString(t.bw, col)
			t.bw.WriteByte(':')
			if t.numeric != nil && t.numeric[i] && vals[i] != "" {
				t.bw.WriteString(vals[i])
			} else if t.objects != nil && t.objects[i] {
				writeJSONLevels(t.bw, vals[i])
			} else {
				writeJSONString(t.bw, vals[i])
			}
		}
		t.bw.WriteByte('}')
	case "csv":
		b := t.buf[:0]
		for i, v := range vals {
			if i > 0 {
				b = append(b, t.delim)
			}
			b = t.appendCSV(b, v, t.guard)
		}
		b = append(b, '\n')
		t.bw.Write(b)
		t.buf = b
	default:
		t.bw.WriteString("<item>")
		for i, col := range t.cols {
			t.bw.WriteByte('<')
			t.bw.WriteString(col)
			t.bw.WriteByte('>')
			if vals[i] != "" {
				t.bw.WriteString("<![CDATA[")
				t.bw.WriteString(strings.ReplaceAll(vals[i], "]]>", "]]]]><![CDATA[>"))
				t.bw.WriteString("]]>")
			}
			t.bw.WriteString("</")
			t.bw.WriteString(col)
			t.bw.WriteByte('>')
		}
		t.bw.WriteString("</item>\n")
	}
	t.rows++
	if t.bw.Buffered() == 0 {
		return nil
	}
	return nil
}

// csvSpecial marks the bytes that make PHP's fputcsv quote a cell.
var csvSpecial = func() (m [256]bool) {
	for _, c := range "\"\n\r\t \\" {
		m[c] = true
	}
	return m
}()

// appendCSV appends one CSV cell, quoted the way PHP's fputcsv does it.
func (t *table) appendCSV(b []byte, v string, guard bool) []byte {
	if guard && v != "" && strings.IndexByte("=-+@", v[0]) >= 0 {
		v = "\t" + v // then quoted like any cell holding a tab
	}
	need := false
	for i := 0; i < len(v); i++ {
		if c := v[i]; csvSpecial[c] || c == t.delim {
			need = true
			break
		}
	}
	if !need {
		return append(b, v...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(v, '"')
		if i < 0 {
			break
		}
		b = append(b, v[:i+1]...)
		b = append(b, '"')
		v = v[i+1:]
	}
	b = append(b, v...)
	return append(b, '"')
}

// csvCell writes one CSV cell (headers), quoted like appendCSV.
func (t *table) csvCell(v string, guard bool) {
	t.buf = t.appendCSV(t.buf[:0], v, guard)
	t.bw.Write(t.buf)
}

// Close ends the answer. A CSV with no rows is an empty body unless the
// table always writes its header.
func (t *table) Close() error {
	if !t.started {
		if t.format == "csv" && !t.header {
			t.c.w.Header().Set("Content-Type", contentType(t.format))
			t.c.w.WriteHeader(http.StatusOK)
			return nil
		}
		t.start()
	}
	switch t.format {
	case "json":
		t.bw.WriteByte(']')
	case "csv":
	default:
		t.bw.WriteString("</records>\n")
	}
	return t.bw.Flush()
}

// writeText answers 200 with a plain body.
func (c *call) writeText(contentType, body string) error {
	c.w.Header().Set("Content-Type", contentType)
	c.w.WriteHeader(http.StatusOK)
	_, err := c.w.Write([]byte(body))
	return err
}

func jsonString(s string) string {
	var b strings.Builder
	writeJSONString(&b, s)
	return b.String()
}

type byteStringWriter interface {
	WriteByte(byte) error
	WriteString(string) (int, error)
}

// writeJSONString writes s as a JSON string, escaping "/" as PHP's
// json_encode does.
func writeJSONString(w byteStringWriter, s string) {
	w.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c != '/' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				w.WriteString(s[start:i])
				w.WriteString(`\ufffd`)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		w.WriteString(s[start:i])
		switch c {
		case '"':
			w.WriteString(`\"`)
		case '\\':
			w.WriteString(`\\`)
		case '/':
			w.WriteString(`\/`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		case '\t':
			w.WriteString(`\t`)
		default:
			b, _ := json.Marshal(string(c))
			w.WriteString(string(b[1 : len(b)-1]))
		}
		i++
		start = i
	}
	w.WriteString(s[start:])
	w.WriteByte('"')
}

func xmlText(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	return r.Replace(s)
}

// writeJSONLevels writes "name:level,name:level" (form rights) as a JSON
// object of integers, REDCap's JSON shape of a user's forms and
// forms_export; a part whose level is not an integer keeps it as a string.
func writeJSONLevels(w byteStringWriter, s string) {
	w.WriteByte('{')
	n := 0
	for _, part := range strings.Split(s, ",") {
		name, lv, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || name == "" {
			continue
		}
		if n > 0 {
			w.WriteByte(',')
		}
		n++
		writeJSONString(w, name)
		w.WriteByte(':')
		if _, err := strconv.Atoi(lv); err == nil {
			w.WriteString(lv)
		} else {
			writeJSONString(w, lv)
		}
	}
	w.WriteByte('}')
}
