package planner

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// analysis is what checking a statement against the dictionary learns:
// resolved columns, literal values converted by context, types, the row
// slots the query needs and the compiled patterns.
type analysis struct {
	pl *Planner

	cols   map[*lang.Ref]*column
	pinned map[*lang.Ref]string // event of an event-pinned reference
	lits   map[*lang.Literal]client.Value
	kinds  map[lang.Expr]client.Kind
	labels map[*lang.Call]*client.Field
	regex  map[*lang.Query]*regexp.Regexp
	likes  map[*lang.Query]*likePattern
	forms  map[*lang.Query][]string // form scoping conditions: their forms

	slots     []*column
	slotOf    map[string]int
	pinEvents []string
	scoped    []string // forms used in scoping conditions, in first-use order
	usesDAG   bool
	aggOK     bool // checking an output expression of an aggregate query, outside any aggregate
	today     time.Time
	table     []catalog.Column // non-nil for sources other than records
	params    paramLits        // literals that were parameters (converted by context)
}

func newAnalysis(pl *Planner, now time.Time) *analysis {
	return &analysis{pl: pl,
		cols: map[*lang.Ref]*column{}, pinned: map[*lang.Ref]string{},
		lits: map[*lang.Literal]client.Value{}, kinds: map[lang.Expr]client.Kind{},
		labels: map[*lang.Call]*client.Field{}, regex: map[*lang.Query]*regexp.Regexp{},
		likes: map[*lang.Query]*likePattern{}, forms: map[*lang.Query][]string{},
		slotOf: map[string]int{}, today: now}
}

// slotFor gives a column its place in the typed row (one per distinct column).
func (a *analysis) slotFor(c *column) *column {
	if i, ok := a.slotOf[c.key()]; ok {
		c.slot = i
		return c
	}
	c.slot = len(a.slots)
	a.slotOf[c.key()] = c.slot
	a.slots = append(a.slots, c)
	return c
}

// fieldColumn returns the slot column of a dictionary field (record id included).
func (a *analysis) fieldColumn(f *client.Field) *column {
	if f.Name == a.pl.cat.RecordID() {
		return a.slotFor(&column{kind: ckRecord, name: f.Name})
	}
	return a.slotFor(&column{kind: ckField, field: f, name: f.Name})
}

// pseudoColumn returns the slot column of a keyword column.
func (a *analysis) pseudoColumn(k colKind) *column {
	name := pseudoNames[k]
	if k == ckRecord {
		name = a.pl.cat.RecordID()
	}
	if k == ckDAG {
		a.usesDAG = true
	}
	return a.slotFor(&column{kind: k, name: name})
}

// nameCandidates lists every name a reference may use, for suggestions.
func (a *analysis) nameCandidates() []string {
	var out []string
	for _, f := range a.pl.cat.Dictionary().Fields() {
		if f.FieldType == "descriptive" {
			continue
		}
		out = append(out, f.Name)
		if f.Kind == client.KindCodeSet {
			out = append(out, f.Columns()...)
		}
	}
	for n := range pseudoColumns {
		out = append(out, n)
	}
	return out
}

// resolve checks a reference and returns its column.
func (a *analysis) resolve(r *lang.Ref) (*column, error) {
	if c, ok := a.cols[r]; ok {
		return c, nil
	}
	c, err := a.resolveNew(r)
	if err != nil {
		return nil, err
	}
	a.cols[r] = c
	return c, nil
}

func (a *analysis) resolveNew(r *lang.Ref) (*column, error) {
	if a.table != nil {
		return a.resolveTable(r)
	}
	if r.Event != "" {
		return a.resolvePinned(r)
	}
	if !r.Bracketed {
		// Pseudo-columns are keywords, case-insensitive like every keyword;
		// project fields are lower-case in REDCap.
		if k, ok := pseudoColumns[strings.ToLower(r.Name)]; ok {
			switch {
			case k == ckForm:
				return &column{kind: ckForm, name: "form", slot: -1}, nil
			case (k == ckEvent || k == ckArm) && !a.pl.cat.Longitudinal():
				return nil, errAt(r.Pos(), "", "%s: the project is not longitudinal (it has no events or arms)", strings.ToLower(r.Name))
			}
			return a.pseudoColumn(k), nil
		}
	}
	if f, ok := a.pl.cat.Dictionary().Field(r.Name); ok {
		if f.FieldType == "descriptive" {
			return nil, errAt(r.Pos(), "", "field '%s' is descriptive and has no value", r.Name)
		}
		return a.fieldColumn(f), nil
	}
	if f, code, ok := a.pl.cat.Dictionary().ExportColumn(r.Name); ok && code != "" {
		return a.slotFor(&column{kind: ckCheckbox, field: f, code: code, name: r.Name}), nil
	}
	if low := strings.ToLower(r.Name); low != r.Name {
		// REDCap's field names are lower case, and REDCap matches them in any
		// case: so does rq, as it does keywords (AGE is age).
		n := *r
		n.Name = low
		if c, err := a.resolveNew(&n); err == nil {
			return c, nil
		}
	}
	return nil, a.unknownName(r.Pos(), r.Name)
}

