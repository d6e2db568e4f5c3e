package client

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
)

// A CSV record export cut at a row end parses: nothing in the body says
// rows are missing. recordAccount proves such a body whole in two parts:
//
//   - every record of an ids step (the record-id field alone, in JSON,
//     whose closing bracket proves that list whole) has rows in the body;
//   - the rows of the body's last record equal an export of that record
//     alone, since a cut that kept every record can only have shortened
//     the last one.
//
// Rows come sorted by record from REDCap, so only the last record's rows
// are kept (memory: the id list and one record).
type recordAccount struct {
	want    map[string]bool // from the ids step
	seen    int
	lastID  string
	tail    []byte // the last record's rows, as sent
	idField string
}

func (a *recordAccount) row(id string, row []byte) {
	if id != a.lastID || a.tail == nil {
		if a.want[id] {
			a.want[id] = false
			a.seen++
		}
		a.lastID = id
		a.tail = a.tail[:0]
		if a.tail == nil {
			a.tail = []byte{}
		}
	}
	a.tail = append(a.tail, row...)
}

// accountable says whether the rows of an export with p carry the record
// id in their first column: all fields, or the record-id field first.
func accountable(p ExportRecordsParams, idField string) bool {
	if p.Type == "eav" {
		return len(p.Fields)+len(p.Forms) == 0 || slices.Contains(p.Fields, idField)
	}
	return len(p.Fields)+len(p.Forms) == 0 || len(p.Fields) > 0 && p.Fields[0] == idField
}

// newRecordAccount runs the ids step for p. It returns nil (no
// accounting) when the rows would not carry the record id.
func (c *Client) newRecordAccount(ctx context.Context, p ExportRecordsParams) (_ *recordAccount, err error) {
	var meta []MetadataField
	if pr := c.cachedProject(); pr != nil {
		meta = pr.meta
	} else if meta, err = c.ExportMetadata(ctx, ExportMetadataParams{}); err != nil {
		return nil, err
	}
	if len(meta) == 0 {
		return nil, nil
	}
	idField := meta[0].FieldName
	if !accountable(p, idField) {
		return nil, nil
	}
	ids := ExportRecordsParams{Records: p.Records, Fields: []string{idField}, Events: p.Events,
		FilterLogic: p.FilterLogic, DateRangeBegin: p.DateRangeBegin, DateRangeEnd: p.DateRangeEnd, Format: "json"}
	if p.FilterLogic != "" && p.Type != "eav" {
		// filterLogic keeps rows: with fields limited to the id, a row
		// that matches on another field would still be kept, so ask for
		// the same fields and forms (their values are read and dropped).
		ids.Fields, ids.Forms = p.Fields, p.Forms
	}
	recs, err := c.ExportRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	col := recs.Index(idField)
	if col < 0 {
		if len(recs.Rows) == 0 {
			return &recordAccount{want: map[string]bool{}, idField: idField}, nil
		}
		return nil, errorf("verifying the export: the ids step has no %s column", idField)
	}
	a := &recordAccount{want: make(map[string]bool, len(recs.Rows)), idField: idField}
	for _, r := range recs.Rows {
		a.want[r[col]] = true
	}
	return a, nil
}

// verify checks the accounting at the end of a body: every id present,
// and the last record's rows equal to that record exported alone.
func (a *recordAccount) verify(ctx context.Context, c *Client, p ExportRecordsParams) error {
	if missing := len(a.want) - a.seen; missing > 0 {
		var some []string
		for id, open := range a.want {
			if open {
				some = append(some, id)
			}
		}
		slices.Sort(some)
		if len(some) > 5 {
			some = append(some[:5], "…")
		}
		return &Error{Status: 200, Content: "record", Err: ErrTruncated,
			Message: "export incomplete: " + itoa(missing) + " of " + itoa(len(a.want)) + " records of the ids step have no rows (" + strings.Join(some, ", ") + ")"}
	}
	if a.tail == nil {
		return nil
	}
	one := p
	one.Records = []string{a.lastID}
	one.Format = "csv"
	f, _, err := one.form()
	if err != nil {
		return err
	}
	f.set("format", "csv")
	b, _, err := c.readAll(ctx, f, read)
	if err != nil {
		return err
	}
	b = dropCSVHeader(b, p.CSVDelimiter)
	if !bytes.Equal(bytes.TrimRight(b, "\r\n"), bytes.TrimRight(a.tail, "\r\n")) {
		return &Error{Status: 200, Content: "record", Err: ErrTruncated,
			Message: "export incomplete: the rows of the last record (" + a.lastID + ") differ from that record exported alone; the body was cut inside it"}
	}
	return nil
}

// dropCSVHeader removes the header row, which may hold quoted newlines.
func dropCSVHeader(b []byte, delim string) []byte {
	rest := []byte{}
	c := &csvCheck{comma: ','}
	if comma, err := csvComma(delim); err == nil {
		c.comma = byte(comma)
	}
	for i := range b {
		c.write(b[i : i+1])
		if c.row == 1 {
			rest = b[i+1:]
			break
		}
	}
	return rest
}

