package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonRows decodes a flat JSON export, an array of objects whose values
// are strings (numbers, booleans and null are accepted: REDCap sends
// redcap_repeat_instance as a number). It scans the bytes itself, one
// object at a time, because encoding/json's Decoder.Token allocates for
// every token and would halve the throughput. Key order is kept: the
// first object's keys are the columns; later objects may list them in any
// order and may leave some out (blank), but may not add new ones.
type jsonRows struct {
	content string // the request's content, for errors
	src     io.Reader
	buf     []byte
	pos     int   // next unread byte in buf
	end     int   // end of valid bytes in buf
	off     int64 // body offset of buf[0]
	eof     bool
	rerr    error // read error other than io.EOF

	cols   []string
	index  map[string]int
	vals   []byte // the current row's values, unescaped, back to back
	starts []int
	ends   []int
	seen   []int // row number that last set each column
	key    []byte
	row    []string
	n      int  // objects read
	closed bool // the closing ']' was read
	first  bool // the first object is decoded but not yet returned
}

func newJSONRows(r io.Reader) *jsonRows {
	return &jsonRows{src: r, buf: make([]byte, 64<<10), index: map[string]int{}}
}

// errTruncatedJSON marks a body that ended inside the JSON text.
var errTruncatedJSON = errors.New("body ends inside the JSON text")

func (d *jsonRows) columns() ([]string, error) {
	c, err := d.skipSpace()
	if err != nil {
		if err == errTruncatedJSON {
			return nil, d.fail(ErrTruncated, "empty body where a JSON array of records was expected")
		}
		return nil, err
	}
	if c != '[' {
		return nil, d.syntax("a JSON array of records must start with '['")
	}
	d.pos++
	c, err = d.skipSpace()
	if err != nil {
		return nil, err
	}
	if c == ']' {
		d.pos++
		d.closed = true
		if err := d.trailer(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	if err := d.object(); err != nil {
		return nil, err
	}
	d.first = true
	return d.cols, nil
}

func (d *jsonRows) next() ([]string, error) {
	if d.first {
		d.first = false
		return d.row, nil
	}
	if d.closed {
		return nil, io.EOF
	}
	c, err := d.skipSpace()
	if err != nil {
		return nil, err
	}
	switch c {
	case ']':
		d.pos++
		d.closed = true
		if err := d.trailer(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	case ',':
		d.pos++
	default:
		return nil, d.syntax("expected ',' or ']' after a record")
	}
	if _, err := d.skipSpace(); err != nil {
		return nil, err
	}
	if err := d.object(); err != nil {
		return nil, err
	}
	return d.row, nil
}

// trailer checks that nothing but space follows the closing ']'.
func (d *jsonRows) trailer() error {
	_, err := d.skipSpace()
	if err == errTruncatedJSON {
		return nil
	}
	if err != nil {
		return err
	}
	return d.syntax("data after the closing ']'")
}

// object decodes one {...} into d.row.
func (d *jsonRows) object() error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return d.syntax("expected '{' to start a record")
	}
	d.pos++
	d.n++
	d.vals = d.vals[:0]
	firstObj := d.n == 1
	c, err = d.skipSpace()
	if err != nil {
		return err
	}
	if c == '}' {
		d.pos++
		return d.finishRow()
	}
	for i := 0; ; i++ {
		if c != '"' {
			return d.syntax("expected a field name")
		}
		var col int
		if !firstObj && d.plainPair(i) {
			goto next
		}
		d.pos++
		d.key = d.key[:0]
		if d.key, err = d.str(d.key); err != nil {
			return err
		}
		col = d.column(i)
		if col < 0 {
			if !firstObj {
				return d.fail(ErrMalformed, fmt.Sprintf("record %d has field %q that the first record lacks", d.n, d.key))
			}
			col = len(d.cols)
			name := string(d.key)
			d.cols = append(d.cols, name)
			d.index[name] = col
			d.starts = append(d.starts, 0)
			d.ends = append(d.ends, 0)
			d.seen = append(d.seen, 0)
		}
		if c, err = d.skipSpace(); err != nil {
			return err
		}
		if c != ':' {
			return d.syntax("expected ':' after a field name")
		}
		d.pos++
		if _, err = d.skipSpace(); err != nil {
			return err
		}
		d.starts[col] = len(d.vals)
		if err := d.value(); err != nil {
			return err
		}
		d.ends[col] = len(d.vals)
		d.seen[col] = d.n
	next:
		if c, err = d.skipSpace(); err != nil {
			return err
		}
		d.pos++
		if c == '}' {
			return d.finishRow()
		}
		if c != ',' {
			d.pos--
			return d.syntax("expected ',' or '}' in a record")
		}
		if c, err = d.skipSpace(); err != nil {
			return err
		}
	}
}

// plainPair is the decoder's fast path, for the pair REDCap writes for
// nearly every cell: `"<the i-th column>":"<text without escapes>"`, whole in
// the buffer. It takes the pair without copying the key or going byte by
// byte (the value is found with IndexByte) and reports true; anything else
// (another key, spaces, escapes, numbers, a pair cut by the buffer's end)
// is left to the general path, which gives the same result.
func (d *jsonRows) plainPair(i int) bool {
	if i >= len(d.cols) {
		return false
	}
	name := d.cols[i]
	k := len(name)
	b := d.buf[d.pos:d.end] // b[0] is the key's opening quote
	if len(b) < k+4 || b[k+1] != '"' || b[k+2] != ':' || b[k+3] != '"' || string(b[1:k+1]) != name {
		return false
	}
	v := b[k+4:]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return false
	}
	for _, c := range v[:j] {
		if c == '\\' || c < 0x20 {
			return false
		}
	}
	d.starts[i] = len(d.vals)
	d.vals = append(d.vals, v[:j]...)
	d.ends[i] = len(d.vals)
	d.seen[i] = d.n
	d.pos += k + 4 + j + 1
	return true
}

