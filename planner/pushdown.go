package planner

import (
	"github.com/redcapql/rq/planner/fetch"
	"slices"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// pushdownInto classifies the conjuncts and fills p.Export, p.Empty and p.residual.
func (pl *Planner) pushdownInto(p *Plan) {
	a := p.a
	conj := conjuncts(p.Stmt.Where)
	pinned := len(a.pinEvents) > 0
	var records, events []string
	haveRecords, haveEvents := false, false
	var rowLogic, recLogic []string
	var pushedForms []string
	for _, e := range conj {
		c := Conjunct{Source: e.String(), Class: Local, Pos: e.Pos(), expr: e}
		if why, never := a.neverTrue(e); never && pl.pushdown && !p.Empty {
			p.Empty, p.EmptyReason = true, why
		}
		if pl.pushdown {
			if ids, ok := a.recordSet(e); ok {
				c.Class, c.Pushed = Exact, "records="+strings.Join(ids, ",")
				records = intersect(records, ids, haveRecords)
				haveRecords = true
			} else if evs, what, ok := a.eventSet(e); ok {
				c.Class, c.Pushed = Exact, "events="+strings.Join(evs, ",")
				if what != "" {
					c.Pushed = what + " → " + c.Pushed
				}
				if pinned {
					c.Class = Inexact // the pinned events' rows are fetched too
				}
				events = intersect(events, evs, haveEvents)
				haveEvents = true
			} else if forms, ok := a.forms[queryOf(e)]; ok && isScopeIn(queryOf(e)) {
				c.Class, c.Pushed = Inexact, "forms="+strings.Join(forms, ",")
				for _, f := range forms {
					if !slices.Contains(pushedForms, f) {
						pushedForms = append(pushedForms, f)
					}
				}
				if evs, ok := pl.designated(forms); ok {
					// A form holds data only on the events it is designated on.
					c.Pushed += ", events=" + strings.Join(evs, ",")
					events = intersect(events, evs, haveEvents)
					haveEvents = true
				}
			} else if logic, ok := a.logic(e); ok {
				hasPin, hasUnpinned := a.pinScan(e)
				sent := len(strings.Join(rowLogic, " and ")) + len(strings.Join(recLogic, " and "))
				if why, big := fetch.FilterTooLarge(logic, sent); big {
					c.Pushed = why // Local: the residual evaluates it
				} else {
					switch {
					case !pinned:
						// Every translated leaf is false on a null field, so every row
						// kept holds a value of a field the logic names: REDCap
						// evaluates that row, whatever the repeating setup.
						rowLogic = append(rowLogic, logic)
						c.Class, c.Pushed = Inexact, logic
					case hasPin && !hasUnpinned && !pl.cat.Repeats():
						// Record-constant: every row of a record passes or fails together.
						rowLogic = append(rowLogic, logic)
						c.Class, c.Pushed = Inexact, logic
					default:
						recLogic = append(recLogic, logic)
						c.Class, c.Pushed = Inexact, "record filter: "+logic
					}
				}
			}
		}
		p.Conjuncts = append(p.Conjuncts, c)
		if c.Class != Exact {
			p.residual = append(p.residual, e)
		}
	}
	if !pl.pushdown {
		p.Export = client.ExportRecordsParams{ExportDataAccessGroups: a.usesDAG, ExportBlankForGrayFormStatus: true}
		return
	}
	if why, never := a.contradiction(conj); never && !p.Empty {
		p.Empty, p.EmptyReason = true, why
	}
	switch {
	case p.Empty:
	case haveRecords && len(records) == 0:
		p.Empty, p.EmptyReason = true, "the pushed record set is empty"
	case haveEvents && len(events) == 0:
		p.Empty, p.EmptyReason = true, "the pushed event set is empty"
	}
	if haveEvents && pinned {
		for _, e := range a.pinEvents {
			if !slices.Contains(events, e) {
				events = append(events, e)
			}
		}
		events = pl.eventOrder(events)
	}
	// Gray (never started) forms export a blank status, not 0: their status
	// is null, and form scoping can tell them from started ones.
	ex := client.ExportRecordsParams{ExportDataAccessGroups: a.usesDAG, ExportBlankForGrayFormStatus: true}
	if haveRecords {
		ex.Records = records
	}
	if haveEvents {
		ex.Events = events
	}
	ex.FilterLogic = strings.Join(rowLogic, " and ")
	p.RecordFilter = strings.Join(recLogic, " and ")
	pl.exportColumns(p, &ex, pushedForms)
	p.Export = ex
}

// exportColumns fills Fields and Forms: the record id, the fields the query
// reads, the forms it scopes to and, when the condition does not guarantee
// that every kept row holds a value among those, every form's status field
// so that no row of the record disappears from the export.
func (pl *Planner) exportColumns(p *Plan, ex *client.ExportRecordsParams, pushedForms []string) {
	a := p.a
	if p.prog.star && len(pushedForms) == 0 {
		return // select * over the whole project: export everything
	}
	forms := slices.Clone(a.scoped)
	for _, f := range pushedForms {
		if !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	need := map[string]bool{pl.cat.RecordID(): true}
	if !a.certifies(p.Stmt.Where) {
		// Keep every row of the project in the export: REDCap shows a row only
		// when it stores a value among the requested fields. The record id
		// covers non-repeating rows (it is stored on every event with data;
		// status fields are added for good measure); a repeating instance
		// shows only through a value of its own form, so those forms go whole.
		// Only forms designated on a requested event can hold a row there.
		for _, form := range pl.cat.Dictionary().Forms() {
			switch {
			case slices.Contains(forms, form):
			case !pl.onEvents(form, ex.Events):
			case pl.cat.RepeatingForm(form):
				forms = append(forms, form)
			default:
				need[form+"_complete"] = true
			}
		}
	}
	for _, c := range a.slots {
		if (c.kind == ckField || c.kind == ckCheckbox) && !slices.Contains(forms, c.field.Form) {
			need[c.field.Name] = true
		}
	}
	for _, f := range pl.cat.Dictionary().Fields() {
		if need[f.Name] {
			ex.Fields = append(ex.Fields, f.Name)
		}
	}
	ex.Forms = pl.formOrder(forms)
}

// onEvents reports whether form is designated on one of events (always
// true when events are not restricted or the project has no form–event
// mapping to tell).
func (pl *Planner) onEvents(form string, events []string) bool {
	if len(events) == 0 || !pl.cat.Longitudinal() || len(pl.cat.FEM()) == 0 {
		return true
	}
	for _, m := range pl.cat.FEM() {
		if m.Form == form && slices.Contains(events, m.Event) {
			return true
		}
	}
	return false
}

// designated returns the events any of forms is designated on, in event
// order; ok is false when the project has no form–event mapping to tell.
func (pl *Planner) designated(forms []string) ([]string, bool) {
	if !pl.cat.Longitudinal() || len(pl.cat.FEM()) == 0 {
		return nil, false
	}
	var evs []string
	for _, m := range pl.cat.FEM() {
		if slices.Contains(forms, m.Form) && !slices.Contains(evs, m.Event) {
			evs = append(evs, m.Event)
		}
	}
	return pl.eventOrder(evs), true
}

func (pl *Planner) formOrder(forms []string) []string {
	var out []string
	for _, f := range pl.cat.Dictionary().Forms() {
		if slices.Contains(forms, f) {
			out = append(out, f)
		}
	}
	return out
}

func (pl *Planner) eventOrder(evs []string) []string {
	var out []string
	for _, e := range pl.cat.Events() {
		if slices.Contains(evs, e.Name) {
			out = append(out, e.Name)
		}
	}
	return out
}

// intersect returns set ∩ with (keeping set's order), or with itself when set is unset.
func intersect(set, with []string, have bool) []string {
	if !have {
		return uniq(with)
	}
	var out []string
	for _, s := range set {
		if slices.Contains(with, s) {
			out = append(out, s)
		}
	}
	return out
}

func uniq(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func queryOf(e lang.Expr) *lang.Query {
	q, _ := e.(*lang.Query)
	return q
}

// isScopeIn reports whether a form condition is = or in (a scope, not an exclusion).
func isScopeIn(q *lang.Query) bool {
	return q != nil && (q.Op == lang.Eq || q.Op == lang.In)
}

// litTexts returns the literal texts of a list of operands (ok false on a non-literal or null).
func (a *analysis) litTexts(xs []lang.Expr) ([]string, bool) {
	var out []string
	for _, x := range xs {
		l, ok := x.(*lang.Literal)
		if !ok || l.Kind == lang.Null {
			return nil, false
		}
		v := a.lits[l]
		if v.Kind == client.KindText {
			out = append(out, v.Str)
		} else {
			out = append(out, l.Text)
		}
	}
	return out, true
}

// pseudoQuery returns a leaf condition on an unpinned keyword column of kind k.
func (a *analysis) pseudoQuery(e lang.Expr, k colKind) *lang.Query {
	q, ok := e.(*lang.Query)
	if !ok {
		return nil
	}
	r, ok := q.Left.(*lang.Ref)
	if !ok || r.Event != "" {
		return nil
	}
	c := a.cols[r]
	if c == nil || c.kind != k {
		return nil
	}
	return q
}

// recordSet recognises record = 'x' and record in (...).
func (a *analysis) recordSet(e lang.Expr) ([]string, bool) {
	q := a.pseudoQuery(e, ckRecord)
	if q == nil || (q.Op != lang.Eq && q.Op != lang.In) {
		return nil, false
	}
	ids, ok := a.litTexts(q.Right)
	return uniq(ids), ok
}

// eventSet recognises event = / in and arm = / in, as a set of events.
func (a *analysis) eventSet(e lang.Expr) ([]string, string, bool) {
	if q := a.pseudoQuery(e, ckEvent); q != nil && (q.Op == lang.Eq || q.Op == lang.In) {
		evs, ok := a.litTexts(q.Right)
		return a.pl.eventOrder(evs), "", ok
	}
	q := a.pseudoQuery(e, ckArm)
	if q == nil || (q.Op != lang.Eq && q.Op != lang.In) {
		return nil, "", false
	}
	arms, ok := a.litTexts(q.Right)
	if !ok {
		return nil, "", false
	}
	evs := []string{}
	for _, ev := range a.pl.cat.Events() {
		if slices.Contains(arms, strconv.Itoa(ev.Arm)) {
			evs = append(evs, ev.Name)
		}
	}
	return evs, "arm " + strings.Join(arms, ","), true
}

// pinScan reports whether a condition has event-pinned and unpinned field references.
func (a *analysis) pinScan(e lang.Expr) (pinned, unpinned bool) {
	walk(e, func(x lang.Expr) {
		if r, ok := x.(*lang.Ref); ok {
			if r.Event != "" {
				pinned = true
			} else if c := a.cols[r]; c != nil && c.kind != ckForm {
				unpinned = true
			}
		}
	})
	return
}

// walk calls fn on e and every expression below it.
func walk(e lang.Expr, fn func(lang.Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch e := e.(type) {
	case *lang.Query:
		walk(e.Left, fn)
		for _, x := range e.Right {
			walk(x, fn)
		}
	case *lang.QueryGroup:
		for _, x := range e.Items {
			walk(x, fn)
		}
	case *lang.Call:
		for _, x := range e.Args {
			walk(x, fn)
		}
	case *lang.Binary:
		walk(e.Left, fn)
		walk(e.Right, fn)
	case *lang.Unary:
		walk(e.X, fn)
	case *lang.Case:
		for _, w := range e.Whens {
			walk(w.Cond, fn)
			walk(w.Then, fn)
		}
		walk(e.Else, fn)
	}
}

// certifies reports whether a condition can only be true on a row holding a
// value of a requested field (an unpinned field it reads, or a form it scopes to),
// so that such a row is in the export whatever else is left out of fields.
func (a *analysis) certifies(e lang.Expr) bool {
	switch e := e.(type) {
	case nil:
		return false
	case *lang.QueryGroup:
		switch e.Op {
		case lang.And:
			return slices.ContainsFunc(e.Items, a.certifies)
		case lang.Or:
			for _, it := range e.Items {
				if !a.certifies(it) {
					return false
				}
			}
			return true
		case lang.Not:
			if n, ok := negate(e.Items[0]); ok {
				return a.certifies(n)
			}
		}
		return false
	case *lang.Query:
		if _, ok := a.forms[e]; ok {
			return isScopeIn(e)
		}
		if e.Op == lang.IsNull {
			return false
		}
		for _, x := range append([]lang.Expr{e.Left}, e.Right...) {
			if a.nullRejecting(x) {
				return true
			}
		}
		return false
	case *lang.Call:
		return e.Name != "missing" && slices.ContainsFunc(e.Args, a.nullRejecting)
	}
	return false
}

// nullRejecting reports whether a value expression is null whenever some
// unpinned project field it reads is null (and it reads at least one).
func (a *analysis) nullRejecting(e lang.Expr) bool {
	switch e := e.(type) {
	case *lang.Ref:
		c := a.cols[e]
		return e.Event == "" && c != nil && (c.kind == ckField || c.kind == ckCheckbox)
	case *lang.Call:
		switch e.Name {
		case "coalesce", "missing", "label":
			return false
		}
		return slices.ContainsFunc(e.Args, a.nullRejecting)
	case *lang.Binary:
		return a.nullRejecting(e.Left) || a.nullRejecting(e.Right)
	case *lang.Unary:
		return a.nullRejecting(e.X)
	}
	return false
}

// negate returns the condition true exactly when e is false (three-valued: an
// unknown stays unknown), or false when it cannot be written without not.
func negate(e lang.Expr) (lang.Expr, bool) {
	switch e := e.(type) {
	case *lang.Query:
		op, ok := e.Op.Negated()
		if !ok {
			return nil, false
		}
		n := *e
		n.Op = op
		return &n, true
	case *lang.QueryGroup:
		switch e.Op {
		case lang.Not:
			return e.Items[0], true
		case lang.And, lang.Or:
			g := &lang.QueryGroup{Position: e.Position, Op: lang.Or}
			if e.Op == lang.Or {
				g.Op = lang.And
			}
			for _, it := range e.Items {
				n, ok := negate(it)
				if !ok {
					return nil, false
				}
				g.Items = append(g.Items, n)
			}
			return g, true
		}
	}
	return nil, false
}