// Rewinder is where a verified export is written: an export that fails
// its check is sent again from the start, after Rewind (a temporary file
// truncated to 0, a buffer reset).
type Rewinder interface {
	io.Writer
	Rewind() error
}

// ExportRecordsRawTo writes the body of a record export to w, unchanged,
// and verifies it as it goes (see VerifiedFormats): a JSON body must be a
// closed array, XML well formed, ODM closed by </ODM>; a CSV body must
// not end inside a quoted value and must account for every record (see
// recordAccount). A body that fails is requested again per the
// RetryPolicy, like a 5xx, after w.Rewind; when retries run out the error
// wraps ErrTruncated.
func (c *Client) ExportRecordsRawTo(ctx context.Context, p ExportRecordsParams, w Rewinder) error {
	format := orDefault(p.Format, "csv")
	f, ok, err := p.form()
	if err != nil || !ok {
		return err
	}
	if err := c.checkNames("ExportRecordsRaw", p.Fields, p.Forms, p.Events, p.FilterLogic); err != nil {
		return err
	}
	var acct *recordAccount
	return c.retryBody(ctx, f, read, func() error {
		if format == "csv" && acct == nil {
			a, err := c.newRecordAccount(ctx, p)
			if err != nil {
				return err
			}
			if a == nil {
				a = &recordAccount{} // nothing to account for
			}
			acct = a
		}
		if err := w.Rewind(); err != nil {
			return err
		}
		body, err := c.ExportRecordsRaw(ctx, p)
		if err != nil {
			return err
		}
		defer body.Close()
		vr := NewVerifyingReader(body, format, p.CSVDelimiter)
		run := acct
		if run != nil && run.want != nil {
			run = &recordAccount{want: maps(acct.want), idField: acct.idField}
			vr.csvIDs().onRow = run.row
		}
		if _, err := io.Copy(w, vr); err != nil {
			return err
		}
		if run != nil && run.want != nil {
			return run.verify(ctx, c, p)
		}
		return nil
	})
}

// maps copies an ids set with every id still open.
func maps(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// ExportProjectXMLTo writes the project XML to w and verifies it is well
// formed and closed by </ODM>, retrying like ExportRecordsRawTo.
func (c *Client) ExportProjectXMLTo(ctx context.Context, p ExportProjectXMLParams, w Rewinder) error {
	return c.retryBody(ctx, newForm("project_xml", "export"), read, func() error {
		if err := w.Rewind(); err != nil {
			return err
		}
		body, err := c.ExportProjectXML(ctx, p)
		if err != nil {
			return err
		}
		defer body.Close()
		vr := NewVerifyingReader(body, "odm", "")
		vr.content = "project_xml"
		_, err = io.Copy(w, vr)
		return err
	})
}

// ExportRecordsVerified is ExportRecordsStream for a whole export that
// must be proved complete: a JSON body must close its array; a CSV body
// must account for every record (an ids step first, and the last record
// checked alone at the end). A failed check ends the stream with an error
// wrapping ErrTruncated (Err), so a shorter export never ends cleanly.
func (c *Client) ExportRecordsVerified(ctx context.Context, p ExportRecordsParams) (*RecordStream, error) {
	format := orDefault(p.Format, "csv")
	var acct *recordAccount
	if format == "csv" {
		if p.Records != nil && len(p.Records) == 0 {
			return emptyRecordStream(), nil
		}
		var err error
		if acct, err = c.newRecordAccount(ctx, p); err != nil {
			return nil, err
		}
	}
	if acct == nil {
		return c.ExportRecordsStream(ctx, p)
	}
	f, _, err := p.form()
	if err != nil {
		return nil, err
	}
	if _, err := csvComma(p.CSVDelimiter); err != nil {
		return nil, err
	}
	f.set("format", "csv")
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	// The decoder reads what the check sees.
	vr := NewVerifyingReader(resp.Body, "csv", p.CSVDelimiter)
	vr.csvIDs().onRow = acct.row
	s, err := newRecordStream(vr, resp.Body, "csv", p.CSVDelimiter, "record")
	if err != nil {
		return nil, c.scrub(err)
	}
	s.scrub = c.scrub
	if s.done { // no rows at all: account for that now
		if err := acct.verify(ctx, c, p); err != nil {
			s.Close()
			return nil, err
		}
		return s, nil
	}
	s.atEnd = func() error { return acct.verify(ctx, c, p) }
	return s, nil
}

// ExportRecordsChecked is ExportRecords proved whole as
// ExportRecordsVerified does (an ids step and the last record checked
// for CSV, a closed array for JSON); a body that fails the check is
// requested again per the RetryPolicy, then the error wraps ErrTruncated.
// It costs up to three more requests than ExportRecords.
func (c *Client) ExportRecordsChecked(ctx context.Context, p ExportRecordsParams) (*Records, error) {
	var out *Records
	err := c.retryBody(ctx, newForm("record", "export"), read, func() error {
		s, err := c.ExportRecordsVerified(ctx, p)
		if err != nil {
			return err
		}
		out, err = readAllRows(s)
		return err
	})
	return out, err
}
