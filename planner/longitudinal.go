package planner

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// rowKind is where a form's fields are on a row: an event (of a longitudinal
// project, else "") and the repeating instrument whose instance rows they are
// on ("" for the event's plain rows).
type rowKind struct{ event, instr string }

// longitudinalWarning is the warning for the longitudinal trap (#16): a
// row-level query that combines fields no single row holds, because their
// forms are on different events (or one is a repeating instrument, whose
// fields are on its own instance rows). Every row then has one of them null:
// "where age > 85" keeps enrollment rows, where sbp is always blank. The
// hint pins the where clause's fields to their event, which makes them the
// record's value on every row. "" when the query is not caught.
func (p *Plan) longitudinalWarning() string {
	pl := p.pl
	if p.Source != "records" || !pl.cat.Longitudinal() && !pl.cat.Repeats() {
		return ""
	}
	var uses []fieldUse
	seen := map[string]int{}
	note := func(n lang.Node, where bool) {
		lang.Inspect(n, func(x lang.Node) bool {
			r, ok := x.(*lang.Ref)
			if !ok || r.Event != "" || !r.Bracketed && isPseudo(r.Name) {
				return true
			}
			f, ok := pl.cat.Dictionary().Field(r.Name)
			if !ok {
				if f, _, ok = pl.cat.Dictionary().ExportColumn(r.Name); !ok {
					return true
				}
			}
			if f.Name == pl.cat.RecordID() {
				return true
			}
			if i, ok := seen[f.Name]; ok {
				uses[i].where = uses[i].where || where
				return true
			}
			seen[f.Name] = len(uses)
			uses = append(uses, fieldUse{f, where})
			return true
		})
	}
	s := p.Stmt
	for _, it := range s.Items {
		if it.Expr != nil {
			note(it.Expr, false)
		}
	}
	for _, e := range s.GroupBy {
		note(e, false)
	}
	for _, o := range s.OrderBy {
		note(o.Expr, false)
	}
	if s.Where != nil {
		note(s.Where, true)
	}
	if s.Summarize && len(s.Items) == 1 && s.Items[0].Star {
		return p.summaryTrap(uses, func(name string) bool { _, ok := seen[name]; return ok })
	}
	if len(uses) < 2 {
		return ""
	}
	// the row kinds that hold every field used
	var common map[rowKind]bool
	for _, u := range uses {
		kinds := pl.rowKinds(u.field.Form)
		if common == nil {
			common = kinds
			continue
		}
		for k := range common {
			if !kinds[k] {
				delete(common, k)
			}
		}
	}
	if len(common) > 0 {
		return ""
	}
	var b strings.Builder
	names := make([]string, len(uses))
	for i, u := range uses {
		names[i] = u.field.Name
	}
	fmt.Fprintf(&b, "warning: no row holds all of %s: ", strings.Join(names, ", "))
	var where []string
	for _, u := range uses {
		where = append(where, fmt.Sprintf("%s is on %s", u.field.Name, pl.describeRows(u.field.Form)))
	}
	b.WriteString(strings.Join(where, ", "))
	b.WriteString("; every row has some of them null\n")
	if fix := p.pinnedWhere(uses[0].field, func(name string) bool {
		i, ok := seen[name]
		return ok && uses[i].where
	}); fix != "" {
		fmt.Fprintf(&b, "hint: to test a record's value on all of its rows, pin the event: where %s\n", fix)
	} else {
		b.WriteString("hint: pin a field to its event, [event][field], to read the record's value on every row\n")
	}
	return b.String()
}

// rowKinds is where form's fields are.
func (pl *Planner) rowKinds(form string) map[rowKind]bool {
	out := map[rowKind]bool{}
	events := pl.cat.FormEvents(form)
	if !pl.cat.Longitudinal() {
		events = []string{""}
	}
	for _, e := range events {
		k := rowKind{event: e}
		for _, r := range pl.cat.Repeating() {
			if r.Form == form && (r.Event == e || !pl.cat.Longitudinal()) {
				k.instr = form
			}
		}
		out[k] = true
	}
	return out
}

