package client

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// An export body that ends early can look complete: a proxy or PHP that
// dies between two rows leaves a CSV that parses, and a cut JSON array or
// XML document still copies fine to a file. The checks here run on the
// bytes as they stream past (constant memory) and turn such a body into
// ErrTruncated, which the read paths retry like a 5xx.

// VerifiedFormats says, per raw export format, what the verifying reader
// proves about a body. The CLI prints it in --help and -v.
var VerifiedFormats = map[string]string{
	"json": "the JSON value is closed (every [ and { matched, nothing after it)",
	"xml":  "the XML is well formed and its root element is closed",
	"odm":  "the XML is well formed and ends with the closing </ODM> tag",
	"csv":  "the body ends at a row end outside quotes; record exports also account for every record id (ids step) and the rows of the last record",
}

// bodyCheck is fed a body as it streams and says at the end whether the
// body was complete.
type bodyCheck interface {
	write(p []byte)
	finish() error
}

// newBodyCheck returns the check for a wire format: json, xml, odm, csv
// (delim as csvDelimiter). Unknown formats get none (nil).
func newBodyCheck(format, delim string) bodyCheck {
	switch format {
	case "json":
		return &jsonCheck{}
	case "xml":
		return newXMLCheck("")
	case "odm":
		return newXMLCheck("ODM")
	case "csv", "":
		comma, err := csvComma(delim)
		if err != nil {
			return nil
		}
		return &csvCheck{comma: byte(comma)}
	}
	return nil
}

// VerifyingReader passes a body through unchanged and, at its end, returns
// an *Error wrapping ErrTruncated instead of io.EOF when the body is not
// complete in its format.
type VerifyingReader struct {
	r       io.Reader
	check   bodyCheck
	content string
	n       int64
	err     error
}

// NewVerifyingReader wraps r, a body in format (json, xml, odm or csv with
// csvDelimiter delim). For another format the body passes unchecked.
func NewVerifyingReader(r io.Reader, format, delim string) *VerifyingReader {
	return &VerifyingReader{r: r, check: newBodyCheck(format, delim), content: "record"}
}

func (v *VerifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.n += int64(n)
	if v.check != nil && n > 0 {
		v.check.write(p[:n])
	}
	if err == io.EOF && v.check != nil {
		if cerr := v.check.finish(); cerr != nil {
			err = &Error{Status: 200, Content: v.content, Err: ErrTruncated,
				Message: "body of " + itoa64(v.n) + " bytes is not complete: " + cerr.Error()}
		}
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

// csvIDs returns the record-id accounting of a CSV check (nil for other
// formats).
func (v *VerifyingReader) csvIDs() *csvCheck {
	c, _ := v.check.(*csvCheck)
	return c
}

// jsonCheck follows the nesting of a JSON text outside strings. It proves
// the value closed, not that every token is valid: the decoders that read
// the rows check the rest.
type jsonCheck struct {
	depth          int
	inStr, esc     bool
	started, ended bool
	trailing       bool // non-space after the value closed
}

func (j *jsonCheck) write(p []byte) {
	for _, b := range p {
		switch {
		case j.inStr:
			switch {
			case j.esc:
				j.esc = false
			case b == '\\':
				j.esc = true
			case b == '"':
				j.inStr = false
				if j.depth == 0 {
					j.ended = true
				}
			}
		case b == ' ' || b == '\t' || b == '\r' || b == '\n':
		case j.ended:
			j.trailing = true
		case b == '"':
			j.inStr, j.started = true, true
		case b == '[' || b == '{':
			j.depth++
			j.started = true
		case b == ']' || b == '}':
			j.depth--
			if j.depth == 0 {
				j.ended = true
			}
		default:
			j.started = true // a bare number or literal at the top
		}
	}
}

func (j *jsonCheck) finish() error {
	switch {
	case !j.started:
		return errors.New("empty body where JSON was expected")
	case j.trailing:
		return errors.New("JSON has text after its closing bracket")
	case j.depth > 0 || j.inStr:
		return errors.New("JSON ends before its array or object is closed")
	case j.depth < 0:
		return errors.New("JSON closes more brackets than it opens")
	}
	return nil
}

// xmlCheck runs encoding/xml over the body in a goroutine fed through a
// pipe: well-formedness (matching tags, closed root) is its job.
type xmlCheck struct {
	pw   *io.PipeWriter
	done chan error
}

func newXMLCheck(root string) *xmlCheck {
	pr, pw := io.Pipe()
	x := &xmlCheck{pw: pw, done: make(chan error, 1)}
	go func() {
		err := checkXML(pr, root)
		pr.CloseWithError(errXMLDone) // unblock a writer after an early error
		x.done <- err
	}()
	return x
}

var errXMLDone = errors.New("xml check finished")

func checkXML(r io.Reader, root string) error {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	depth, roots := 0, 0
	var last string
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			switch {
			case roots == 0:
				return errors.New("no XML element in the body")
			case depth > 0:
				return errors.New("XML ends before its elements are closed")
			case root != "" && last != root:
				return errors.New("XML does not end with </" + root + ">")
			}
			return nil
		}
		if err != nil {
			return errors.New("XML is not well formed: " + err.Error())
		}
		switch t := t.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return errors.New("XML has more than one root element")
				}
				if root != "" && t.Name.Local != root {
					return errors.New("XML root is <" + t.Name.Local + ">, not <" + root + ">")
				}
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 {
				last = t.Name.Local
			}
		}
	}
}

