package client

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
)

// ExportRecordsParams are the parameters of a record export
// (content=record). Nil or empty slices mean "all" — except Records: a
// non-nil empty Records asks for no record, and the export returns no rows
// without any request (REDCap would export every record).
type ExportRecordsParams struct {
	Records, Fields, Forms, Events []string
	FilterLogic                    string
	RawOrLabel, RawOrLabelHeaders  string // "raw" (default) | "label"
	ExportCheckboxLabel            bool
	ExportSurveyFields             bool
	ExportDataAccessGroups         bool
	ExportBlankForGrayFormStatus   bool
	CombineCheckboxOptions         bool
	DateRangeBegin, DateRangeEnd   string // "YYYY-MM-DD[ HH:MM[:SS]]"; REDCap ignores a bad one silently, so it is checked here
	CSVDelimiter, DecimalCharacter string
	Type                           string // "flat" (default) | "eav"
	Format                         string // wire format: "csv" (default) | "json"; ExportRecordsRaw also "xml", "odm"
}

// recordForm builds the export request; ok is false when the records
// list is given but empty.
func (p ExportRecordsParams) form() (*form, bool, error) {
	if p.Records != nil && len(p.Records) == 0 {
		return nil, false, nil
	}
	for _, r := range p.Records {
		if strings.ContainsRune(r, '\'') {
			return nil, false, errorf("record %q contains ' which REDCap strips from record names on export; it cannot be selected", r)
		}
		if r == "" {
			return nil, false, errorf("empty record name in Records")
		}
	}
	for _, list := range [][]string{p.Fields, p.Forms, p.Events} {
		for _, n := range list {
			if n == "" || strings.ContainsAny(n, `'",`) {
				return nil, false, errorf("name %q in fields/forms/events is empty or has a quote or comma, which REDCap strips or splits on", n)
			}
		}
	}
	for _, d := range []struct{ name, v string }{{"DateRangeBegin", p.DateRangeBegin}, {"DateRangeEnd", p.DateRangeEnd}} {
		if d.v != "" && !validDateRange(d.v) {
			return nil, false, errorf("%s %q is not YYYY-MM-DD[ HH:MM[:SS]]; REDCap would silently ignore it and export everything", d.name, d.v)
		}
	}
	f := newForm("record", "export")
	f.set("type", orDefault(p.Type, "flat"))
	// Each array element is one POST variable, and PHP's max_input_vars
	// (often 1000) rejects the request beyond it. Record export also reads
	// these four as comma-separated strings, so long lists go that way
	// when no name holds a comma.
	long := len(p.Records)+len(p.Fields)+len(p.Forms)+len(p.Events) > maxArrayVars
	for _, l := range []struct {
		key   string
		names []string
	}{{"records", p.Records}, {"fields", p.Fields}, {"forms", p.Forms}, {"events", p.Events}} {
		if long && len(l.names) > 0 && !anyContains(l.names, ",") {
			f.set(l.key, strings.Join(l.names, ","))
		} else {
			f.array(l.key, l.names)
		}
	}
	f.opt("filterLogic", p.FilterLogic)
	f.set("rawOrLabel", orDefault(p.RawOrLabel, "raw"))
	f.set("rawOrLabelHeaders", orDefault(p.RawOrLabelHeaders, "raw"))
	f.flag("exportCheckboxLabel", p.ExportCheckboxLabel)
	f.flag("exportSurveyFields", p.ExportSurveyFields)
	f.flag("exportDataAccessGroups", p.ExportDataAccessGroups)
	f.flag("exportBlankForGrayFormStatus", p.ExportBlankForGrayFormStatus)
	f.flag("combineCheckboxOptions", p.CombineCheckboxOptions)
	f.opt("dateRangeBegin", p.DateRangeBegin)
	f.opt("dateRangeEnd", p.DateRangeEnd)
	f.opt("csvDelimiter", p.CSVDelimiter)
	f.opt("decimalCharacter", p.DecimalCharacter)
	return f, true, nil
}

// maxArrayVars is the number of list elements above which a record export
// sends its lists comma-joined (PHP's default max_input_vars is 1000).
const maxArrayVars = 900

