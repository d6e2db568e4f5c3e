package planner

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
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
	today     time.Time
	table     []SourceColumn // non-nil for sources other than records
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
	if f.Name == a.pl.recordIDName {
		return a.slotFor(&column{kind: ckRecord, name: f.Name})
	}
	return a.slotFor(&column{kind: ckField, field: f, name: f.Name})
}

// pseudoColumn returns the slot column of a keyword column.
func (a *analysis) pseudoColumn(k colKind) *column {
	name := pseudoNames[k]
	if k == ckRecord {
		name = a.pl.recordIDName
	}
	if k == ckDAG {
		a.usesDAG = true
	}
	return a.slotFor(&column{kind: k, name: name})
}

// nameCandidates lists every name a reference may use, for suggestions.
func (a *analysis) nameCandidates() []string {
	var out []string
	for _, f := range a.pl.dict.Fields() {
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
		if k, ok := pseudoColumns[r.Name]; ok {
			switch {
			case k == ckForm:
				return &column{kind: ckForm, name: "form", slot: -1}, nil
			case (k == ckEvent || k == ckArm) && !a.pl.proj.Longitudinal:
				return nil, errAt(r.Pos(), "", "%s: the project is not longitudinal (it has no events or arms)", r.Name)
			}
			return a.pseudoColumn(k), nil
		}
	}
	if f, ok := a.pl.dict.Field(r.Name); ok {
		if f.FieldType == "descriptive" {
			return nil, errAt(r.Pos(), "", "field '%s' is descriptive and has no value", r.Name)
		}
		return a.fieldColumn(f), nil
	}
	if f, code, ok := a.pl.dict.ExportColumn(r.Name); ok && code != "" {
		return a.slotFor(&column{kind: ckCheckbox, field: f, code: code, name: r.Name}), nil
	}
	return nil, a.unknownName(r.Pos(), r.Name)
}

func (a *analysis) unknownName(pos lang.Pos, name string) error {
	msg := fmt.Sprintf("no field '%s'", name)
	if a.pl.forms[name] {
		return errAt(pos, "", "%s; '%s' is a form: use form = '%s'", msg, name, name)
	}
	if _, ok := a.pl.events[name]; ok {
		return errAt(pos, "", "%s; '%s' is an event: use event = '%s' or [%s][field]", msg, name, name, name)
	}
	if s := nearest(name, a.nameCandidates()); s != "" {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, s)
	}
	return errAt(pos, "", "%s", msg)
}

func (a *analysis) resolvePinned(r *lang.Ref) (*column, error) {
	if !a.pl.proj.Longitudinal {
		return nil, errAt(r.Pos(), "", "[%s][%s]: the project is not longitudinal, so references cannot name an event", r.Event, r.Name)
	}
	if _, ok := a.pl.events[r.Event]; !ok {
		return nil, a.unknownEvent(r.Pos(), r.Event)
	}
	f, ok := a.pl.dict.Field(r.Name)
	if !ok || f.FieldType == "descriptive" {
		if _, code, ok := a.pl.dict.ExportColumn(r.Name); ok && code != "" {
			return nil, errAt(r.Pos(), "", "[%s][%s]: pin the checkbox field itself and use has", r.Event, r.Name)
		}
		return nil, a.unknownName(r.Pos(), r.Name)
	}
	if a.pl.repeatForm[f.Form] {
		return nil, errAt(r.Pos(), "", "[%s][%s]: '%s' is on repeating instrument '%s', which has no single value per event", r.Event, r.Name, r.Name, f.Form)
	}
	if a.pl.repeatEvent[r.Event] {
		return nil, errAt(r.Pos(), "", "[%s][%s]: event '%s' repeats, so it has no single value per record", r.Event, r.Name, r.Event)
	}
	if evs := a.pl.formEvents(f.Form); len(a.pl.proj.FEM) > 0 && !slices.Contains(evs, r.Event) {
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
	for _, e := range a.pl.proj.Events {
		out = append(out, e.Name)
	}
	return out
}

func (a *analysis) unknownEvent(pos lang.Pos, name string) error {
	msg := fmt.Sprintf("no event '%s'", name)
	if a.pl.forms[name] {
		return errAt(pos, "", "%s; did you mean form = '%s'?", msg, name)
	}
	if s := nearest(name, a.eventNames()); s != "" {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, s)
	}
	return errAt(pos, "", "%s (events: %s)", msg, strings.Join(a.eventNames(), ", "))
}