// column finds the column of d.key, trying position i first (REDCap sends
// every object's keys in the same order).
func (d *jsonRows) column(i int) int {
	if i < len(d.cols) && d.cols[i] == string(d.key) {
		return i
	}
	if c, ok := d.index[string(d.key)]; ok {
		return c
	}
	return -1
}

// finishRow turns the value bytes into one string and slices it per column.
func (d *jsonRows) finishRow() error {
	s := string(d.vals)
	if cap(d.row) < len(d.cols) {
		d.row = make([]string, len(d.cols))
	}
	d.row = d.row[:len(d.cols)]
	for i := range d.cols {
		if d.seen[i] == d.n {
			d.row[i] = s[d.starts[i]:d.ends[i]]
		} else {
			d.row[i] = ""
		}
	}
	return nil
}

// value appends one scalar to d.vals: strings unescaped, numbers and
// true/false as written, null as nothing.
func (d *jsonRows) value() error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		d.pos++
		d.vals, err = d.str(d.vals)
		return err
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return d.literal("true", true)
	case c == 'f':
		return d.literal("false", true)
	case c == 'n':
		return d.literal("null", false)
	case c == '{' || c == '[':
		return d.fail(ErrMalformed, fmt.Sprintf("record %d: nested value where a flat export has text", d.n))
	}
	return d.syntax("expected a value")
}

func (d *jsonRows) literal(word string, keep bool) error {
	for i := 0; i < len(word); i++ {
		c, err := d.peek()
		if err != nil {
			return err
		}
		if c != word[i] {
			return d.syntax("invalid literal")
		}
		d.pos++
	}
	if keep {
		d.vals = append(d.vals, word...)
	}
	return nil
}

// number appends a JSON number after checking its grammar.
func (d *jsonRows) number() error {
	digits := func(atLeastOne bool) error {
		n := 0
		for {
			c, err := d.peek()
			if err != nil {
				return err
			}
			if c < '0' || c > '9' {
				break
			}
			d.vals = append(d.vals, c)
			d.pos++
			n++
		}
		if atLeastOne && n == 0 {
			return d.syntax("invalid number")
		}
		return nil
	}
	c, _ := d.peek()
	if c == '-' {
		d.vals = append(d.vals, c)
		d.pos++
	}
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c == '0' {
		d.vals = append(d.vals, c)
		d.pos++
	} else if err := digits(true); err != nil {
		return err
	}
	if c, err := d.peek(); err == nil && c == '.' {
		d.vals = append(d.vals, c)
		d.pos++
		if err := digits(true); err != nil {
			return err
		}
	}
	if c, err := d.peek(); err == nil && (c == 'e' || c == 'E') {
		d.vals = append(d.vals, c)
		d.pos++
		if c, err := d.peek(); err == nil && (c == '+' || c == '-') {
			d.vals = append(d.vals, c)
			d.pos++
		}
		if err := digits(true); err != nil {
			return err
		}
	}
	return nil
}