func (a *analysis) unknownName(pos lang.Pos, name string) error {
	msg := fmt.Sprintf("no field '%s'", name)
	if a.pl.cat.IsForm(name) {
		return errAt(pos, "", "%s; '%s' is a form: use form = '%s'", msg, name, name)
	}
	if _, ok := a.pl.cat.Event(name); ok {
		return errAt(pos, "", "%s; '%s' is an event: use event = '%s' or [%s][field]", msg, name, name, name)
	}
	if s := nearest(name, a.nameCandidates()); s != "" {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, s)
	}
	return errAt(pos, "", "%s", msg)
}

func (a *analysis) resolvePinned(r *lang.Ref) (*column, error) {
	if !a.pl.cat.Longitudinal() {
		return nil, errAt(r.Pos(), "", "[%s][%s]: the project is not longitudinal, so references cannot name an event", r.Event, r.Name)
	}
	if _, ok := a.pl.cat.Event(r.Event); !ok {
		return nil, a.unknownEvent(r.Pos(), r.Event)
	}
	f, ok := a.pl.cat.Dictionary().Field(r.Name)
	if !ok || f.FieldType == "descriptive" {
		if _, code, ok := a.pl.cat.Dictionary().ExportColumn(r.Name); ok && code != "" {
			return nil, errAt(r.Pos(), "", "[%s][%s]: pin the checkbox field itself and use has", r.Event, r.Name)
		}
		return nil, a.unknownName(r.Pos(), r.Name)
	}
	if a.pl.cat.RepeatingForm(f.Form) {
		return nil, errAt(r.Pos(), "", "[%s][%s]: '%s' is on repeating instrument '%s', which has no single value per event", r.Event, r.Name, r.Name, f.Form)
	}
	if a.pl.cat.RepeatingEvent(r.Event) {
		return nil, errAt(r.Pos(), "", "[%s][%s]: event '%s' repeats, so it has no single value per record", r.Event, r.Name, r.Event)
	}
	if evs := a.pl.cat.FormEvents(f.Form); len(a.pl.cat.FEM()) > 0 && !slices.Contains(evs, r.Event) {
		return nil, errAt(r.Pos(), "", "[%s][%s]: form '%s' of field '%s' is not designated on event '%s' (it is on %s)",
			r.Event, r.Name, f.Form, r.Name, r.Event, strings.Join(evs, ", "))
	}
	c := a.fieldColumn(f)
	a.pinned[r] = r.Event
	if !slices.Contains(a.pinEvents, r.Event) {
		a.pinEvents = append(a.pinEvents, r.Event)
	}
	return c, nil
}

func (a *analysis) eventNames() []string {
	var out []string
	for _, e := range a.pl.cat.Events() {
		out = append(out, e.Name)
	}
	return out
}

func (a *analysis) unknownEvent(pos lang.Pos, name string) error {
	msg := fmt.Sprintf("no event '%s'", name)
	if a.pl.cat.IsForm(name) {
		return errAt(pos, "", "%s; did you mean form = '%s'?", msg, name)
	}
	if s := nearest(name, a.eventNames()); s != "" {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, s)
	}
	return errAt(pos, "", "%s (events: %s)", msg, strings.Join(a.eventNames(), ", "))
}

func (a *analysis) unknownForm(pos lang.Pos, name string) error {
	msg := fmt.Sprintf("no form '%s'", name)
	if _, ok := a.pl.cat.Event(name); ok {
		return errAt(pos, "", "%s; did you mean event = '%s'?", msg, name)
	}
	for _, e := range a.pl.cat.Events() {
		if strings.HasPrefix(e.Name, name+"_arm_") {
			return errAt(pos, "", "%s; did you mean event = '%s'?", msg, e.Name)
		}
	}
	if f, ok := a.pl.cat.Dictionary().Field(name); ok {
		return errAt(pos, "", "%s; '%s' is a field of form '%s'", msg, name, f.Form)
	}
	if i := strings.LastIndex(name, "_arm_"); i > 0 && a.pl.cat.IsForm(name[:i]) {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, name[:i])
	}
	if s := nearest(name, a.pl.cat.Dictionary().Forms()); s != "" {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, s)
	}
	return errAt(pos, "", "%s (forms: %s)", msg, strings.Join(a.pl.cat.Dictionary().Forms(), ", "))
}
