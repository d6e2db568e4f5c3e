package importer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// REDCap stores text as UTF-8 and gives back what it cannot read as
// U+FFFD ("caf\ufffd"), a NUL byte cuts values in some of its paths, and a
// value longer than its MySQL TEXT column does not fit. Each is refused
// here, before anything is sent (and under DryRun), with the record, the
// field and the byte offset in the file.

// MaxValueBytes is the longest value REDCap stores: its data table keeps
// values in a MySQL TEXT column (65,535 bytes).
const MaxValueBytes = 65535

// WithEncoding says how the file's text is encoded: "utf-8" (default; any
// other byte sequence is a problem) or "latin1" (ISO-8859-1, converted to
// UTF-8 before the checks and before sending).
func WithEncoding(enc string) Option {
	return func(im *Importer) error {
		switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(enc), "-", "")) {
		case "", "utf8":
			im.latin1 = false
		case "latin1", "iso88591":
			im.latin1 = true
		default:
			return fmt.Errorf("importer.WithEncoding: %q is not utf-8 or latin1", enc)
		}
		return nil
	}
}

// fromLatin1 converts ISO-8859-1 bytes to UTF-8 (each byte is the code
// point of the same number).
func fromLatin1(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

// badSpot is a place in the file where the text is not acceptable.
type badSpot struct {
	off  int // byte offset in the file
	line int
	what string
}

// badSpots finds invalid UTF-8 sequences and NUL bytes (at most max).
func badSpots(data []byte, max int) []badSpot {
	var out []badSpot
	line := 1
	for i := 0; i < len(data) && len(out) < max; {
		c := data[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == 0:
			out = append(out, badSpot{off: i, line: line, what: "a NUL byte"})
			i++
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				out = append(out, badSpot{off: i, line: line, what: fmt.Sprintf("byte 0x%02X, which is not UTF-8 (a Latin-1 or Windows file? save it as UTF-8 or give --encoding latin1)", c)})
				n = 1
			}
			i += n
		}
	}
	return out
}

// checkText returns a problem per bad spot of the file, placed on the row
// and field that hold it, and per value longer than MaxValueBytes.
func checkText(data []byte, t *table, idField string) Problems {
	var probs Problems
	spots := badSpots(data, 50)
	rowAt := func(line int) *row {
		var best *row
		for _, r := range t.rows {
			if r.line <= line && (best == nil || r.line > best.line) {
				best = r
			}
		}
		return best
	}
	for _, s := range spots {
		p := Problem{Line: s.line, Message: fmt.Sprintf("%s at byte offset %d of the file", s.what, s.off)}
		if r := rowAt(s.line); r != nil {
			p.Row = r.num
			if id, ok := r.get(idField); ok {
				p.Record = strings.TrimSpace(id)
			}
			p.Field = badField(r)
		} else if s.line == 1 {
			p.Field = "(header)"
		}
		probs = append(probs, p)
	}
	for _, r := range t.rows {
		for i, v := range r.vals {
			if len(v) > MaxValueBytes {
				id, _ := r.get(idField)
				probs = append(probs, Problem{Line: r.line, Row: r.num, Record: strings.TrimSpace(id), Field: r.keys[i],
					Value: v[:20] + "…", Message: fmt.Sprintf("the value is %d bytes; REDCap stores at most %d bytes in a value", len(v), MaxValueBytes)})
			}
		}
	}
	return probs
}

// badField names the first field of r whose value holds bad text.
func badField(r *row) string {
	for i, v := range r.vals {
		raw := v
		if i < len(r.raw) && r.raw[i] != nil {
			raw = string(r.raw[i])
		}
		if !utf8.ValidString(raw) || strings.IndexByte(v, 0) >= 0 || bytes.IndexByte([]byte(raw), 0) >= 0 {
			return r.keys[i]
		}
	}
	return ""
}
