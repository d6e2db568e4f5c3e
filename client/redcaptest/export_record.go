package redcaptest

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func init() {
	register("record", "export", exportRecords)
}

// outKind says where a record export column's cells come from.
type outKind uint8

const (
	outID outKind = iota
	outEvent
	outRepInstrument
	outRepInstance
	outDAG
	outSurveyID
	outTimestamp
	outField
	outCheckbox
	outStatus
	outCombined // a checkbox field's ticked codes (or labels) in one cell
)

// column is one column of a flat record export.
type outColumn struct {
	kind   outKind
	name   string
	header string // label header
	field  *Field
	form   string
	code   string // checkbox option
	choice string // checkbox option label
	// value rendering
	formIdx  int               // index of form in Project.Instruments (-1: none)
	choices  map[string]string // code → label (label mode)
	decimal  bool              // number-like: decimalCharacter applies
	fileDocs bool
}

// recordExport is a parsed record export request.
type recordExport struct {
	p            *Project
	eav          bool
	label        bool
	labelHeaders bool
	cbLabel      bool
	survey       bool
	dags         bool
	blankGray    bool
	combine      bool // combineCheckboxOptions: one column per checkbox field
	decimal      string
	delim        byte
	records      []string        // nil = all
	selected     map[string]bool // dictionary and status fields
	idSelected   bool
	events       map[string]bool // nil = all
	forms        map[string]bool // forms with a selected field
	filter       rowFilter       // nil = none
	logicForms   map[string]bool // forms named by the logic (repeating rows of other forms are dropped)
	begin, end   time.Time
	userDAG      string
	cols         []outColumn
	eavCols      []outColumn
	built        *builtExport       // the answer held in memory while it is counted, or nil
	applCache    map[applKey][]bool // per event/instrument: which forms a row shows
	rowAppl      []bool             // applicability for the row being written
	rowBuf       []*Row             // reused by sortedRows
	// removeLineBreaks applies a report's "remove line breaks" option.
	removeLineBreaks bool
	// hashSalt, when set, hashes record names (export_rights.go).
	hashSalt string
}

// rowFilter decides whether a row passes filterLogic.
type rowFilter interface {
	pass(x *recordExport, rec *Record, row *Row) (bool, error)
}

// newRowFilter parses filterLogic; it is set by the file that binds the
// logic package, so that the export works without it.
var newRowFilter func(p *Project, logic string, user *User) (rowFilter, map[string]bool, error)