func (a *analysis) unknownForm(pos lang.Pos, name string) error {
	msg := fmt.Sprintf("no form '%s'", name)
	if _, ok := a.pl.events[name]; ok {
		return errAt(pos, "", "%s; did you mean event = '%s'?", msg, name)
	}
	for _, e := range a.pl.proj.Events {
		if strings.HasPrefix(e.Name, name+"_arm_") {
			return errAt(pos, "", "%s; did you mean event = '%s'?", msg, e.Name)
		}
	}
	if f, ok := a.pl.dict.Field(name); ok {
		return errAt(pos, "", "%s; '%s' is a field of form '%s'", msg, name, f.Form)
	}
	if i := strings.LastIndex(name, "_arm_"); i > 0 && a.pl.forms[name[:i]] {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, name[:i])
	}
	if s := nearest(name, a.pl.dict.Forms()); s != "" {
		return errAt(pos, "", "%s; did you mean '%s'?", msg, s)
	}
	return errAt(pos, "", "%s (forms: %s)", msg, strings.Join(a.pl.dict.Forms(), ", "))
}

// ---- values ----

func literalKind(l *lang.Literal) client.Kind {
	switch l.Kind {
	case lang.String:
		return client.KindText
	case lang.Number:
		return client.KindNumber
	case lang.Bool:
		return kindBool
	case lang.Date:
		return client.KindDate
	case lang.Datetime:
		return client.KindDatetime
	}
	return client.KindNull
}

// plainLiteral converts a literal by its own kind.
func (a *analysis) plainLiteral(l *lang.Literal) (client.Value, error) {
	switch l.Kind {
	case lang.String:
		return client.Value{Kind: client.KindText, Str: l.Text}, nil
	case lang.Number:
		return client.Value{Kind: client.KindNumber, Num: l.Num}, nil
	case lang.Bool:
		return boolValue(l.Bool), nil
	case lang.Date:
		t, err := time.Parse("2006-01-02", l.Text)
		if err != nil {
			return client.Value{}, errAt(l.Pos(), "", "date '%s' is not a date (YYYY-MM-DD)", l.Text)
		}
		return client.Value{Kind: client.KindDate, Time: t}, nil
	case lang.Datetime:
		t, ok := parseDatetime(l.Text)
		if !ok {
			return client.Value{}, errAt(l.Pos(), "", "datetime '%s' is not a datetime (YYYY-MM-DD HH:MM[:SS])", l.Text)
		}
		return client.Value{Kind: client.KindDatetime, Time: t}, nil
	}
	return client.Value{}, nil
}

