package client

import (
	"io"
)

// RecordStream is an iterator over exported rows in REDCap's column order,
// decoded as they arrive (constant memory whatever the export size).
//
//	rs, err := c.ExportRecordsStream(ctx, p)
//	if err != nil { ... }
//	defer rs.Close()
//	for rs.Next() { use(rs.Columns(), rs.Row()) }
//	if err := rs.Err(); err != nil { ... }
//
// A stream must be drained or closed; an error mid-stream (truncation, a
// time-out, a body that stops parsing) ends Next and is returned by Err,
// so a partial export is never mistaken for a complete one.
type RecordStream struct {
	scrub func(error) error // removes the token from errors; nil for NewRecordStream
	body  io.Closer
	cr    *countingReader
	dec   rowDecoder
	cols  []string
	row   []string
	err   error
	done  bool
	// atEnd, when set, runs at a clean end of the body; its error ends
	// the stream instead (the record accounting of ExportRecordsVerified).
	atEnd func() error
}

// rowDecoder is the format-specific part of a RecordStream.
type rowDecoder interface {
	// columns reads what is needed to know the columns (the CSV header or
	// the first JSON object) and returns them.
	columns() ([]string, error)
	// next returns the next row (a reused buffer) or io.EOF.
	next() ([]string, error)
}

// NewRecordStream decodes a flat record export held in r (format "csv" or
// "json"; csvDelimiter as in ExportRecordsParams, default comma). It is
// the decoder ExportRecordsStream uses, offered for exports saved to files.
func NewRecordStream(r io.Reader, format, csvDelimiter string) (*RecordStream, error) {
	return newRecordStream(r, nil, format, csvDelimiter, "record")
}

func newRecordStream(r io.Reader, closer io.Closer, format, delim, content string) (*RecordStream, error) {
	cr := &countingReader{r: r}
	var dec rowDecoder
	switch format {
	case "", "csv":
		comma, err := csvComma(delim)
		if err != nil {
			return nil, err
		}
		d := newCSVRows(cr, comma)
		d.content = content
		dec = d
	case "json":
		d := newJSONRows(cr)
		d.content = content
		dec = d
	default:
		return nil, errorf("record stream: format %q cannot be streamed as rows; use csv or json", format)
	}
	s := &RecordStream{body: closer, cr: cr, dec: dec}
	cols, err := dec.columns()
	if err != nil && err != io.EOF {
		s.Close()
		return nil, err
	}
	s.cols = cols
	if err == io.EOF {
		s.done = true
	}
	return s, nil
}

// emptyRecordStream has no columns and no rows.
func emptyRecordStream() *RecordStream { return &RecordStream{done: true, cr: &countingReader{}} }

// Columns returns the column names in REDCap's order. It is empty when the
// export has no rows (REDCap then sends no header).
func (s *RecordStream) Columns() []string { return s.cols }

// Next advances to the next row; false at the end or on error (see Err).
func (s *RecordStream) Next() bool {
	if s.done {
		return false
	}
	row, err := s.dec.next()
	if err != nil {
		s.done = true
		if err == io.EOF && s.atEnd != nil {
			if err = s.atEnd(); err == nil {
				err = io.EOF
			}
		}
		if err != io.EOF {
			if s.scrub != nil {
				err = s.scrub(err)
			}
			s.err = err
		}
		s.row = nil
		return false
	}
	s.row = row
	return true
}

// Row returns the current row, one value per column. The slice is reused:
// it is valid until the next call to Next (copy it to keep it; the strings
// themselves may be kept).
func (s *RecordStream) Row() []string { return s.row }

// Err returns the error that ended the stream, nil at a clean end.
func (s *RecordStream) Err() error { return s.err }

// Close releases the connection. It is safe to call more than once.
func (s *RecordStream) Close() error {
	s.done = true
	if s.body == nil {
		return nil
	}
	err := s.body.Close()
	s.body = nil
	return err
}

// BytesRead returns how many body bytes have been decoded so far.
func (s *RecordStream) BytesRead() int64 { return s.cr.n }

// countingReader counts bytes and remembers whether the end was reached.
type countingReader struct {
	r   io.Reader
	n   int64
	eof bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.r == nil {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

func csvComma(d string) (rune, error) {
	switch d {
	case "", ",":
		return ',', nil
	case "tab", "\t":
		return '\t', nil
	case ";", "|", "^":
		return rune(d[0]), nil
	}
	return 0, errorf("csvDelimiter %q not offered by REDCap; use , tab ; | or ^", d)
}

// Records is a whole export held in memory.
type Records struct {
	Columns []string
	Rows    [][]string
}

// readAllRows drains s into Records.
func readAllRows(s *RecordStream) (*Records, error) {
	defer s.Close()
	out := &Records{Columns: s.Columns()}
	for s.Next() {
		out.Rows = append(out.Rows, append([]string(nil), s.Row()...))
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if out.Rows == nil {
		out.Rows = [][]string{}
	}
	return out, nil
}

// Index returns the position of column name, or -1.
func (r *Records) Index(name string) int {
	for i, c := range r.Columns {
		if c == name {
			return i
		}
	}
	return -1
}
