package redcaptest

import (
	"net/http"
	"strconv"

	"github.com/redcapql/rq/client/redcaptest/logic"
)

// filterLogic binds the record export to the logic package: each row is
// offered to the parsed logic as a logic.Row reading the whole record.

func init() {
	newRowFilter = func(p *Project, src string, user *User) (rowFilter, map[string]bool, error) {
		e, err := logic.Parse(src)
		if err != nil {
			// REDCap 15 does not pre-validate: the parser's exception ends as
			// a PHP fatal error (a 500-class, non-JSON failure).
			return nil, nil, &APIError{Status: http.StatusInternalServerError, Msg: msgFatal}
		}
		forms := map[string]bool{}
		pseudo := false
		for _, f := range e.Fields() {
			if repeatPseudoField[f] {
				pseudo = true
				continue
			}
			if p.Field(f) == nil {
				return nil, nil, &APIError{Status: http.StatusInternalServerError, Msg: msgFatal}
			}
			forms[p.formOfAny(f)] = true
		}
		if e.HasSmartVariables() || pseudo {
			forms = nil // evaluated row by row on every row
		}
		return &logicFilter{e: e, user: user, kinds: map[string]logic.Kind{}}, forms, nil
	}
}

// repeatPseudoField are the plumbing columns REDCap (8.x on) lets filter
// logic read: the row's repeating instrument and instance.
var repeatPseudoField = map[string]bool{"redcap_repeat_instance": true, "redcap_repeat_instrument": true}

type logicFilter struct {
	e     *logic.Expr
	user  *User
	kinds map[string]logic.Kind
}

func (f *logicFilter) pass(x *recordExport, rec *Record, row *Row) (bool, error) {
	r := &logicRow{x: x, f: f, rec: rec, row: row}
	ok, err := f.e.Eval(r)
	if err != nil {
		return false, nil // an unevaluable row is skipped
	}
	return ok, nil
}

// logicRow is one export row as the logic sees it.
type logicRow struct {
	x   *recordExport
	f   *logicFilter
	rec *Record
	row *Row
}

func (r *logicRow) Record() string { return r.rec.ID }
func (r *logicRow) Event() string  { return r.row.Event }
func (r *logicRow) Instance() int {
	if r.row.Instance == 0 {
		return 1
	}
	return r.row.Instance
}

// Kind classifies a field for comparisons (redcap-api.md §5.2).
func (r *logicRow) Kind(field string) logic.Kind {
	if k, ok := r.f.kinds[field]; ok {
		return k
	}
	k := fieldLogicKind(r.x.p, field)
	r.f.kinds[field] = k
	return k
}

func fieldLogicKind(p *Project, name string) logic.Kind {
	if name == "redcap_repeat_instance" {
		return logic.Number
	}
	f := p.Field(name)
	if f == nil {
		return logic.Text
	}
	switch f.FieldType {
	case "checkbox":
		return logic.Checkbox
	case "calc", "slider", "yesno", "truefalse", "file":
		return logic.Number
	case "radio", "dropdown":
		for _, c := range append(p.Choices(name), p.MissingCodes()...) {
			if _, err := strconv.ParseFloat(c.Code, 64); err != nil {
				return logic.Text
			}
		}
		return logic.Number
	case "text":
		if isNumberField(f) || f.TextValidationTypeOrShowSliderNumber == "integer" ||
			f.TextValidationTypeOrShowSliderNumber == "int" {
			return logic.Number
		}
	}
	return logic.Text
}

// findRow locates the row a reference reads.
func (r *logicRow) findRow(event, field string, inst logic.InstanceRef) *Row {
	p := r.x.p
	if event == "" {
		event = r.row.Event
	}
	form := p.formOfAny(field)
	if !p.Designated(form, event) {
		return nil
	}
	key := RowKey{Event: event}
	repForm := p.RepeatingForm(event, form)
	repEvent := p.RepeatingEvent(event)
	if repForm {
		key.Instrument = form
	}
	if !repForm && !repEvent {
		return r.rec.Row(key)
	}
	switch inst.Rel {
	case logic.RowInstance:
		if (repForm && r.row.Instrument == form && r.row.Event == event) || (repEvent && r.row.Event == event) {
			key.Instance = r.row.Instance
		} else {
			key.Instance = 1
		}
	case logic.Numbered:
		key.Instance = inst.N
	case logic.FirstInstance, logic.LastInstance:
		best := 0
		for _, row := range r.rec.Rows {
			if row.Event != event || row.Instrument != key.Instrument || row.Values[field] == "" {
				continue
			}
			if best == 0 || (inst.Rel == logic.FirstInstance && row.Instance < best) ||
				(inst.Rel == logic.LastInstance && row.Instance > best) {
				best = row.Instance
			}
		}
		key.Instance = best
	}
	return r.rec.Row(key)
}

func (r *logicRow) Value(event, field string, inst logic.InstanceRef) string {
	p := r.x.p
	if field == p.RecordIDField() {
		return r.rec.ID
	}
	switch field {
	case "redcap_repeat_instrument": // blank on non-repeating rows and repeating events
		return r.row.Instrument
	case "redcap_repeat_instance": // blank on non-repeating rows, as exported
		if r.row.Instance == 0 {
			return ""
		}
		return strconv.Itoa(r.row.Instance)
	}
	row := r.findRow(event, field, inst)
	if p.IsFormStatus(field) {
		// A form status reads 0 wherever nothing is stored, on events where
		// its form is not designated too (redcap-api.md §5.2 "Non-designated
		// forms"), unlike the export, which leaves it blank there.
		if row == nil || row.Values[field] == "" {
			return "0"
		}
		return row.Values[field]
	}
	if row == nil {
		return ""
	}
	return row.Values[field]
}

func (r *logicRow) Checkbox(event, field, code string, inst logic.InstanceRef) string {
	row := r.findRow(event, field, inst)
	if row != nil && row.IsChecked(field, code) {
		return "1"
	}
	return "0"
}

func (r *logicRow) MissingCodes() []string {
	var out []string
	for _, c := range r.x.p.MissingCodes() {
		out = append(out, c.Code)
	}
	return out
}

func (r *logicRow) SmartVariable(name string) (string, bool) {
	p := r.x.p
	switch name {
	case "record-dag-name":
		return r.rec.DAG, true
	case "record-dag-label":
		if d := p.DAGByUnique(r.rec.DAG); d != nil {
			return d.Name, true
		}
		return "", true
	case "project-id":
		return strconv.Itoa(p.Info.ProjectID), true
	case "user-name":
		if r.f.user != nil {
			return r.f.user.Username, true
		}
		return "", true
	case "user-dag-name":
		if r.f.user != nil {
			return r.f.user.DAG, true
		}
		return "", true
	case "event-label":
		if e := p.Event(r.row.Event); e != nil {
			return e.Name, true
		}
		return "", true
	case "event-id":
		if e := p.Event(r.row.Event); e != nil {
			return strconv.Itoa(e.ID), true
		}
		return "", true
	case "arm-number":
		if e := p.Event(r.row.Event); e != nil {
			return strconv.Itoa(e.ArmNum), true
		}
		return "1", true
	case "arm-label":
		if e := p.Event(r.row.Event); e != nil {
			for _, a := range p.Arms {
				if a.Num == e.ArmNum {
					return a.Name, true
				}
			}
		}
		return "", true
	case "instrument-name":
		return r.row.Instrument, true
	}
	return "", false
}