func anyContains(names []string, sub string) bool {
	for _, n := range names {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// validDateRange accepts REDCap's dateRange formats: YYYY-MM-DD with an
// optional " HH:MM" or " HH:MM:SS" ('T' or '/' variants too).
func validDateRange(s string) bool {
	s = strings.ReplaceAll(s, "/", "-")
	s = strings.Replace(s, "T", " ", 1)
	digits := func(t string) bool {
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return true
	}
	date, tm, hasTime := strings.Cut(s, " ")
	if len(date) != 10 || date[4] != '-' || date[7] != '-' || !digits(date[:4]+date[5:7]+date[8:]) {
		return false
	}
	if !hasTime {
		return true
	}
	switch len(tm) {
	case 5:
		return tm[2] == ':' && digits(tm[:2]+tm[3:])
	case 8:
		return tm[2] == ':' && tm[5] == ':' && digits(tm[:2]+tm[3:5]+tm[6:])
	}
	return false
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// ExportRecordsStream exports records as a stream of rows in REDCap's
// column order (format csv by default, or json), decoded as they arrive.
// The caller must Close the stream.
func (c *Client) ExportRecordsStream(ctx context.Context, p ExportRecordsParams) (*RecordStream, error) {
	f, ok, err := p.form()
	if err != nil {
		return nil, err
	}
	if err := c.checkNames("ExportRecords", p.Fields, p.Forms, p.Events, p.FilterLogic); err != nil {
		return nil, err
	}
	if !ok {
		return emptyRecordStream(), nil
	}
	format := orDefault(p.Format, "csv")
	if format != "csv" && format != "json" {
		return nil, errorf("ExportRecordsStream decodes csv or json, not %q; use ExportRecordsRaw", format)
	}
	if _, err := csvComma(p.CSVDelimiter); err != nil {
		return nil, err
	}
	f.set("format", format)
	return c.streamRows(ctx, f, format, p.CSVDelimiter)
}

func (c *Client) streamRows(ctx context.Context, f *form, format, delim string) (*RecordStream, error) {
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	rs, err := newRecordStream(resp.Body, resp.Body, format, delim, f.get("content"))
	if err != nil {
		return nil, c.scrub(err)
	}
	rs.scrub = c.scrub
	return rs, nil
}

// ExportRecords exports records into memory. See ExportRecordsStream for
// exports too large to hold.
//
// A body cut off mid-way is requested again per the RetryPolicy (the
// stream cannot do that: its rows are already delivered). A CSV body cut
// at a row end still parses: ExportRecordsChecked proves the export whole.
func (c *Client) ExportRecords(ctx context.Context, p ExportRecordsParams) (*Records, error) {
	var out *Records
	err := c.retryBody(ctx, newForm("record", "export"), read, func() error {
		s, err := c.ExportRecordsStream(ctx, p)
		if err != nil {
			return err
		}
		out, err = readAllRows(s)
		return err
	})
	return out, err
}

// ExportRecordsRaw returns the export body undecoded, in p.Format ("csv",
// "json", "xml" or "odm"). The caller closes it. A non-nil empty Records
// gives an empty body without a request.
func (c *Client) ExportRecordsRaw(ctx context.Context, p ExportRecordsParams) (io.ReadCloser, error) {
	f, ok, err := p.form()
	if err != nil {
		return nil, err
	}
	if err := c.checkNames("ExportRecordsRaw", p.Fields, p.Forms, p.Events, p.FilterLogic); err != nil {
		return nil, err
	}
	if !ok {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if err := setFormat(f, orDefault(p.Format, "csv"), "csv", "json", "xml", "odm"); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// ImportRecordsParams are the parameters of a record import. Give the
// data either as Data in Format, or as Records (sent as CSV).
type ImportRecordsParams struct {
	Data              []byte
	Records           *Records
	Format            string // "csv" (default) | "json" | "xml" | "odm"
	Type              string // "flat" (default) | "eav"
	OverwriteBehavior string // "normal" (default: blanks ignored) | "overwrite" (blanks erase)
	ForceAutoNumber   bool
	DateFormat        string // "YMD" (default) | "MDY" | "DMY"
	CSVDelimiter      string
	ReturnContent     string // "count" (default) | "ids" | "auto_ids" | "nothing"
	BackgroundProcess bool
}

// ImportResult is REDCap's answer to an import, per ReturnContent.
type ImportResult struct {
	Count   int      // records imported (ReturnContent count)
	IDs     []string // record ids (ids)
	AutoIDs []AutoID // assigned ids (auto_ids)
}

// AutoID pairs an id assigned by forceAutoNumber with the submitted one.
type AutoID struct {
	New, Original string
}

// ImportRecords imports records (content=record, action=import). REDCap
// validates the whole batch first: on a validation failure nothing is
// saved and the *Error lists the problems in Problems.
func (c *Client) ImportRecords(ctx context.Context, p ImportRecordsParams) (*ImportResult, error) {
	data := p.Data
	format := orDefault(p.Format, "csv")
	if p.Records != nil {
		if p.Data != nil {
			return nil, errorf("ImportRecords: give Data or Records, not both")
		}
		var err error
		if data, err = p.Records.CSV(); err != nil {
			return nil, err
		}
		format = "csv"
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errorf("ImportRecords: no data")
	}
	f := newForm("record", "import")
	if err := setFormat(f, format, "csv", "json", "xml", "odm"); err != nil {
		return nil, err
	}
	f.set("type", orDefault(p.Type, "flat"))
	f.set("overwriteBehavior", orDefault(p.OverwriteBehavior, "normal"))
	f.flag("forceAutoNumber", p.ForceAutoNumber)
	f.opt("dateFormat", p.DateFormat)
	f.opt("csvDelimiter", p.CSVDelimiter)
	rc := orDefault(p.ReturnContent, "count")
	if rc == "auto_ids" && !p.ForceAutoNumber {
		return nil, errorf("ImportRecords: ReturnContent auto_ids needs ForceAutoNumber")
	}
	f.set("returnContent", rc)
	f.flag("backgroundProcess", p.BackgroundProcess)
	f.set("data", string(data))
	b, _, err := c.readAll(ctx, f, write)
	if err != nil {
		return nil, err
	}
	return parseImportResult(b, rc, p.BackgroundProcess, f)
}

func parseImportResult(b []byte, rc string, background bool, f *form) (*ImportResult, error) {
	res := &ImportResult{}
	if background || rc == "nothing" {
		return res, nil
	}
	switch rc {
	case "count":
		n, err := parseCount(b, f)
		if err != nil {
			return nil, err
		}
		res.Count = n
	case "ids", "auto_ids":
		var items []json.RawMessage
		if err := decodeJSON(b, f, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			s := jsonRow{"v": it}.str("v")
			if rc == "ids" {
				res.IDs = append(res.IDs, s)
				continue
			}
			var pair struct {
				ID    json.RawMessage `json:"id"`
				NewID json.RawMessage `json:"new_id"`
			}
			if json.Unmarshal(it, &pair) == nil && pair.ID != nil {
				res.AutoIDs = append(res.AutoIDs, AutoID{New: jsonRow{"v": pair.NewID}.str("v"), Original: jsonRow{"v": pair.ID}.str("v")})
				continue
			}
			nw, orig, _ := strings.Cut(s, ",")
			res.AutoIDs = append(res.AutoIDs, AutoID{New: nw, Original: orig})
		}
		res.Count = len(res.IDs) + len(res.AutoIDs)
	default:
		return nil, errorf("ImportRecords: ReturnContent %q is not count, ids, auto_ids or nothing", rc)
	}
	return res, nil
}

// CSV encodes the records as CSV with a header row.
func (r *Records) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(r.Columns); err != nil {
		return nil, err
	}
	for i, row := range r.Rows {
		if len(row) != len(r.Columns) {
			return nil, errorf("row %d has %d values for %d columns", i+1, len(row), len(r.Columns))
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// DeleteRecordsParams says which records (or which part of them) to delete.
type DeleteRecordsParams struct {
	Records        []string // required, at least one
	Arm            string   // only in this arm
	Instrument     string   // only this instrument's data
	Event          string   // with Instrument in longitudinal projects
	RepeatInstance int      // only this instance of a repeating instrument
	DeleteLogging  bool     // also delete the records' logging
}

// DeleteRecords deletes records (content=record, action=delete) and returns
// how many REDCap deleted. If any id does not exist REDCap deletes nothing.
func (c *Client) DeleteRecords(ctx context.Context, p DeleteRecordsParams) (int, error) {
	if len(p.Records) == 0 {
		return 0, errorf("DeleteRecords: no records given")
	}
	if p.RepeatInstance > 0 && p.Instrument == "" {
		return 0, errorf("DeleteRecords: RepeatInstance needs Instrument")
	}
	f := newForm("record", "delete")
	f.array("records", p.Records)
	f.opt("arm", p.Arm)
	f.opt("instrument", p.Instrument)
	f.opt("event", p.Event)
	f.num("repeat_instance", p.RepeatInstance)
	if p.DeleteLogging {
		f.set("delete_logging", "1")
	}
	return c.postCount(ctx, f)
}

// RenameRecordParams renames one record (in one arm, if Arm is set).
type RenameRecordParams struct {
	Record, NewName, Arm string
}

// RenameRecord renames a record (content=record, action=rename).
func (c *Client) RenameRecord(ctx context.Context, p RenameRecordParams) error {
	if p.Record == "" || p.NewName == "" {
		return errorf("RenameRecord: Record and NewName are required")
	}
	f := newForm("record", "rename")
	f.set("record", p.Record)
	f.set("new_record_name", p.NewName)
	f.opt("arm", p.Arm)
	s, err := c.postText(ctx, f, write)
	if err != nil {
		return err
	}
	if s != "1" && s != "true" {
		return &Error{Status: 200, Content: "record", Action: "rename", Err: ErrMalformed, Message: "expected 1", BodyPrefix: prefixOf([]byte(s))}
	}
	return nil
}

// GenerateNextRecordName returns the next auto-numbered record name
// (content=generateNextRecordName). It creates nothing.
func (c *Client) GenerateNextRecordName(ctx context.Context) (string, error) {
	return c.postText(ctx, newForm("generateNextRecordName", ""), read)
}

// RandomizeParams randomises one record.
type RandomizeParams struct {
	Record          string
	RandomizationID string
	ReturnAlt       bool
}

// RandomizeResult is the allocation REDCap made.
type RandomizeResult struct {
	Record      string
	TargetField string // the randomisation field
	Target      string // the code allocated to it
	AltField    string // the alternate target field, with ReturnAlt
	Alt         string // its value
}

// Randomize randomises a record (content=record, action=randomize).
func (c *Client) Randomize(ctx context.Context, p RandomizeParams) (*RandomizeResult, error) {
	if p.Record == "" || p.RandomizationID == "" {
		return nil, errorf("Randomize: Record and RandomizationID are required")
	}
	f := newForm("record", "randomize")
	f.set("record", p.Record)
	f.set("randomization_id", p.RandomizationID)
	f.flag("returnAlt", p.ReturnAlt)
	f.set("format", "json")
	b, _, err := c.readAll(ctx, f, write)
	if err != nil {
		return nil, err
	}
	type target struct {
		FieldName json.RawMessage `json:"field_name"`
		Value     json.RawMessage `json:"value"`
	}
	var r struct {
		Record json.RawMessage `json:"record"`
		Target *target         `json:"target_field"`
		Alt    *target         `json:"alternative_target_field"`
	}
	if err := decodeJSON(b, f, &r); err != nil {
		return nil, err
	}
	if r.Target == nil {
		return nil, &Error{Status: 200, Content: "record", Action: "randomize", Err: ErrMalformed, Message: "no target_field in the answer", BodyPrefix: prefixOf(b)}
	}
	text := func(raw json.RawMessage) string { return jsonRow{"v": raw}.str("v") }
	out := &RandomizeResult{Record: text(r.Record), TargetField: text(r.Target.FieldName), Target: text(r.Target.Value)}
	if r.Alt != nil {
		out.AltField, out.Alt = text(r.Alt.FieldName), text(r.Alt.Value)
	}
	return out, nil
}

// ExportReportParams exports a saved report (content=report).
type ExportReportParams struct {
	ReportID                       string
	RawOrLabel, RawOrLabelHeaders  string
	ExportCheckboxLabel            bool
	CSVDelimiter, DecimalCharacter string
	Format                         string // "csv" (default) | "json"
}

// ExportReportStream streams a report's rows like ExportRecordsStream.
func (c *Client) ExportReportStream(ctx context.Context, p ExportReportParams) (*RecordStream, error) {
	if p.ReportID == "" {
		return nil, errorf("ExportReport: ReportID is required")
	}
	format := orDefault(p.Format, "csv")
	if format != "csv" && format != "json" {
		return nil, errorf("ExportReportStream decodes csv or json, not %q", format)
	}
	if _, err := csvComma(p.CSVDelimiter); err != nil {
		return nil, err
	}
	f := newForm("report", "export")
	f.set("report_id", p.ReportID)
	f.set("format", format)
	f.set("rawOrLabel", orDefault(p.RawOrLabel, "raw"))
	f.set("rawOrLabelHeaders", orDefault(p.RawOrLabelHeaders, "raw"))
	f.flag("exportCheckboxLabel", p.ExportCheckboxLabel)
	f.opt("csvDelimiter", p.CSVDelimiter)
	f.opt("decimalCharacter", p.DecimalCharacter)
	return c.streamRows(ctx, f, format, p.CSVDelimiter)
}

// ExportReport exports a report into memory.
// Like ExportRecords, a cut-off body is requested again.
func (c *Client) ExportReport(ctx context.Context, p ExportReportParams) (*Records, error) {
	var out *Records
	err := c.retryBody(ctx, newForm("report", "export"), read, func() error {
		s, err := c.ExportReportStream(ctx, p)
		if err != nil {
			return err
		}
		out, err = readAllRows(s)
		return err
	})
	return out, err
}