// str appends the unescaped string that starts at d.pos (after the
// opening quote) to dst and consumes the closing quote.
func (d *jsonRows) str(dst []byte) ([]byte, error) {
	for {
		if d.pos >= d.end {
			if err := d.fill(); err != nil {
				return dst, err
			}
		}
		b := d.buf[d.pos:d.end]
		i := 0
		for i < len(b) {
			c := b[i]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			i++
		}
		dst = append(dst, b[:i]...)
		d.pos += i
		if i == len(b) {
			continue
		}
		switch c := b[i]; {
		case c == '"':
			d.pos++
			return dst, nil
		case c < 0x20:
			return dst, d.syntax("control character in a string")
		}
		// backslash escape
		d.pos++
		c, err := d.peek()
		if err != nil {
			return dst, err
		}
		d.pos++
		switch c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, err := d.hex4()
			if err != nil {
				return dst, err
			}
			if utf16.IsSurrogate(r) {
				r = d.lowSurrogate(r)
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, d.syntax("invalid escape in a string")
		}
	}
}

// lowSurrogate combines the high surrogate r with a following \uXXXX
// escape; an unpaired surrogate becomes U+FFFD, as encoding/json does.
func (d *jsonRows) lowSurrogate(r rune) rune {
	d.ensure(6)
	b := d.buf[d.pos:d.end]
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return utf8.RuneError
	}
	var r2 rune
	for _, c := range b[2:6] {
		v, ok := hexVal(c)
		if !ok {
			return utf8.RuneError
		}
		r2 = r2<<4 | rune(v)
	}
	if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
		d.pos += 6
		return dec
	}
	return utf8.RuneError
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// ensure reads until n bytes are buffered or the body ends.
func (d *jsonRows) ensure(n int) {
	for d.end-d.pos < n && !d.eof && d.rerr == nil {
		if d.fill() != nil {
			return
		}
	}
}

func (d *jsonRows) hex4() (rune, error) {
	var r rune
	for i := 0; i < 4; i++ {
		c, err := d.peek()
		if err != nil {
			return 0, err
		}
		v, ok := hexVal(c)
		if !ok {
			return 0, d.syntax("invalid \\u escape")
		}
		r = r<<4 | rune(v)
		d.pos++
	}
	return r, nil
}

// skipSpace skips JSON white space and returns the next byte unread.
func (d *jsonRows) skipSpace() (byte, error) {
	for {
		for d.pos < d.end {
			c := d.buf[d.pos]
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c, nil
			}
			d.pos++
		}
		if err := d.fill(); err != nil {
			return 0, err
		}
	}
}

// peek returns the next byte without consuming it.
func (d *jsonRows) peek() (byte, error) {
	if d.pos >= d.end {
		if err := d.fill(); err != nil {
			return 0, err
		}
	}
	return d.buf[d.pos], nil
}

// fill reads more of the body. At the end it returns errTruncatedJSON,
// which callers in the middle of a value turn into ErrTruncated.
func (d *jsonRows) fill() error {
	if d.rerr != nil {
		return d.rerr
	}
	if d.eof {
		return d.truncated()
	}
	if d.pos > 0 {
		n := copy(d.buf, d.buf[d.pos:d.end])
		d.off += int64(d.pos)
		d.pos, d.end = 0, n
	}
	if d.end == len(d.buf) {
		d.buf = append(d.buf, make([]byte, len(d.buf))...)
	}
	for {
		n, err := d.src.Read(d.buf[d.end:])
		d.end += n
		if err == io.EOF {
			d.eof = true
			if n > 0 {
				return nil
			}
			return d.truncated()
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				err = &Error{Status: 200, Content: d.content, Err: errors.Join(ErrTruncated, err), Message: "reading the body: " + err.Error()}
			}
			d.rerr = err
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// truncated is the error for a body that ends where JSON must continue;
// before the first byte and after the closing ']' the callers treat it as
// a clean end.
func (d *jsonRows) truncated() error {
	if d.closed || d.off+int64(d.end) == 0 {
		return errTruncatedJSON
	}
	return d.fail(ErrTruncated, "the body ends in the middle of record "+itoa(max(d.n, 1)))
}

func (d *jsonRows) syntax(msg string) error { return d.fail(ErrMalformed, msg) }

func (d *jsonRows) fail(cause error, msg string) error {
	at := d.off + int64(d.pos)
	e := &Error{Status: 200, Content: d.content, Err: cause,
		Message: "JSON export does not parse at byte " + itoa64(at) + ": " + msg}
	if cause == ErrMalformed {
		lo := max(0, d.pos-40)
		hi := min(d.end, d.pos+40)
		e.BodyPrefix = prefixOf(d.buf[lo:hi])
	}
	return e
}
