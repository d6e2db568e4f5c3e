package redcaptest

import (
	"encoding/xml"
	"fmt"
	"io"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// importOptions are the parameters of a record import.
type importOptions struct {
	Format     string // csv, json, xml
	Type       string // flat (default) or eav
	Overwrite  bool   // overwriteBehavior=overwrite: blanks erase
	ForceAuto  bool   // forceAutoNumber
	DateFormat string // YMD (default), MDY, DMY
	Delim      rune   // csvDelimiter of CSV data (0: comma)
	User       *User  // the token's user (nil: the project's API user, no DAG)
	Now        time.Time
	MaxValue   int // longest value stored (Options.MaxValueBytes); 0: no limit
}

// importResult describes a committed import.
type importResult struct {
	IDs     []string    // records written, in order of first appearance
	AutoIDs [][2]string // forceAutoNumber: new id, submitted id
}

// importError is a refused import: REDCap answers 400 with Msg.
type importError struct{ Msg string }

func (e *importError) Error() string { return e.Msg }

// pseudoColumns are the plumbing columns an import may carry besides fields.
var pseudoColumns = map[string]bool{
	"redcap_event_name": true, "redcap_repeat_instrument": true, "redcap_repeat_instance": true,
	"redcap_data_access_group": true, "redcap_survey_identifier": true,
}

// importColumn is what one payload column writes.
type importColumn struct {
	field *fieldRule
	code  string // checkbox option code ("" for other fields)
	form  string // form of the field (the form itself for <form>_complete)
	kind  int
}

const (
	colField    = iota // an ordinary field
	colCheckbox        // field___code
	colStatus          // <form>_complete
	colIgnored         // file, calc, survey timestamps, descriptive-free plumbing
)

// recordNameRE is what REDCap accepts as a record name.
var recordNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _\-.@]*$`)

// plannedRow is one validated payload row, ready to be applied.
type plannedRow struct {
	id     string
	key    RowKey
	newIns bool // redcap_repeat_instance=new
	dag    string
	setDAG bool
	cells  []plannedCell
}

type plannedCell struct {
	col   *importColumn
	name  string // payload column
	value string // normalised ("" = blank)
}

// importRecords validates the whole payload against the dictionary and, only
// if every row passes, writes it. The caller holds p.Mu for writing.
func (p *Project) importRecords(data string, o importOptions) (*importResult, error) {
	var rows []*importRow
	var err error
	if o.Format == "odm" {
		rows, err = p.parseImportODM(data)
	} else if o.Format == "csv" && o.Delim != 0 && o.Delim != ',' {
		rows, err = parseImportCSVDelim(data, o.Delim)
	} else {
		rows, err = parseImportRows(data, o.Format)
	}
	if err != nil {
		return nil, &importError{err.Error()}
	}
	idField := p.RecordIDField()
	if o.Type == "eav" && o.Format != "odm" {
		if rows, err = eavToFlat(rows, idField); err != nil {
			return nil, &importError{err.Error()}
		}
	}
	if len(rows) == 0 {
		return nil, &importError{"There were no records found in the data submitted"}
	}
	cols, err := p.importColumns(rows)
	if err != nil {
		return nil, err
	}
	if p.Longitudinal() {
		// Unknown event names fail the whole import in one message.
		var bad []string
		for _, r := range rows {
			ev, _ := r.get("redcap_event_name")
			if ev = strings.TrimSpace(ev); ev != "" && p.Event(ev) == nil && !slices.Contains(bad, ev) {
				bad = append(bad, ev)
			}
		}
		if len(bad) > 0 {
			return nil, &importError{"The following values of redcap_event_name are invalid: " + strings.Join(bad, ", ")}
		}
	}
	plan, errs := p.planImport(rows, cols, o)
	if len(errs) > 0 {
		return nil, &importError{strings.Join(errs, "\n")}
	}
	return p.applyImport(plan, o), nil
}

// importColumns classifies every column named by any row; unknown names fail
// the whole import with REDCap's message.
func (p *Project) importColumns(rows []*importRow) (map[string]*importColumn, error) {
	cols := map[string]*importColumn{}
	var unknown []string
	seen := map[string]bool{}
	idField := p.RecordIDField()
	checkbox := p.checkboxColumns()
	for _, r := range rows {
		for _, name := range r.cols {
			if seen[name] {
				continue
			}
			seen[name] = true
			if name == idField || pseudoColumns[name] {
				continue
			}
			if form, ok := strings.CutSuffix(name, "_complete"); ok && p.IsFormStatus(name) {
				cols[name] = &importColumn{form: form, kind: colStatus}
				continue
			}
			if c, ok := checkbox[name]; ok {
				cols[name] = c
				continue
			}
			if f := p.Field(name); f != nil && f.FieldType != "checkbox" && f.FieldType != "descriptive" {
				c := &importColumn{field: p.fieldRule(f), form: f.FormName, kind: colField}
				if f.FieldType == "file" || f.FieldType == "calc" {
					c.kind = colIgnored
				}
				cols[name] = c
				continue
			}
			if form, ok := strings.CutSuffix(name, "_complete"); ok && p.FormFields(form) != nil {
				cols[name] = &importColumn{form: form, kind: colStatus}
				continue
			}
			if form, ok := strings.CutSuffix(name, "_timestamp"); ok && p.FormFields(form) != nil {
				cols[name] = &importColumn{form: form, kind: colIgnored}
				continue
			}
			unknown = append(unknown, name)
		}
	}
	if !seen[idField] {
		return nil, &importError{fmt.Sprintf("The record ID field (%s) is missing from the data: the first column must be the record ID field", idField)}
	}
	if len(unknown) > 0 {
		return nil, &importError{"The following fields were not found in the project as real data fields: " + strings.Join(unknown, ", ")}
	}
	return cols, nil
}

// checkboxColumns maps every checkbox export column (choices and missing
// codes) to its field and code.
func (p *Project) checkboxColumns() map[string]*importColumn {
	out := map[string]*importColumn{}
	missing := p.MissingCodes()
	for i := range p.Metadata {
		f := &p.Metadata[i]
		if f.FieldType != "checkbox" {
			continue
		}
		rule := p.fieldRule(f)
		for _, c := range p.Choices(f.FieldName) {
			out[CheckboxColumn(f.FieldName, c.Code)] = &importColumn{field: rule, code: c.Code, form: f.FormName, kind: colCheckbox}
		}
		if !strings.Contains(f.FieldAnnotation, "@NOMISSING") {
			for _, c := range missing {
				name := CheckboxColumn(f.FieldName, c.Code)
				if _, ok := out[name]; !ok {
					out[name] = &importColumn{field: rule, code: c.Code, form: f.FormName, kind: colCheckbox}
				}
			}
		}
	}
	return out
}

func (p *Project) fieldRule(f *Field) *fieldRule {
	r := &fieldRule{Name: f.FieldName, Form: f.FormName, Type: f.FieldType,
		Validation: f.TextValidationTypeOrShowSliderNumber, Min: f.TextValidationMin, Max: f.TextValidationMax}
	for _, c := range p.Choices(f.FieldName) {
		r.Codes = append(r.Codes, c.Code)
	}
	return r
}

// eventDisplay is REDCap's name of an event in messages: "Label (Arm N: name)".
func (p *Project) eventDisplay(unique string) string {
	e := p.Event(unique)
	if e == nil {
		return unique
	}
	arm := ""
	for _, a := range p.Arms {
		if a.Num == e.ArmNum {
			arm = a.Name
		}
	}
	return fmt.Sprintf("%s (Arm %d: %s)", e.Name, e.ArmNum, arm)
}

// planImport validates every row and returns the rows to write, or every
// error line found ("record","field","value","explanation").
func (p *Project) planImport(rows []*importRow, cols map[string]*importColumn, o importOptions) ([]*plannedRow, []string) {
	var errs []string
	fail := func(rec, field, value, why string) {
		errs = append(errs, csvQuoteLine(rec, field, value, why))
	}
	idField := p.RecordIDField()
	missing := map[string]bool{}
	for _, c := range p.MissingCodes() {
		missing[c.Code] = true
	}
	userDAG := ""
	if o.User != nil {
		userDAG = o.User.DAG
	}
	// The secondary unique field must stay unique across records.
	suf := p.Info.SecondaryUniqueField
	var sufOwner map[string]string // value → record holding it
	if suf != "" {
		if _, ok := cols[suf]; ok {
			sufOwner = map[string]string{}
			for rec := range p.Records.All() {
				for _, row := range rec.Rows {
					if v := row.Values[suf]; v != "" {
						sufOwner[v] = rec.ID
					}
				}
			}
		}
	}
	var plan []*plannedRow
	for _, r := range rows {
		id, _ := r.get(idField)
		id = strings.TrimSpace(id)
		pr := &plannedRow{id: id}
		switch {
		case id == "":
			fail(id, idField, id, "The record ID cannot be blank")
			continue
		case len(id) > 100 || !recordNameRE.MatchString(id):
			fail(id, idField, id, "Record names may only contain letters, numbers, spaces, hyphens, underscores, periods and @, and must start with a letter or number")
			continue
		}
		ev, _ := r.get("redcap_event_name")
		ev = strings.TrimSpace(ev)
		if p.Longitudinal() {
			if ev == "" {
				ev = p.Events[0].UniqueName // REDCap's default: the first event
			}
		} else if ev != "" {
			fail(id, "redcap_event_name", ev, "This is not a longitudinal project, so redcap_event_name must be blank")
			continue
		}
		pr.key.Event = ev
		ri, _ := r.get("redcap_repeat_instrument")
		ri = strings.TrimSpace(ri)
		inst, _ := r.get("redcap_repeat_instance")
		inst = strings.TrimSpace(inst)
		switch {
		case ri != "":
			if !p.RepeatingForm(ev, ri) {
				fail(id, "redcap_repeat_instrument", ri, fmt.Sprintf("The instrument '%s' is not a repeating instrument%s", ri, p.onEvent(ev)))
				continue
			}
			pr.key.Instrument = ri
			if !p.parseInstance(pr, inst, o, fail) {
				continue
			}
		case p.RepeatingEvent(ev):
			if inst == "" {
				inst = "1"
			}
			if !p.parseInstance(pr, inst, o, fail) {
				continue
			}
		case inst != "" && inst != "1":
			fail(id, "redcap_repeat_instance", inst, "redcap_repeat_instance must be blank on a row that belongs to no repeating instrument or event")
			continue
		}
		if dag, ok := r.get("redcap_data_access_group"); ok && strings.TrimSpace(dag) != "" {
			dag = strings.TrimSpace(dag)
			switch {
			case userDAG != "":
				if dag != userDAG {
					fail(id, "redcap_data_access_group", dag, "You are in a Data Access Group, so you may only assign records to your own group")
					continue
				}
			case p.DAGByUnique(dag) == nil:
				fail(id, "redcap_data_access_group", dag, "The value is not a valid unique group name of a Data Access Group in this project")
				continue
			}
			pr.dag, pr.setDAG = dag, true
		}
		if userDAG != "" {
			if rec, ok := p.Records.Get(id); ok && rec.DAG != userDAG && !o.ForceAuto {
				fail(id, idField, id, "You are in a Data Access Group and this record belongs to another group or to none, so you cannot modify it")
				continue
			}
		}
		for _, name := range r.cols {
			c := cols[name]
			if c == nil || c.kind == colIgnored {
				continue
			}
			raw, _ := r.get(name)
			v := strings.TrimSpace(raw)
			if c.kind == colField && c.field.Type == "notes" {
				v = raw
			}
			if v != "" {
				if ev != "" && !p.Designated(c.form, ev) {
					fail(id, name, raw, fmt.Sprintf("This field ('%s') exists on an instrument that is not designated for the event named '%s'. You are not allowed to import data for this field into this event.", name, p.eventDisplay(ev)))
					continue
				}
				if pr.key.Instrument != "" && c.form != pr.key.Instrument {
					fail(id, name, raw, fmt.Sprintf("This field is not on the repeating instrument '%s', so it cannot be imported on a row of that instrument", pr.key.Instrument))
					continue
				}
				if pr.key.Instrument == "" && p.RepeatingForm(ev, c.form) {
					fail(id, name, raw, fmt.Sprintf("This field is on the repeating instrument '%s': give redcap_repeat_instrument and redcap_repeat_instance", c.form))
					continue
				}
				if o.MaxValue > 0 && len(v) > o.MaxValue {
					fail(id, name, fmt.Sprintf("(%d bytes)", len(raw)), fmt.Sprintf("The value is %d bytes long; REDCap stores at most %d bytes in a value", len(v), o.MaxValue))
					continue
				}
				switch c.kind {
				case colCheckbox:
					if v != "0" && v != "1" {
						fail(id, name, raw, msgBadCheckbox)
						continue
					}
				case colStatus:
					if v != "0" && v != "1" && v != "2" {
						fail(id, name, raw, msgBadStatus)
						continue
					}
				default:
					if missing[v] {
						break
					}
					norm, why := normalizeImportValue(c.field, v, o.DateFormat)
					if why != "" {
						fail(id, name, raw, why)
						continue
					}
					v = norm
					if sufOwner != nil && name == suf {
						if owner, ok := sufOwner[v]; ok && owner != id && !o.ForceAuto {
							fail(id, name, raw, fmt.Sprintf("The value is not unique: the secondary unique field '%s' already holds it in record '%s'", suf, owner))
							continue
						}
						sufOwner[v] = id
					}
				}
			}
			pr.cells = append(pr.cells, plannedCell{col: c, name: name, value: v})
		}
		plan = append(plan, pr)
	}
	return plan, errs
}

func (p *Project) onEvent(ev string) string {
	if ev == "" {
		return ""
	}
	return " on the event '" + ev + "'"
}

func (p *Project) parseInstance(pr *plannedRow, inst string, o importOptions, fail func(rec, field, value, why string)) bool {
	if inst == "new" {
		if o.Type == "eav" {
			fail(pr.id, "redcap_repeat_instance", inst, "redcap_repeat_instance=new is only allowed with type=flat")
			return false
		}
		pr.newIns = true
		return true
	}
	n, err := strconv.Atoi(inst)
	if err != nil || n < 1 {
		fail(pr.id, "redcap_repeat_instance", inst, "redcap_repeat_instance must be a positive integer or 'new'")
		return false
	}
	pr.key.Instance = n
	return true
}

// applyImport writes a validated plan: the records, the change log.
func (p *Project) applyImport(plan []*plannedRow, o importOptions) *importResult {
	store := p.Writable()
	idField := p.RecordIDField()
	res := &importResult{}
	// forceAutoNumber: submitted ids only group rows; new ids follow the
	// highest numeric id, in order of first appearance.
	if o.ForceAuto {
		next := p.nextRecordNumber(p.dagPrefix(o.User))
		newID := map[string]string{}
		for _, pr := range plan {
			id, ok := newID[pr.id]
			if !ok {
				id = p.dagPrefix(o.User) + strconv.Itoa(next)
				next++
				newID[pr.id] = id
				res.AutoIDs = append(res.AutoIDs, [2]string{id, pr.id})
			}
			pr.id = id
		}
	}
	user := apiUserName(o.User)
	type change struct {
		created bool
		details []string
		event   string
	}
	changes := map[string]*change{}
	for _, pr := range plan {
		_, existed := store.Get(pr.id)
		rec := store.Edit(pr.id)
		ch := changes[pr.id]
		if ch == nil {
			ch = &change{created: !existed}
			changes[pr.id] = ch
			res.IDs = append(res.IDs, pr.id)
			if !existed && o.User != nil && o.User.DAG != "" {
				rec.DAG = o.User.DAG
			}
		}
		if pr.setDAG && rec.DAG != pr.dag {
			rec.DAG = pr.dag
			ch.details = append(ch.details, fmt.Sprintf("redcap_data_access_group = '%s'", pr.dag))
		}
		key := pr.key
		if pr.newIns {
			key.Instance = nextInstance(rec, key)
		}
		row := rec.Ensure(key)
		touched := map[string]bool{}
		for _, c := range pr.cells {
			switch c.col.kind {
			case colCheckbox:
				if c.value == "" {
					if o.Overwrite {
						row.SetChecked(c.col.field.Name, c.col.code, false)
					}
					continue
				}
				was := row.IsChecked(c.col.field.Name, c.col.code)
				on := c.value == "1"
				if was != on {
					row.SetChecked(c.col.field.Name, c.col.code, on)
					ch.details = append(ch.details, fmt.Sprintf("%s(%s) = %s", c.col.field.Name, c.col.code, map[bool]string{true: "checked", false: "unchecked"}[on]))
				}
				touched[c.col.form] = true
			default:
				if c.value == "" && !o.Overwrite {
					continue
				}
				old := row.Values[c.name]
				if old == c.value {
					if c.value != "" {
						touched[c.col.form] = true
					}
					continue
				}
				if c.value == "" {
					delete(row.Values, c.name)
				} else {
					row.Values[c.name] = c.value
					touched[c.col.form] = true
				}
				ch.details = append(ch.details, fmt.Sprintf("%s = '%s'", c.name, c.value))
			}
		}
		// A form that receives data gets a status (Incomplete) if it has none.
		for form := range touched {
			st := form + "_complete"
			if _, ok := row.Values[st]; !ok {
				row.Values[st] = "0"
			}
		}
		if row.Values[idField] == "" {
			row.Values[idField] = pr.id
		}
		ch.event = key.Event
	}
	for _, id := range res.IDs {
		changes[id].details = append(changes[id].details, p.recalcRecord(store.Edit(id))...)
	}
	now := o.Now
	for _, id := range res.IDs {
		ch := changes[id]
		action, kind := "Update record (API) "+id, LogRecordUpdate
		if ch.created {
			action, kind = "Create record (API) "+id, LogRecordCreate
		}
		p.AppendLog(LogEntry{Time: now, User: user, Action: action, Kind: kind, Record: id, Event: ch.event, Details: strings.Join(ch.details, ", ")})
	}
	return res
}

// nextInstance is one more than the highest instance of key's event and
// instrument in rec.
func nextInstance(rec *Record, key RowKey) int {
	n := 0
	for _, r := range rec.Rows {
		if r.Event == key.Event && r.Instrument == key.Instrument && r.Instance > n {
			n = r.Instance
		}
	}
	return n + 1
}

// nextRecordNumber is one more than the highest record id made of prefix
// and digits only (1 when none): REDCap's auto-numbering, where users in a
// DAG number within "<dag id>-".
func (p *Project) nextRecordNumber(prefix string) int {
	max := 0
	for rid := range recordIDs(p.Records) {
		id, ok := strings.CutPrefix(rid, prefix)
		if !ok || id == "" || id[0] == '+' || id[0] == '-' {
			continue
		}
		if n, err := strconv.Atoi(id); err == nil && n > max {
			max = n
		}
	}
	return max + 1
}

// idLister is an optional RecordStore extension: the record names alone,
// in REDCap order, without building the records (a generated store can
// list a million names cheaply).
type idLister interface {
	IDs() iter.Seq[string]
}

// recordIDs yields the store's record names, through IDs when the store has it.
func recordIDs(s RecordStore) iter.Seq[string] {
	if l, ok := s.(idLister); ok {
		return l.IDs()
	}
	return func(yield func(string) bool) {
		for rec := range s.All() {
			if !yield(rec.ID) {
				return
			}
		}
	}
}

// parseImportODM reads the ClinicalData of a CDISC ODM document into flat
// import rows: one per SubjectData × StudyEventData × FormData, with the
// record id, event, repeat instrument and instance columns filled from the
// ODM keys and one column per ItemData.
func (p *Project) parseImportODM(data string) ([]*importRow, error) {
	dec := xml.NewDecoder(strings.NewReader(data))
	dec.Strict = false
	bad := func(err error) error { return fmt.Errorf("the ODM data could not be parsed: %v", err) }
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	idField := p.RecordIDField()
	var rows []*importRow
	var cur *importRow
	subject, event, evRep := "", "", ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "SubjectData":
			subject, event, evRep = attr(se, "SubjectKey"), "", ""
		case "StudyEventData":
			event = attr(se, "UniqueEventName")
			if event == "" {
				event = strings.TrimPrefix(attr(se, "StudyEventOID"), "Event.")
			}
			evRep = attr(se, "StudyEventRepeatKey")
		case "FormData":
			form := strings.TrimPrefix(attr(se, "FormOID"), "Form.")
			cur = &importRow{line: len(rows) + 1}
			cur.set(idField, subject)
			if p.Longitudinal() {
				cur.set("redcap_event_name", event)
			}
			switch {
			case p.RepeatingForm(event, form) || (!p.Longitudinal() && p.RepeatingForm("", form)):
				cur.set("redcap_repeat_instrument", form)
				cur.set("redcap_repeat_instance", attr(se, "FormRepeatKey"))
			case p.RepeatingEvent(event) && evRep != "":
				cur.set("redcap_repeat_instance", evRep)
			}
			rows = append(rows, cur)
		case "ItemData":
			if cur == nil {
				return nil, bad(fmt.Errorf("ItemData outside FormData"))
			}
			oid := attr(se, "ItemOID")
			if oid == idField {
				continue
			}
			cur.set(oid, attr(se, "Value"))
		}
	}
	return rows, nil
}

// dagPrefix is "<dag id>-" for a user in a DAG (REDCap's auto-numbering
// inside DAGs), else "".
func (p *Project) dagPrefix(u *User) string {
	if u == nil || u.DAG == "" {
		return ""
	}
	if d := p.DAGByUnique(u.DAG); d != nil {
		return strconv.Itoa(d.ID) + "-"
	}
	return ""
}

// apiUserName is the username written to the log for a request.
func apiUserName(u *User) string {
	if u != nil && u.Username != "" {
		return u.Username
	}
	return "api_user"
}