// describeRows says where form's fields are, for the warning: its events
// in the mapping's order, and its repeating rows.
func (pl *Planner) describeRows(form string) string {
	kinds := pl.rowKinds(form)
	var parts []string
	rep := false
	for _, e := range pl.cat.FormEvents(form) {
		if pl.cat.Longitudinal() && !slices.Contains(parts, e) {
			parts = append(parts, e)
		}
	}
	for k := range kinds {
		rep = rep || k.instr != ""
	}
	if rep {
		parts = append(parts, "repeating "+form+" rows")
	}
	if len(parts) == 0 {
		return "no event"
	}
	return strings.Join(parts, ", ")
}

// pinnedWhere rewrites the where clause with its fields that are on one
// non-repeating event pinned to it ([enrollment_arm_1][age] > 85); "" when
// none can be.
func (p *Plan) pinnedWhere(_ *client.Field, inWhere func(string) bool) string {
	if p.Stmt.Where == nil {
		return ""
	}
	e, err := lang.ParseExpr(p.Stmt.Where.String())
	if err != nil {
		return ""
	}
	changed := false
	var others []string
	lang.Inspect(e, func(x lang.Node) bool {
		r, ok := x.(*lang.Ref)
		if !ok || r.Event != "" || !r.Bracketed && isPseudo(r.Name) || !inWhere(r.Name) {
			return true
		}
		f, ok := p.pl.cat.Dictionary().Field(r.Name)
		if !ok {
			return true
		}
		// a form on one event per arm (not repeating) pins to its first event
		events := p.pl.cat.FormEvents(f.Form)
		arms := map[int]bool{}
		for _, ev := range events {
			arms[p.pl.cat.EventArm(ev)] = true
		}
		if len(events) == 0 || len(arms) != len(events) || p.pl.cat.RepeatingForm(f.Form) {
			return true
		}
		r.Event, r.Bracketed, changed = events[0], true, true
		for _, ev := range events[1:] {
			others = append(others, "["+ev+"]["+f.Name+"]")
		}
		return true
	})
	if !changed {
		return ""
	}
	if len(others) > 0 {
		return e.String() + " (for records of other arms: " + strings.Join(others, ", ") + ")"
	}
	return e.String()
}

// isPseudo reports whether an unbracketed name is one of records' own columns.
func isPseudo(name string) bool {
	_, ok := pseudoColumns[strings.ToLower(name)]
	return ok
}

// fieldUse is a field a statement names (without an event), and whether in
// its where clause.
type fieldUse struct {
	field *client.Field
	where bool
}

// summaryTrap is the longitudinal trap of summarize records where ...: a
// condition on fields of some events keeps only those events' rows, so the
// forms on no such row are summarized over no rows at all.
func (p *Plan) summaryTrap(uses []fieldUse, inWhere func(string) bool) string {
	if len(uses) == 0 {
		return ""
	}
	var common map[rowKind]bool
	var names []string
	for _, u := range uses {
		names = append(names, u.field.Name)
		kinds := p.pl.rowKinds(u.field.Form)
		if common == nil {
			common = kinds
			continue
		}
		for k := range common {
			if !kinds[k] {
				delete(common, k)
			}
		}
	}
	var lost []string
	for _, form := range p.pl.cat.Dictionary().Forms() {
		found := false
		for k := range p.pl.rowKinds(form) {
			found = found || common[k]
		}
		if !found {
			lost = append(lost, form)
		}
	}
	if len(lost) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "warning: the where clause keeps only rows that hold %s, so the fields of forms %s are summarized over no rows\n",
		strings.Join(names, ", "), strings.Join(lost, ", "))
	if fix := p.pinnedWhere(nil, inWhere); fix != "" {
		fmt.Fprintf(&b, "hint: to keep every row of the records that match, pin the event: where %s\n", fix)
	}
	return b.String()
}