func (x *xmlCheck) write(p []byte) {
	x.pw.Write(p) // an error means the check already failed: finish says why
}

func (x *xmlCheck) finish() error {
	x.pw.Close()
	return <-x.done
}

// csvCheck scans CSV outside quotes: a body must not end inside a quoted
// value, and each data row's first field (the record id in a record
// export) with the row's bytes goes to onRow for the record accounting.
type csvCheck struct {
	comma     byte
	inQuote   bool
	quoteSeen bool // the previous byte closed a quote: a quote now is an escaped one
	row       int  // rows ended so far (header included)
	col       int  // column of the current byte in the row
	field     []byte
	rowBytes  []byte
	onRow     func(id string, row []byte) // nil: no accounting
}

func (c *csvCheck) write(p []byte) {
	start := 0 // where the current row begins in p
	for i, b := range p {
		if c.inQuote {
			if b == '"' {
				c.inQuote = false
				c.quoteSeen = true
				continue
			}
			if c.col == 0 {
				c.field = append(c.field, b)
			}
			continue
		}
		switch b {
		case '"':
			if c.quoteSeen && c.col == 0 {
				c.field = append(c.field, '"')
			}
			c.inQuote = true
		case c.comma:
			c.col++
		case '\n':
			c.endRow(p[start : i+1])
			start = i + 1
		case '\r':
		default:
			if c.col == 0 {
				c.field = append(c.field, b)
			}
		}
		c.quoteSeen = false
	}
	if c.onRow != nil {
		c.rowBytes = append(c.rowBytes, p[start:]...) // a row the next write ends
	}
}

// endRow ends a row whose last bytes in the current write, newline
// included, are tail; earlier bytes of it wait in rowBytes. Only a row
// that spans writes is copied.
func (c *csvCheck) endRow(tail []byte) {
	if c.onRow != nil {
		row := tail
		if len(c.rowBytes) > 0 {
			c.rowBytes = append(c.rowBytes, tail...)
			row = c.rowBytes
		}
		if c.row > 0 {
			c.onRow(string(c.field), row)
		}
		c.rowBytes = c.rowBytes[:0]
	}
	c.row++
	c.col = 0
	c.field = c.field[:0]
}

func (c *csvCheck) finish() error {
	if c.inQuote {
		return errors.New("CSV ends inside a quoted value")
	}
	if c.onRow != nil && len(strings.TrimSpace(string(c.rowBytes))) > 0 {
		// a last row without its newline: account for it too (the tail
		// check compares its bytes)
		if c.row > 0 {
			c.onRow(string(c.field), c.rowBytes)
		}
		c.rowBytes = c.rowBytes[:0]
	}
	return nil
}
