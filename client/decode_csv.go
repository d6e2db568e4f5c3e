package client

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// csvRows decodes a flat CSV export with encoding/csv, reusing one record
// buffer. REDCap sends an empty body (no header) when no row matches.
type csvRows struct {
	content string // the request's content, for errors
	cr      *countingReader
	r       *csv.Reader
	n       int // data rows read
}

func newCSVRows(cr *countingReader, comma rune) *csvRows {
	r := csv.NewReader(cr)
	r.Comma = comma
	r.ReuseRecord = true
	r.FieldsPerRecord = 0 // set from the header; a row of another width is an error
	return &csvRows{cr: cr, r: r}
}

func (d *csvRows) columns() ([]string, error) {
	rec, err := d.r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, d.wrap(err)
	}
	cols := make([]string, len(rec))
	copy(cols, rec)
	cols[0] = strings.TrimPrefix(cols[0], "\ufeff")
	return cols, nil
}

func (d *csvRows) next() ([]string, error) {
	rec, err := d.r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, d.wrap(err)
	}
	d.n++
	return rec, nil
}

// wrap turns a CSV error into *Error: at the very end of the body an open
// quote or a short last row means the body was cut (ErrTruncated).
func (d *csvRows) wrap(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err // a transport error (truncation, time-out) surfaced through the reader
	}
	cause := ErrMalformed
	var pe *csv.ParseError
	if errors.As(err, &pe) && d.cr.eof && (errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrFieldCount)) {
		cause = ErrTruncated
	}
	return &Error{Status: 200, Content: d.content, Err: cause,
		Message: "CSV export does not parse after " + itoa(d.n) + " rows (" + itoa64(d.cr.n) + " bytes read): " + err.Error()}
}
