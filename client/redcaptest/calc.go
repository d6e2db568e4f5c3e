package redcaptest

import (
	"fmt"
	"strings"

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

// calcEquation returns the equation of a computed field: a calc field's
// own, or on a text field the argument of its @CALCTEXT(...) action tag
// (text result) or @CALCDATE(field, offset, unit) (a date, computed as
// calcdate(field, offset, unit)). ok is false for other fields.
func calcEquation(f *Field) (eq string, text, ok bool) {
	if f.FieldType == "calc" {
		return f.SelectChoicesOrCalculations, false, true
	}
	if f.FieldType != "text" || !strings.Contains(f.FieldAnnotation, "@CALC") {
		return "", false, false
	}
	if arg, found := actionTagArg(f.FieldAnnotation, "@CALCTEXT"); found {
		return arg, true, true
	}
	if arg, found := actionTagArg(f.FieldAnnotation, "@CALCDATE"); found {
		return "calcdate(" + arg + ")", true, true
	}
	return "", false, false
}

// actionTagArg returns what stands between the parentheses that follow
// tag in an annotation, the parentheses balanced outside quotes.
func actionTagArg(annotation, tag string) (string, bool) {
	for from := 0; ; {
		i := strings.Index(annotation[from:], tag)
		if i < 0 {
			return "", false
		}
		i += from + len(tag)
		from = i
		j := i
		for j < len(annotation) && (annotation[j] == ' ' || annotation[j] == '\t') {
			j++
		}
		if j >= len(annotation) || annotation[j] != '(' {
			continue // another tag that starts with tag's name (@CALCTEXTX)
		}
		depth, quote := 0, byte(0)
		for k := j; k < len(annotation); k++ {
			c := annotation[k]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth == 0 {
					return strings.TrimSpace(annotation[j+1 : k]), true
				}
			}
		}
		return "", false
	}
}

// calcExpr parses a computed field's equation once; nil when it does not
// parse or names fields the project lacks (the value then stays as it is).
func (p *Project) calcExpr(f *Field, eq string) *logic.Expr {
	if p.calcCache == nil {
		p.calcCache = map[string]*logic.Expr{}
	}
	key := f.FieldName + "\x00" + eq
	if e, ok := p.calcCache[key]; ok {
		return e
	}
	e, err := logic.Parse(eq)
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

// recalcRecord recomputes every computed field of rec (calc fields,
// @CALCTEXT and @CALCDATE) on the rows its form lives on and returns the
// changes as log details ("bmi = '22.1'"). The caller holds p.Mu for
// writing and rec is writable.
func (p *Project) recalcRecord(rec *Record) []string {
	var details []string
	x := &recordExport{p: p}
	lf := &logicFilter{kinds: map[string]logic.Kind{}}
	for i := range p.Metadata {
		f := &p.Metadata[i]
		eq, text, ok := calcEquation(f)
		if !ok {
			continue
		}
		e := p.calcExpr(f, eq)
		if e == nil {
			continue
		}
		for _, row := range rec.Rows {
			if !p.calcLivesOn(f.FormName, row) {
				continue
			}
			lr := &logicRow{x: x, f: lf, rec: rec, row: row}
			var v string
			var err error
			if text {
				v, err = e.Text(lr)
			} else {
				v, err = e.Value(lr)
			}
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