func stripChars(list []string, chars string) []string {
	out := list[:0:0]
	for _, s := range list {
		s = strings.Map(func(r rune) rune {
			if strings.ContainsRune(chars, r) {
				return -1
			}
			return r
		}, s)
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

// checkListParam refuses the values of the list parameter param that valid
// rejects, naming them all as REDCap does.
func checkListParam(param string, values []string, valid func(string) bool) error {
	var bad []string
	for _, v := range values {
		if !valid(v) {
			bad = append(bad, v)
		}
	}
	if len(bad) > 0 {
		return errorf(http.StatusBadRequest, `The following values in the parameter "%s" are not valid: %s`, param, quoteList(bad))
	}
	return nil
}

// parseRecordExport reads and validates the export parameters.
// The caller holds p.Mu for reading.
func parseRecordExport(c *call, p *Project) (*recordExport, error) {
	x := &recordExport{p: p, delim: ','}
	x.eav = c.Param("type") == "eav"
	x.label = c.Param("rawOrLabel") == "label"
	x.labelHeaders = c.Param("rawOrLabelHeaders") == "label" && !x.eav && c.Format == "csv"
	x.cbLabel = c.Bool("exportCheckboxLabel") && x.label && !x.eav
	x.survey = c.Bool("exportSurveyFields")
	x.userDAG = c.DAG()
	x.dags = c.Bool("exportDataAccessGroups") && x.userDAG == ""
	// The flag needs the Data Access Groups right; a user inside a group
	// is not asked for it, the flag being ignored for them (the fixtures'
	// read-dag/assigned-to-dag-a: the API user there lacks the right).
	if x.dags {
		if err := needDAGRight(c); err != nil {
			return nil, err
		}
	}
	x.blankGray = c.Bool("exportBlankForGrayFormStatus")
	x.combine = c.Bool("combineCheckboxOptions") && !x.eav
	switch d := c.Param("decimalCharacter"); d {
	case ",", ".":
		x.decimal = d
	}
	switch d := c.Param("csvDelimiter"); d {
	case "tab":
		x.delim = '\t'
	case ";", "|", "^":
		x.delim = d[0]
	}
	if c.Has("records") {
		x.records = stripChars(c.List("records"), "'")
		if x.records == nil {
			x.records = nil
		}
	}
	fields := stripChars(c.List("fields"), `'"`)
	forms := stripChars(c.List("forms"), `'"`)
	events := stripChars(c.List("events"), `'"`)

	if err := checkListParam("fields", fields, func(f string) bool { return p.Field(f) != nil }); err != nil {
		return nil, err
	}
	if err := checkListParam("forms", forms, func(f string) bool { return p.FormFields(f) != nil }); err != nil {
		return nil, err
	}
	if len(events) > 0 {
		// In a classic project no event is valid.
		if err := checkListParam("events", events, func(e string) bool { return p.Longitudinal() && p.Event(e) != nil }); err != nil {
			return nil, err
		}
		x.events = map[string]bool{}
		for _, e := range events {
			x.events[e] = true
		}
	}
	x.selected = map[string]bool{}
	if len(fields) == 0 && len(forms) == 0 {
		for _, f := range p.Metadata {
			x.selected[f.FieldName] = true
		}
		for _, in := range p.Instruments {
			x.selected[in.Name+"_complete"] = true
		}
	} else {
		for _, f := range fields {
			x.selected[f] = true
		}
		for _, form := range forms {
			for _, f := range p.FormFields(form) {
				x.selected[f] = true
			}
			x.selected[form+"_complete"] = true
		}
	}
	nonDescriptive := false
	for name := range x.selected {
		if f := p.Field(name); f != nil && f.FieldType == "descriptive" {
			delete(x.selected, name)
		} else {
			nonDescriptive = true
		}
	}
	if !nonDescriptive {
		return nil, errorf(http.StatusBadRequest, `The variables provided in the parameter "fields" are not valid fields that contain data`)
	}
	if err := x.applyExportRights(c); err != nil {
		return nil, err
	}
	x.idSelected = x.selected[p.RecordIDField()]
	x.forms = map[string]bool{}
	for name := range x.selected {
		x.forms[p.FormOf(name)] = true
		if p.IsFormStatus(name) {
			x.forms[strings.TrimSuffix(name, "_complete")] = true
		}
	}
	if logic := strings.TrimSpace(c.Param("filterLogic")); logic != "" {
		if newRowFilter == nil {
			return nil, errorf(http.StatusBadRequest, "filterLogic is not supported by this server")
		}
		f, forms, err := newRowFilter(p, logic, c.User)
		if err != nil {
			return nil, err
		}
		x.filter, x.logicForms = f, forms
	}
	x.begin, _ = parseRangeTime(c.Param("dateRangeBegin"), false)
	x.end, _ = parseRangeTime(c.Param("dateRangeEnd"), true)
	x.buildColumns()
	return x, nil
}

// parseRangeTime reads a dateRangeBegin/End value; a bare date means the
// start (or end) of that day. A value that does not parse is unbounded.
func parseRangeTime(s string, end bool) (time.Time, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "/", "-"))
	s = strings.Replace(s, "T", " ", 1)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			if layout == "2006-01-02" && end {
				t = t.Add(24*time.Hour - time.Second)
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// isNumberField reports whether decimalCharacter applies to the field.
func isNumberField(f *Field) bool {
	if f.FieldType == "calc" {
		return true
	}
	v := f.TextValidationTypeOrShowSliderNumber
	return f.FieldType == "text" && (v == "number" || v == "float" || strings.HasPrefix(v, "number_"))
}

// choiceMap maps codes to export labels: REDCap turns '"' into "'" in
// choice labels and concatenates the labels of duplicated codes.
func choiceMap(cs []Choice) map[string]string {
	m := make(map[string]string, len(cs))
	for _, c := range cs {
		l := strings.ReplaceAll(c.Label, `"`, "'")
		if _, dup := m[c.Code]; dup {
			m[c.Code] += l
			continue
		}
		m[c.Code] = l
	}
	return m
}

// stripTags removes HTML tags from a label (label headers).
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (x *recordExport) buildColumns() {
	p := x.p
	idf := p.Field(p.RecordIDField())
	var cols []outColumn
	if x.idSelected {
		cols = append(cols, outColumn{kind: outID, name: idf.FieldName, header: stripTags(idf.FieldLabel), field: idf})
	}
	// REDCap puts the event and repeat columns next to the record id: an
	// export whose fields and forms leave the id out has none of them (a
	// forms-only export of redcapAPI's longitudinal, repeating test project
	// answers with the form's fields alone: vubiostat/redcapAPI issue 122;
	// REDCapR and PyCap add the id to every request for this reason).
	if p.Longitudinal() && x.idSelected {
		cols = append(cols, outColumn{kind: outEvent, name: "redcap_event_name", header: "Event Name"})
	}
	if p.HasRepeating() && x.idSelected {
		cols = append(cols, outColumn{kind: outRepInstrument, name: "redcap_repeat_instrument", header: "Repeat Instrument"},
			outColumn{kind: outRepInstance, name: "redcap_repeat_instance", header: "Repeat Instance"})
	}
	if x.dags && len(p.DAGs) > 0 {
		cols = append(cols, outColumn{kind: outDAG, name: "redcap_data_access_group", header: "Data Access Group"})
	}
	surveyForms := map[string]bool{}
	if x.survey && p.Info.SurveysEnabled {
		cols = append(cols, outColumn{kind: outSurveyID, name: "redcap_survey_identifier", header: "Survey Identifier"})
		for _, in := range p.Instruments {
			if in.Survey {
				surveyForms[in.Name] = true
			}
		}
	}
	missing := p.MissingCodes()
	stamped := map[string]bool{}
	stamp := func(form string) {
		if surveyForms[form] && !stamped[form] {
			stamped[form] = true
			cols = append(cols, outColumn{kind: outTimestamp, name: form + "_timestamp", header: "Survey Timestamp", form: form})
		}
	}
	if x.idSelected {
		stamp(idf.FormName)
	}
	status := func(form string) {
		name := form + "_complete"
		if x.selected[name] && !p.isDictField(name) {
			stamp(form)
			sf := p.Field(name)
			cols = append(cols, outColumn{kind: outStatus, name: name, header: "Complete?", field: sf, form: form,
				choices: choiceMap(p.Choices(name))})
		}
	}
	prevForm := ""
	for i := range p.Metadata {
		f := &p.Metadata[i]
		if f.FormName != prevForm && prevForm != "" {
			status(prevForm)
		}
		prevForm = f.FormName
		if !x.selected[f.FieldName] || i == 0 || f.FieldType == "descriptive" {
			continue
		}
		stamp(f.FormName)
		if f.FieldType == "checkbox" && x.combine {
			cols = append(cols, outColumn{kind: outCombined, name: f.FieldName, header: stripTags(f.FieldLabel),
				field: f, form: f.FormName, choices: choiceMap(append(append([]Choice(nil), p.Choices(f.FieldName)...), missing...))})
			continue
		}
		if f.FieldType == "checkbox" {
			for _, o := range p.checkboxOptions(f, missing) {
				cols = append(cols, outColumn{kind: outCheckbox, name: CheckboxColumn(f.FieldName, o.Code),
					header: stripTags(f.FieldLabel) + " (choice=" + stripTags(o.Label) + ")", field: f, form: f.FormName,
					code: o.Code, choice: o.Label})
			}
			continue
		}
		col := outColumn{kind: outField, name: f.FieldName, header: stripTags(f.FieldLabel), field: f, form: f.FormName,
			decimal: isNumberField(f), fileDocs: f.FieldType == "file"}
		switch f.FieldType {
		case "radio", "dropdown", "yesno", "truefalse", "sql":
			col.choices = choiceMap(append(append([]Choice(nil), p.Choices(f.FieldName)...), missing...))
		default:
			if len(missing) > 0 {
				col.choices = choiceMap(missing)
				col.choices[""] = ""
			}
		}
		cols = append(cols, col)
	}
	if prevForm != "" {
		status(prevForm)
	}
	for i := range cols {
		cols[i].formIdx = -1
		if cols[i].form != "" {
			cols[i].formIdx = p.formIndex(cols[i].form)
			if cols[i].formIdx == len(p.Instruments) {
				cols[i].formIdx = -1
			}
		}
	}
	x.cols = cols
}

// sortedRows returns a record's rows in export order: event order, the
// event's base row, then repeating instruments in form order, by instance.
// With the record id selected, each event with data gets its base row.
func (x *recordExport) sortedRows(rec *Record) []*Row {
	p := x.p
	rows := append(x.rowBuf[:0], rec.Rows...)
	if x.idSelected {
		for _, r := range rec.Rows {
			if len(r.Values) == 0 || p.RepeatingEvent(r.Event) {
				continue
			}
			base := false
			for _, q := range rows {
				if q.Event == r.Event && q.Instrument == "" && q.Instance == 0 {
					base = true
					break
				}
			}
			if !base {
				rows = append(rows, &Row{RowKey: RowKey{Event: r.Event}})
			}
		}
	}
	// insertion sort: rows are few and usually already in order
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && x.rowLess(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	x.rowBuf = rows
	return rows
}

func (x *recordExport) rowLess(a, b *Row) bool {
	p := x.p
	if a.Event != b.Event {
		return p.eventIndex[a.Event] < p.eventIndex[b.Event]
	}
	if a.Instrument != b.Instrument {
		if a.Instrument == "" || b.Instrument == "" {
			return a.Instrument == ""
		}
		return p.formIndex(a.Instrument) < p.formIndex(b.Instrument)
	}
	return a.Instance < b.Instance
}

// applKey identifies the rows that show the same forms.
type applKey struct{ event, instrument string }

// applicableForms returns, per instrument index, whether a row shows it.
func (x *recordExport) applicableForms(row *Row) []bool {
	k := applKey{row.Event, row.Instrument}
	if a, ok := x.applCache[k]; ok {
		return a
	}
	if x.applCache == nil {
		x.applCache = map[applKey][]bool{}
	}
	a := make([]bool, len(x.p.Instruments))
	for i, in := range x.p.Instruments {
		a[i] = x.applicable(row, in.Name)
	}
	x.applCache[k] = a
	return a
}

// shows reports whether the column's form is shown on the current row.
func (x *recordExport) shows(col *outColumn, row *Row) bool {
	if col.formIdx >= 0 && x.rowAppl != nil {
		return x.rowAppl[col.formIdx]
	}
	return x.applicable(row, col.form)
}

// applicable reports whether a form's fields are shown on a row.
func (x *recordExport) applicable(row *Row, form string) bool {
	p := x.p
	if row.Instrument != "" {
		return row.Instrument == form
	}
	if !p.Designated(form, row.Event) {
		return false
	}
	if p.RepeatingEvent(row.Event) {
		return true
	}
	return !p.RepeatingForm(row.Event, form)
}

// holdsData reports whether the row stores a value among the selected fields.
func (x *recordExport) holdsData(row *Row) bool {
	if row.Instrument == "" {
		// The record id is stored in every event with data, and REDCap
		// reads it whether or not it was asked for: each record × event
		// with data is a row, also when the requested fields are blank
		// there (a checkbox-only export keeps its all-unticked rows).
		return true
	}
	for name, v := range row.Values {
		if v == "" {
			continue
		}
		if x.selected[name] && x.applicable(row, x.p.formOfAny(name)) {
			return true
		}
	}
	return false
}

// recordChanged reports whether the record's log shows a change in range.
func (x *recordExport) recordChanged(id string) bool {
	if x.begin.IsZero() && x.end.IsZero() {
		return true
	}
	seen := false
	in := func(t time.Time) bool {
		// REDCap's log keeps whole seconds: an end equal to the change's
		// second includes it.
		t = t.Truncate(time.Second)
		return (x.begin.IsZero() || !t.Before(x.begin)) && (x.end.IsZero() || !t.After(x.end))
	}
	for _, e := range x.p.Log {
		if e.Record != id {
			continue
		}
		switch e.Kind {
		case LogRecordCreate, LogRecordUpdate, LogFileUpload, LogFileDelete:
			seen = true
			if in(e.Time) {
				return true
			}
		case LogRecordDelete:
			seen = false
		}
	}
	return !seen && x.p.Created.After(time.Time{}) && in(x.p.Created)
}

// eachRecord yields the records the request covers, in order.
func (x *recordExport) eachRecord(yield func(*Record) bool) {
	p := x.p
	keep := func(r *Record) bool {
		return (x.userDAG == "" || r.DAG == x.userDAG) && x.recordChanged(r.ID)
	}
	if x.records != nil {
		ids := append([]string(nil), x.records...)
		sort.SliceStable(ids, func(i, j int) bool { return CompareIDs(ids[i], ids[j]) < 0 })
		prev := "\x00"
		for _, id := range ids {
			if id == prev {
				continue
			}
			prev = id
			if r, ok := p.Records.Get(id); ok && keep(r) {
				if !yield(r) {
					return
				}
			}
		}
		return
	}
	for r := range p.Records.All() {
		if keep(r) && !yield(r) {
			return
		}
	}
}

// eachRow yields the rows of a record that the export shows.
func (x *recordExport) eachRow(rec *Record, yield func(*Row) bool) error {
	for _, row := range x.sortedRows(rec) {
		if x.events != nil && !x.events[row.Event] {
			continue
		}
		if !x.holdsData(row) {
			continue
		}
		if x.filter != nil {
			if row.Instrument != "" && x.logicForms != nil && !x.logicForms[row.Instrument] {
				continue
			}
			ok, err := x.filter.pass(x, rec, row)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		if !yield(row) {
			return nil
		}
	}
	return nil
}

// formOfAny returns the form of a dictionary field, status field or
// timestamp.
func (p *Project) formOfAny(name string) string {
	if f := p.formOf[name]; f != "" {
		return f
	}
	if sf := p.status[name]; sf != nil {
		return sf.FormName
	}
	return strings.TrimSuffix(name, "_timestamp")
}

func (p *Project) formIndex(form string) int {
	for i, in := range p.Instruments {
		if in.Name == form {
			return i
		}
	}
	return len(p.Instruments)
}

// eventLabel is the event's label in label mode: its name, plus the arm
// when the project has several arms.
func (p *Project) eventLabel(unique string) string {
	e := p.Event(unique)
	if e == nil {
		return unique
	}
	if len(p.Arms) > 1 {
		arm := ""
		for _, a := range p.Arms {
			if a.Num == e.ArmNum {
				arm = a.Name
			}
		}
		return e.Name + " (Arm " + strconv.Itoa(e.ArmNum) + ": " + arm + ")"
	}
	return e.Name
}

// fixDecimal rewrites a number's decimal mark.
func fixDecimal(v, mark string) string {
	if mark == "," {
		return strings.Replace(v, ".", ",", 1)
	}
	return strings.Replace(v, ",", ".", 1)
}

// cell renders one flat cell.
func (x *recordExport) cell(col *outColumn, rec *Record, row *Row) string {
	p := x.p
	switch col.kind {
	case outID:
		return x.recordName(rec.ID)
	case outEvent:
		if x.label {
			return p.eventLabel(row.Event)
		}
		return row.Event
	case outRepInstrument:
		if row.Instrument != "" && x.label {
			return p.InstrumentLabel(row.Instrument)
		}
		return row.Instrument
	case outRepInstance:
		if row.Instance == 0 {
			return ""
		}
		return strconv.Itoa(row.Instance)
	case outDAG:
		if x.label {
			if d := p.DAGByUnique(rec.DAG); d != nil {
				return d.Name
			}
		}
		return rec.DAG
	case outSurveyID:
		return ""
	case outTimestamp:
		if !x.shows(col, row) {
			return ""
		}
		return row.Values[col.name]
	case outCheckbox:
		if !x.shows(col, row) {
			return ""
		}
		on := row.IsChecked(col.field.FieldName, col.code)
		switch {
		case x.cbLabel:
			if on {
				return col.choice
			}
			return ""
		case x.label:
			if on {
				return "Checked"
			}
			return "Unchecked"
		case on:
			return "1"
		}
		return "0"
	case outCombined:
		if !x.shows(col, row) {
			return ""
		}
		codes := row.Checked(col.name)
		if x.label {
			for i, c := range codes {
				if l, ok := col.choices[c]; ok {
					codes[i] = l
				}
			}
		}
		return strings.Join(codes, ",")
	case outStatus:
		if !x.shows(col, row) {
			return ""
		}
		v := row.Values[col.name]
		if v == "" {
			if x.blankGray && !x.formHasData(row, col.form) {
				return ""
			}
			v = "0"
		}
		if x.label {
			if l, ok := col.choices[v]; ok {
				return l
			}
		}
		return v
	}
	// outField
	if !x.shows(col, row) {
		return ""
	}
	v := row.Values[col.name]
	if v == "" {
		return ""
	}
	if x.label && col.choices != nil {
		if l, ok := col.choices[v]; ok {
			return l
		}
	}
	if col.decimal && x.decimal != "" {
		return fixDecimal(v, x.decimal)
	}
	return v
}

// formHasData reports whether the row stores any value of the form.
func (x *recordExport) formHasData(row *Row, form string) bool {
	for name, v := range row.Values {
		if v != "" && x.p.formOfAny(name) == form {
			return true
		}
	}
	return false
}

func exportRecords(c *call) error {
	if c.Format == "odm" {
		// CDISC ODM: the project XML writer, restricted to the request's
		// records, fields, events and filter.
		return handleProjectXML(c)
	}
	p := c.Project
	p.Mu.RLock()
	x, err := parseRecordExport(c, p)
	if err == nil {
		w := c.w
		if c.srv.opts.Model.CellCost > 0 || c.srv.opts.Faults.MaxCells > 0 {
			x.built = newBuiltExport(c.srv.opts.Faults.MaxCells)
			c.w = x.built
		}
		if x.eav {
			err = x.writeEAV(c)
		} else {
			err = x.writeFlat(c)
		}
		c.w = w
	}
	p.Mu.RUnlock()
	if err == nil && x.built != nil {
		// Charged and sent outside the lock: the answer is whole in
		// memory, and an import should not wait out a modelled cost.
		err = x.built.send(c, c.w)
	}
	if err != nil {
		return err
	}
	// REDCap logs every data export (logtype=export); the entry names no
	// record, so dateRangeBegin/End and the record log types ignore it.
	p.Mu.Lock()
	p.AppendLog(LogEntry{User: c.Username(), Action: "Data export (API)", Kind: LogExport, Details: exportLogDetails(c)})
	p.Mu.Unlock()
	return nil
}

// exportLogDetails says what an export asked for, as the log shows it.
func exportLogDetails(c *call) string {
	typ := "flat"
	if c.Param("type") == "eav" {
		typ = "eav"
	}
	d := "format = '" + c.Format + "', type = '" + typ + "'"
	if f := c.List("fields"); len(f) > 0 {
		d += ", fields = '" + strings.Join(f, ", ") + "'"
	}
	if f := c.List("forms"); len(f) > 0 {
		d += ", forms = '" + strings.Join(f, ", ") + "'"
	}
	return d
}

// countRow counts a written row's cells when the export is being built in
// memory (builtExport); false stops the writers once MaxCells is exceeded.
func (x *recordExport) countRow(cells int) bool {
	if x.built == nil {
		return true
	}
	return x.built.count(cells)
}

func (x *recordExport) writeFlat(c *call) error {
	t := c.newTable(nil)
	t.header = false
	t.delim = x.delim
	t.cols = make([]string, len(x.cols))
	t.numeric = make([]bool, len(x.cols))
	for i, col := range x.cols {
		t.cols[i] = col.name
		t.numeric[i] = col.kind == outRepInstance
	}
	if x.labelHeaders {
		t.headers = make([]string, len(x.cols))
		for i, col := range x.cols {
			t.headers[i] = col.header
		}
	}
	vals := make([]string, len(x.cols))
	var werr, ferr error
	csvFast := t.format == "csv" && !x.removeLineBreaks
	x.eachRecord(func(rec *Record) bool {
		ferr = x.eachRow(rec, func(row *Row) bool {
			if !x.countRow(len(x.cols)) {
				return false
			}
			x.rowAppl = x.applicableForms(row)
			if csvFast {
				// CSV rows are encoded straight into the row buffer.
				t.start()
				b := t.buf[:0]
				for i := range x.cols {
					if i > 0 {
						b = append(b, t.delim)
					}
					b = t.appendCSV(b, x.cell(&x.cols[i], rec, row), false)
				}
				b = append(b, '\n')
				t.buf = b
				t.rows++
				_, werr = t.bw.Write(b)
				return werr == nil
			}
			for i := range x.cols {
				vals[i] = x.cell(&x.cols[i], rec, row)
				if x.removeLineBreaks {
					vals[i] = noLineBreaks(vals[i])
				}
			}
			werr = t.Row(vals)
			return werr == nil
		})
		return ferr == nil && werr == nil
	})
	if ferr != nil {
		if !t.started {
			return ferr
		}
		// Headers are gone: end the body; the client sees it cut short.
		return nil
	}
	if werr != nil {
		return nil // client went away
	}
	return t.Close()
}

func (x *recordExport) writeEAV(c *call) error {
	p := x.p
	names := []string{"record"}
	if p.Longitudinal() {
		names = append(names, "redcap_event_name")
	}
	rep := p.HasRepeating()
	if rep {
		names = append(names, "redcap_repeat_instrument", "redcap_repeat_instance")
	}
	names = append(names, "field_name", "value")
	t := c.newTable(names)
	t.header = false
	t.guard = true
	t.delim = x.delim
	t.numeric = make([]bool, len(names))
	if rep {
		t.numeric[len(names)-3] = true
	}
	// REDCap lists a row's values in storage order: calc fields are saved
	// after the form's other values, so they come last.
	x.eavCols = x.eavCols[:0]
	for _, col := range x.cols {
		if col.field == nil || col.field.FieldType != "calc" {
			x.eavCols = append(x.eavCols, col)
		}
	}
	for _, col := range x.cols {
		if col.field != nil && col.field.FieldType == "calc" {
			x.eavCols = append(x.eavCols, col)
		}
	}
	vals := make([]string, len(names))
	var werr, ferr error
	emit := func(rec *Record, row *Row, field, value string) bool {
		i := 0
		vals[i] = x.recordName(rec.ID)
		i++
		if p.Longitudinal() {
			vals[i] = row.Event
			if x.label {
				vals[i] = p.eventLabel(row.Event)
			}
			i++
		}
		if rep {
			vals[i] = row.Instrument
			vals[i+1] = ""
			if row.Instance > 0 {
				vals[i+1] = strconv.Itoa(row.Instance)
			}
			i += 2
		}
		vals[i], vals[i+1] = field, value
		werr = t.Row(vals)
		return werr == nil
	}
	idf := p.RecordIDField()
	x.eachRecord(func(rec *Record) bool {
		ferr = x.eachRow(rec, func(row *Row) bool {
			if !x.countRow(len(row.Values) * len(names)) {
				return false
			}
			for _, col := range x.eavCols {
				switch col.kind {
				case outID:
					if !emit(rec, row, idf, x.recordName(rec.ID)) {
						return false
					}
				case outDAG:
					if rec.DAG != "" && !emit(rec, row, "redcap_data_access_group", x.cell(&col, rec, row)) {
						return false
					}
				case outCheckbox:
					if x.applicable(row, col.form) && row.IsChecked(col.field.FieldName, col.code) {
						v := col.code
						if x.label {
							v = col.choice
						}
						if !emit(rec, row, col.field.FieldName, v) {
							return false
						}
					}
				case outField, outStatus, outTimestamp:
					v := x.cell(&col, rec, row)
					if col.kind == outStatus && row.Values[col.name] == "" {
						v = "" // EAV lists stored values only: no default 0
					}
					if col.fileDocs && v != "" {
						inst := row.Instance
						if inst == 0 {
							inst = 1
						}
						if sf := p.Files[FileKey{Record: rec.ID, Field: col.name, Event: row.Event, Instance: inst}]; sf != nil {
							v = strconv.Itoa(sf.DocID)
						}
					}
					if v != "" && !emit(rec, row, col.name, v) {
						return false
					}
				}
			}
			return true
		})
		return ferr == nil && werr == nil
	})
	if ferr != nil && !t.started {
		return ferr
	}
	if ferr != nil || werr != nil {
		return nil
	}
	return t.Close()
}