func parseDatetime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseClock(s string) (time.Time, bool) {
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(0, 1, 1, t.Hour(), t.Minute(), t.Second(), 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

// value checks a value expression and returns its type.
func (a *analysis) value(e lang.Expr) (client.Kind, error) {
	k, err := a.valueNew(e)
	if err != nil {
		return 0, err
	}
	a.kinds[e] = k
	return k, nil
}

func (a *analysis) valueNew(e lang.Expr) (client.Kind, error) {
	switch e := e.(type) {
	case *lang.Ref:
		c, err := a.resolve(e)
		if err != nil {
			return 0, err
		}
		if c.kind == ckForm {
			return 0, errAt(e.Pos(), "", "form is not a column: use it in a condition, form = 'name'")
		}
		return c.valueKind(), nil
	case *lang.Literal:
		v, err := a.plainLiteral(e)
		if err != nil {
			return 0, err
		}
		a.lits[e] = v
		return literalKind(e), nil
	case *lang.Param:
		return 0, errAt(e.Pos(), "", "missing parameter $%s", e.Name)
	case *lang.Call:
		return a.call(e)
	case *lang.Binary:
		for _, x := range []lang.Expr{e.Left, e.Right} {
			if err := a.numberOperand(x, e.Op.String()); err != nil {
				return 0, err
			}
		}
		return client.KindNumber, nil
	case *lang.Unary:
		if err := a.numberOperand(e.X, "-"); err != nil {
			return 0, err
		}
		return client.KindNumber, nil
	case *lang.Query, *lang.QueryGroup:
		if err := a.cond(e); err != nil {
			return 0, err
		}
		return kindBool, nil
	}
	return 0, errAt(e.Pos(), "", "unsupported expression %s", e)
}

// numberOperand checks an arithmetic operand; a text literal must be a number.
func (a *analysis) numberOperand(x lang.Expr, op string) error {
	if l, ok := x.(*lang.Literal); ok && l.Kind == lang.String {
		v, err := a.convert(l, client.KindNumber, nil)
		if err != nil {
			return err
		}
		a.lits[l] = v
		a.kinds[l] = client.KindNumber
		return nil
	}
	k, err := a.value(x)
	if err != nil {
		return err
	}
	switch k {
	case client.KindNumber, client.KindNull, client.KindText:
		return nil
	}
	return errAt(x.Pos(), "", "%s needs numbers, not %s (%s)", op, kindName(k), x)
}

// convert turns a literal into a value of kind k (for field f, when known):
// text literals are parsed for number, date and time columns.
func (a *analysis) convert(l *lang.Literal, k client.Kind, f *client.Field) (client.Value, error) {
	what := ""
	if f != nil {
		what = fmt.Sprintf(" (%s is a %s field)", f.Name, kindName(k))
	}
	if l.Kind == lang.Null {
		return client.Value{}, nil
	}
	switch k {
	case client.KindNumber, kindBool:
		switch l.Kind {
		case lang.Number:
			return client.Value{Kind: client.KindNumber, Num: l.Num}, nil
		case lang.Bool:
			return boolValue(l.Bool), nil
		case lang.String:
			n, err := strconv.ParseFloat(strings.TrimSpace(l.Text), 64)
			if err != nil || strings.TrimSpace(l.Text) == "" {
				return client.Value{}, errAt(l.Pos(), "", "'%s' is not a number%s", l.Text, what)
			}
			return client.Value{Kind: client.KindNumber, Num: n}, nil
		}
	case client.KindText:
		switch l.Kind {
		case lang.String:
			return client.Value{Kind: client.KindText, Str: l.Text}, nil
		case lang.Number:
			return client.Value{Kind: client.KindNumber, Num: l.Num}, nil
		}
	case client.KindDate, client.KindDatetime:
		switch l.Kind {
		case lang.Date, lang.Datetime:
			v, err := a.plainLiteral(l)
			if err == nil && k == client.KindDatetime {
				v.Kind = client.KindDatetime
			}
			return v, err
		case lang.String:
			if t, err := time.Parse("2006-01-02", l.Text); err == nil {
				return client.Value{Kind: k, Time: t}, nil
			}
			if t, ok := parseDatetime(l.Text); ok {
				return client.Value{Kind: client.KindDatetime, Time: t}, nil
			}
			layout := "YYYY-MM-DD"
			if k == client.KindDatetime {
				layout = "YYYY-MM-DD HH:MM[:SS]"
			}
			return client.Value{}, errAt(l.Pos(), "", "'%s' is not a %s (%s)%s", l.Text, kindName(k), layout, what)
		}
	case client.KindTime:
		if l.Kind == lang.String {
			if f != nil && f.Validation == "time_mm_ss" {
				if t, err := time.Parse("04:05", l.Text); err == nil {
					return client.Value{Kind: client.KindTime, Time: time.Date(0, 1, 1, 0, t.Minute(), t.Second(), 0, time.UTC)}, nil
				}
			} else if t, ok := parseClock(l.Text); ok {
				return client.Value{Kind: client.KindTime, Time: t}, nil
			}
			return client.Value{}, errAt(l.Pos(), "", "'%s' is not a time%s", l.Text, what)
		}
	case client.KindNull:
		return a.plainLiteral(l)
	}
	return client.Value{}, errAt(l.Pos(), "", "cannot compare %s %s with %s%s", literalKind(l), l, kindName(k), what)
}

func boolValue(b bool) client.Value {
	if b {
		return client.Value{Kind: client.KindNumber, Num: 1}
	}
	return client.Value{Kind: client.KindNumber, Num: 0}
}

// comparable reports whether values of kinds x and y can be compared.
func comparable(x, y client.Kind) bool {
	norm := func(k client.Kind) client.Kind {
		switch k {
		case kindBool:
			return client.KindNumber
		case client.KindDatetime:
			return client.KindDate
		}
		return k
	}
	x, y = norm(x), norm(y)
	switch {
	case x == client.KindNull || y == client.KindNull, x == y:
		return x != client.KindCodeSet && y != client.KindCodeSet
	case x == client.KindText && y == client.KindNumber, x == client.KindNumber && y == client.KindText:
		return true
	}
	return false
}

// ---- conditions ----

// cond checks a condition.
func (a *analysis) cond(e lang.Expr) error {
	switch e := e.(type) {
	case *lang.QueryGroup:
		if e.Op == lang.Not && len(e.Items) != 1 {
			return errAt(e.Pos(), "", "not takes one condition")
		}
		for _, it := range e.Items {
			if err := a.cond(it); err != nil {
				return err
			}
		}
		a.kinds[e] = kindBool
		return nil
	case *lang.Query:
		if err := a.query(e); err != nil {
			return err
		}
		a.kinds[e] = kindBool
		return nil
	case *lang.Literal:
		if e.Kind == lang.Bool || e.Kind == lang.Null {
			_, err := a.value(e)
			return err
		}
	case *lang.Call:
		k, err := a.value(e)
		if err != nil {
			return err
		}
		if k == kindBool {
			return nil
		}
		return errAt(e.Pos(), "", "%s is a %s, not a condition", e, kindName(k))
	case *lang.Ref:
		k, err := a.value(e)
		if err != nil {
			return err
		}
		if k == client.KindNumber {
			return errAt(e.Pos(), "", "%s is a number, not a condition; did you mean %s = 1?", e, e)
		}
		return errAt(e.Pos(), "", "%s is a %s, not a condition", e, kindName(k))
	}
	return errAt(e.Pos(), "", "%s is not a condition", e)
}

// operand checks one side of a comparison against the anchor kind k (field f):
// literals are converted, other expressions must be comparable.
func (a *analysis) operand(x lang.Expr, k client.Kind, f *client.Field, op lang.CompareOp) error {
	if l, ok := x.(*lang.Literal); ok {
		if l.Kind == lang.Null && (op != lang.In && op != lang.NotIn) {
			return errAt(l.Pos(), "", "a comparison with null is never true; use is null or is not null")
		}
		if l.Kind == lang.String && l.Text == "" && (op == lang.Eq || op == lang.Ne) {
			return errAt(l.Pos(), "", "a blank value is null, so = '' and <> '' are never true; use is null or is not null")
		}
		v, err := a.convert(l, k, f)
		if err != nil {
			if f != nil && len(f.Choices) > 0 && l.Kind == lang.String {
				// A label or a missing code where a number code was expected.
				if cerr := a.checkCode(l, client.Value{Kind: client.KindText, Str: l.Text}, f, lang.Eq); cerr != nil {
					return cerr
				}
			}
			return err
		}
		if f != nil && len(f.Choices) > 0 && f.Kind != client.KindCodeSet {
			if err := a.checkCode(l, v, f, op); err != nil {
				return err
			}
		}
		a.lits[l] = v
		a.kinds[l] = v.Kind
		return nil
	}
	xk, err := a.value(x)
	if err != nil {
		return err
	}
	if !comparable(k, xk) {
		return errAt(x.Pos(), "", "cannot compare %s with %s (%s)", kindName(k), kindName(xk), x)
	}
	return nil
}

// checkCode rejects a label or an unknown code compared with a choice field.
func (a *analysis) checkCode(l *lang.Literal, v client.Value, f *client.Field, op lang.CompareOp) error {
	code := l.Text
	if v.Kind == client.KindNumber && l.Kind != lang.String {
		code = strconv.FormatFloat(v.Num, 'f', -1, 64)
	}
	if l.Kind == lang.Bool || f.HasCode(code) {
		return nil
	}
	if v.Kind == client.KindNumber && l.Kind == lang.String {
		// '2' for a numeric code 2 (or 2.0): compare as numbers.
		for _, c := range f.Choices {
			if n, err := strconv.ParseFloat(c.Code, 64); err == nil && n == v.Num {
				return nil
			}
		}
	}
	for _, c := range f.Choices {
		if strings.EqualFold(c.Label, l.Text) {
			return errAt(l.Pos(), "", "'%s' is a label of %s, not a code: write label(%s) = '%s' or %s = %s",
				l.Text, f.Name, f.Name, c.Label, f.Name, codeLiteral(f, c.Code))
		}
	}
	for _, m := range a.pl.dict.MissingCodes() {
		if m.Code == l.Text && !f.NoMissing {
			return errAt(l.Pos(), "", "'%s' is a missing-data code, which reads as null: use missing(%s)", l.Text, f.Name)
		}
	}
	if op == lang.Eq || op == lang.Ne || op == lang.In || op == lang.NotIn {
		var codes []string
		for _, c := range f.Choices {
			codes = append(codes, c.Code+" "+c.Label)
		}
		return errAt(l.Pos(), "", "%s is not a code of %s (codes: %s)", l, f.Name, strings.Join(codes, ", "))
	}
	return nil
}

func codeLiteral(f *client.Field, code string) string {
	if f.NumericCodes {
		return code
	}
	return "'" + strings.ReplaceAll(code, "'", "''") + "'"
}

// query checks a leaf condition.
func (a *analysis) query(q *lang.Query) error {
	if r, ok := q.Left.(*lang.Ref); ok && r.Event == "" && !r.Bracketed && r.Name == "form" && a.table == nil {
		return a.formQuery(q) // form scoping (in other sources, form is a plain column)
	}
	switch q.Op {
	case lang.IsNull, lang.IsNotNull:
		_, err := a.value(q.Left)
		return err
	case lang.Has, lang.HasAny, lang.HasAll:
		return a.hasQuery(q)
	case lang.Like, lang.NotLike, lang.Match:
		return a.patternQuery(q)
	}
	// Comparisons, in, between: the anchor is the first non-literal operand.
	anchor := q.Left
	if _, ok := anchor.(*lang.Literal); ok {
		for _, x := range q.Right {
			if _, ok := x.(*lang.Literal); !ok {
				anchor = x
				break
			}
		}
	}
	k, err := a.value(anchor)
	if err != nil {
		return err
	}
	var f *client.Field
	var anchorCol *column
	if r, ok := anchor.(*lang.Ref); ok {
		anchorCol = a.cols[r]
		if anchorCol.kind == ckField {
			f = anchorCol.field
		}
		if anchor == q.Left {
			if err := a.pseudoLiterals(anchorCol, q); err != nil {
				return err
			}
		}
	}
	if k == client.KindCodeSet {
		if f == nil {
			return errAt(q.OpPos, "", "%s is a set of checkbox codes: test it with has, has any or has all", anchor)
		}
		var sample string
		if len(f.Choices) > 0 {
			sample = codeLiteral(&client.Field{}, f.Choices[0].Code)
		}
		return errAt(q.OpPos, "", "%s is a checkbox: use %s has %s (or has any / has all)", f.Name, f.Name, sample)
	}
	if (q.Op == lang.In || q.Op == lang.NotIn) && len(q.Right) == 0 {
		return nil
	}
	for _, x := range append([]lang.Expr{q.Left}, q.Right...) {
		if x == anchor {
			continue
		}
		if err := a.operand(x, k, f, q.Op); err != nil {
			return err
		}
	}
	if anchorCol != nil && anchorCol.kind == ckRecord && anchor == q.Left {
		// Record ids are text: 5 means '5'.
		for _, x := range q.Right {
			if l, ok := x.(*lang.Literal); ok && l.Kind == lang.Number {
				a.lits[l] = client.Value{Kind: client.KindText, Str: l.Text}
			}
		}
	}
	return nil
}

// pseudoLiterals checks the literals compared with record, event, arm,
// instrument and dag, which must name real things.
func (a *analysis) pseudoLiterals(c *column, q *lang.Query) error {
	for _, x := range q.Right {
		l, ok := x.(*lang.Literal)
		if !ok || l.Kind == lang.Null {
			continue
		}
		switch c.kind {
		case ckEvent:
			if _, ok := a.pl.events[l.Text]; !ok || l.Kind != lang.String {
				return a.unknownEvent(l.Pos(), l.Text)
			}
		case ckArm:
			n, err := strconv.Atoi(l.Text)
			if _, ok := a.pl.arms[n]; err != nil || !ok {
				for _, arm := range a.pl.proj.Arms {
					if strings.EqualFold(arm.Name, l.Text) {
						return errAt(l.Pos(), "", "arm '%s' is an arm name: write arm = %d", l.Text, arm.Num)
					}
				}
				var nums []string
				for _, arm := range a.pl.proj.Arms {
					nums = append(nums, strconv.Itoa(arm.Num))
				}
				return errAt(l.Pos(), "", "no arm %s (arms: %s)", l, strings.Join(nums, ", "))
			}
		case ckInstrument:
			if !a.pl.forms[l.Text] {
				return a.unknownForm(l.Pos(), l.Text)
			}
		case ckDAG:
			if len(a.pl.proj.DAGs) > 0 && !slices.Contains(a.pl.proj.DAGs, l.Text) {
				msg := fmt.Sprintf("no data access group '%s'", l.Text)
				if s := nearest(l.Text, a.pl.proj.DAGs); s != "" {
					return errAt(l.Pos(), "", "%s; did you mean '%s'?", msg, s)
				}
				return errAt(l.Pos(), "", "%s (groups: %s)", msg, strings.Join(a.pl.proj.DAGs, ", "))
			}
		}
	}
	return nil
}

// formQuery checks form = 'x', form in (...), form <> 'x', form not in (...).
func (a *analysis) formQuery(q *lang.Query) error {
	switch q.Op {
	case lang.Eq, lang.Ne, lang.In, lang.NotIn:
	default:
		return errAt(q.OpPos, "", "form takes = , <>, in or not in with form names, not %s", q.Op)
	}
	var names []string
	for _, x := range q.Right {
		l, ok := x.(*lang.Literal)
		if !ok || l.Kind != lang.String {
			return errAt(x.Pos(), "", "form must be compared with form names in quotes, not %s", x)
		}
		if !a.pl.forms[l.Text] {
			return a.unknownForm(l.Pos(), l.Text)
		}
		names = append(names, l.Text)
		if !slices.Contains(a.scoped, l.Text) {
			a.scoped = append(a.scoped, l.Text)
		}
	}
	a.forms[q] = names
	a.cols[q.Left.(*lang.Ref)] = &column{kind: ckForm, name: "form", slot: -1}
	return nil
}

// hasQuery checks x has 'c', has any (...), has all (...).
func (a *analysis) hasQuery(q *lang.Query) error {
	k, err := a.value(q.Left)
	if err != nil {
		return err
	}
	r, _ := q.Left.(*lang.Ref)
	if k != client.KindCodeSet {
		return errAt(q.OpPos, "", "%s applies to checkbox fields; %s is a %s", q.Op, q.Left, kindName(k))
	}
	if r == nil {
		return errAt(q.OpPos, "", "%s applies to a checkbox field itself, not to %s", q.Op, q.Left)
	}
	f := a.cols[r].field
	for _, x := range q.Right {
		l, ok := x.(*lang.Literal)
		if !ok || (l.Kind != lang.String && l.Kind != lang.Number) {
			return errAt(x.Pos(), "", "%s takes checkbox codes, not %s", q.Op, x)
		}
		if !f.HasCode(l.Text) && a.pl.dict.CheckboxColumn(f.Name, l.Text) == "" {
			for _, c := range f.Choices {
				if strings.EqualFold(c.Label, l.Text) {
					return errAt(l.Pos(), "", "'%s' is a label of %s, not a code: write %s has %s", l.Text, f.Name, f.Name, codeLiteral(&client.Field{}, c.Code))
				}
			}
			var codes []string
			for _, c := range f.Choices {
				codes = append(codes, c.Code+" "+c.Label)
			}
			return errAt(l.Pos(), "", "%s is not a code of %s (codes: %s)", l, f.Name, strings.Join(codes, ", "))
		}
		a.lits[l] = client.Value{Kind: client.KindText, Str: l.Text}
	}
	return nil
}

// patternQuery checks like, not like and ~, and compiles the pattern once.
func (a *analysis) patternQuery(q *lang.Query) error {
	k, err := a.value(q.Left)
	if err != nil {
		return err
	}
	if k == client.KindCodeSet {
		return errAt(q.OpPos, "", "%s does not apply to checkbox %s; use has", q.Op, q.Left)
	}
	if len(q.Right) != 1 {
		return errAt(q.OpPos, "", "%s takes one pattern", q.Op)
	}
	l, ok := q.Right[0].(*lang.Literal)
	if !ok || l.Kind != lang.String {
		return errAt(q.Right[0].Pos(), "", "the pattern of %s must be a text literal, not %s", q.Op, q.Right[0])
	}
	a.lits[l] = client.Value{Kind: client.KindText, Str: l.Text}
	if q.Op == lang.Match {
		re, err := regexp.Compile(l.Text)
		if err != nil {
			return errAt(l.Pos(), "", "bad regular expression %s: %v", l, err)
		}
		a.regex[q] = re
		return nil
	}
	a.likes[q] = compileLike(l.Text)
	return nil
}

// ---- functions ----

type funcSig struct {
	min, max int
	result   client.Kind // 0: special
}

var functions = map[string]funcSig{
	"lower": {1, 1, client.KindText}, "upper": {1, 1, client.KindText}, "trim": {1, 1, client.KindText},
	"length":   {1, 1, client.KindNumber},
	"contains": {2, 2, kindBool}, "starts_with": {2, 2, kindBool}, "ends_with": {2, 2, kindBool},
	"abs": {1, 1, client.KindNumber}, "round": {1, 2, client.KindNumber},
	"year": {1, 1, client.KindNumber}, "month": {1, 1, client.KindNumber}, "day": {1, 1, client.KindNumber},
	"today": {0, 0, client.KindDate}, "now": {0, 0, client.KindDatetime},
	"datediff": {3, 4, client.KindNumber}, "coalesce": {1, -1, 0}, "missing": {1, 1, kindBool},
	"label": {1, 1, client.KindText},
}

var aggregates = map[string]bool{"count": true, "min": true, "max": true, "sum": true, "avg": true}

// datediffUnits are REDCap's datediff units in seconds.
var datediffUnits = map[string]float64{
	"y": 365.2425 * 86400, "M": 30.44 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1,
}

func (a *analysis) call(c *lang.Call) (client.Kind, error) {
	if aggregates[c.Name] {
		return 0, errAt(c.Pos(), "", "aggregate %s(...) is only allowed in the select list", c.Name)
	}
	sig, ok := functions[c.Name]
	if !ok {
		var names []string
		for n := range functions {
			names = append(names, n)
		}
		for n := range aggregates {
			names = append(names, n)
		}
		if s := nearest(c.Name, names); s != "" {
			return 0, errAt(c.Pos(), "", "no function %s; did you mean %s?", c.Name, s)
		}
		return 0, errAt(c.Pos(), "", "no function %s", c.Name)
	}
	if c.Star || c.Distinct {
		return 0, errAt(c.Pos(), "", "%s does not take * or distinct", c.Name)
	}
	if len(c.Args) < sig.min || (sig.max >= 0 && len(c.Args) > sig.max) {
		want := strconv.Itoa(sig.min)
		if sig.max != sig.min {
			want = fmt.Sprintf("%d to %d", sig.min, sig.max)
			if sig.max < 0 {
				want = fmt.Sprintf("at least %d", sig.min)
			}
		}
		return 0, errAt(c.Pos(), "", "%s takes %s arguments, not %d", c.Name, want, len(c.Args))
	}
	switch c.Name {
	case "label":
		r, ok := c.Args[0].(*lang.Ref)
		if !ok {
			return 0, errAt(c.Args[0].Pos(), "", "label takes a field, not %s", c.Args[0])
		}
		col, err := a.resolve(r)
		if err != nil {
			return 0, err
		}
		if col.kind != ckField || len(col.field.Choices) == 0 {
			return 0, errAt(r.Pos(), "", "label(%s): %s has no choice labels", r, r)
		}
		a.kinds[r] = col.valueKind()
		a.labels[c] = col.field
		return client.KindText, nil
	case "missing":
		r, ok := c.Args[0].(*lang.Ref)
		if !ok {
			return 0, errAt(c.Args[0].Pos(), "", "missing takes a field, not %s", c.Args[0])
		}
		col, err := a.resolve(r)
		if err != nil {
			return 0, err
		}
		if col.kind != ckField {
			return 0, errAt(r.Pos(), "", "missing(%s): %s is not a project field", r, r)
		}
		a.kinds[r] = col.valueKind()
		return kindBool, nil
	case "datediff":
		for _, x := range c.Args[:2] {
			if l, ok := x.(*lang.Literal); ok && l.Kind == lang.String && (l.Text == "today" || l.Text == "now") {
				a.lits[l] = a.todayValue(l.Text == "now")
				a.kinds[l] = a.lits[l].Kind
				continue
			}
			if err := a.dateArg(x, c.Name); err != nil {
				return 0, err
			}
		}
		l, ok := c.Args[2].(*lang.Literal)
		if !ok || l.Kind != lang.String || datediffUnits[l.Text] == 0 {
			return 0, errAt(c.Args[2].Pos(), "", "datediff unit must be one of 'y', 'M', 'd', 'h', 'm', 's', not %s", c.Args[2])
		}
		a.lits[l] = client.Value{Kind: client.KindText, Str: l.Text}
		if len(c.Args) == 4 {
			l, ok := c.Args[3].(*lang.Literal)
			if !ok || l.Kind != lang.Bool {
				return 0, errAt(c.Args[3].Pos(), "", "datediff's fourth argument says whether the result is signed: true or false, not %s", c.Args[3])
			}
			a.lits[l] = boolValue(l.Bool)
			a.kinds[l] = kindBool
		}
		return client.KindNumber, nil
	case "year", "month", "day":
		return client.KindNumber, a.dateArg(c.Args[0], c.Name)
	case "abs", "round":
		for _, x := range c.Args {
			if err := a.numberOperand(x, c.Name); err != nil {
				return 0, err
			}
		}
		return client.KindNumber, nil
	case "coalesce":
		var k client.Kind = client.KindNull
		for _, x := range c.Args {
			if _, ok := x.(*lang.Literal); ok {
				continue
			}
			xk, err := a.value(x)
			if err != nil {
				return 0, err
			}
			if k == client.KindNull {
				k = xk
			} else if !comparable(k, xk) {
				return 0, errAt(x.Pos(), "", "coalesce mixes %s and %s", kindName(k), kindName(xk))
			}
		}
		for _, x := range c.Args {
			if l, ok := x.(*lang.Literal); ok {
				if err := a.operand(l, k, nil, lang.In); err != nil {
					return 0, err
				}
				if k == client.KindNull {
					k = literalKind(l)
				}
			}
		}
		return k, nil
	case "contains", "starts_with", "ends_with":
		for _, x := range c.Args {
			if k, err := a.value(x); err != nil {
				return 0, err
			} else if k == client.KindCodeSet {
				return 0, errAt(x.Pos(), "", "%s does not apply to checkbox %s; use has", c.Name, x)
			}
		}
		return kindBool, nil
	}
	for _, x := range c.Args {
		k, err := a.value(x)
		if err != nil {
			return 0, err
		}
		if k == client.KindCodeSet && c.Name != "length" {
			return 0, errAt(x.Pos(), "", "%s does not apply to checkbox %s", c.Name, x)
		}
	}
	return sig.result, nil
}

// todayValue is today() or now(): the local wall clock when the query was
// planned, read as UTC like the values REDCap stores (which carry no zone).
func (a *analysis) todayValue(now bool) client.Value {
	t := a.today
	if now {
		return client.Value{Kind: client.KindDatetime,
			Time: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)}
	}
	return client.Value{Kind: client.KindDate, Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// dateArg checks a date argument; a text literal must be a date.
func (a *analysis) dateArg(x lang.Expr, fn string) error {
	if l, ok := x.(*lang.Literal); ok && l.Kind == lang.String {
		v, err := a.convert(l, client.KindDatetime, nil)
		if err != nil {
			return err
		}
		if len(l.Text) == 10 {
			v.Kind = client.KindDate
		}
		a.lits[l] = v
		a.kinds[l] = v.Kind
		return nil
	}
	k, err := a.value(x)
	if err != nil {
		return err
	}
	if k != client.KindDate && k != client.KindDatetime && k != client.KindNull {
		return errAt(x.Pos(), "", "%s needs a date, not %s (%s)", fn, kindName(k), x)
	}
	return nil
}
