package redcaptest

import (
	"fmt"

	"github.com/redcapql/rq/client/redcaptest/logic"
)

// Calculated fields: REDCap computes a calc field's value from its
// equation when data are saved, and never takes one from an import. The
// record import ignores calc columns (importColumns) and, after writing,
// recomputes the calc fields of every record it touched, on each of the
// record's rows where the calc's form lives. Values loaded with a project
// (project XML, data.csv) are kept as recorded, as REDCap keeps stored
// values until the record is saved again: a calc using 'today' keeps the
// age it had when the data were captured.

// calcExpr parses a calc field's equation once; nil when it does not
// parse or names fields the project lacks (the value then stays blank).
func (p *Project) calcExpr(f *Field) *logic.Expr {
	if p.calcCache == nil {
		p.calcCache = map[string]*logic.Expr{}
	}
	key := f.FieldName + "\x00" + f.SelectChoicesOrCalculations
	if e, ok := p.calcCache[key]; ok {
		return e
	}
	e, err := logic.Parse(f.SelectChoicesOrCalculations)
	if err == nil {
		for _, name := range e.Fields() {
			if p.Field(name) == nil && !repeatPseudoField[name] {
				e = nil
				break
			}
		}
	} else {
		e = nil
	}
	p.calcCache[key] = e
	return e
}

// recalcRecord recomputes every calc field of rec on the rows its form
// lives on and returns the changes as log details ("bmi = '22.1'"). The
// caller holds p.Mu for writing and rec is writable.
func (p *Project) recalcRecord(rec *Record) []string {
	var details []string
	x := &recordExport{p: p}
	lf := &logicFilter{kinds: map[string]logic.Kind{}}
	for i := range p.Metadata {
		f := &p.Metadata[i]
		if f.FieldType != "calc" {
			continue
		}
		e := p.calcExpr(f)
		if e == nil {
			continue
		}
		for _, row := range rec.Rows {
			if !p.calcLivesOn(f.FormName, row) {
				continue
			}
			v, err := e.Value(&logicRow{x: x, f: lf, rec: rec, row: row})
			if err != nil {
				v = ""
			}
			old := row.Values[f.FieldName]
			if v == old {
				continue
			}
			if v == "" {
				delete(row.Values, f.FieldName)
			} else {
				row.Values[f.FieldName] = v
			}
			details = append(details, fmt.Sprintf("%s = '%s'", f.FieldName, v))
		}
	}
	return details
}

// calcLivesOn reports whether a field of form is stored on row: its form
// is designated for the row's event, and the row is the form's own
// instance when the form repeats (or the non-repeating row when not).
func (p *Project) calcLivesOn(form string, row *Row) bool {
	if p.Longitudinal() && !p.Designated(form, row.Event) {
		return false
	}
	if p.RepeatingForm(row.Event, form) {
		return row.Instrument == form
	}
	return row.Instrument == ""
}
