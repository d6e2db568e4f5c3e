package refeval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/lang"
)

// DB is the whole project in memory.
type DB struct {
	schema       *Schema
	longitudinal bool
	repeating    bool
	eventArm     map[string]int
	repeatForm   map[string]bool
	rows         []*refRow
	pinned       map[string]map[string]*refRow // record → event → its non-repeating row
	nullsFirst   bool                          // where order by puts nulls (ascending)
}

// refRow is one row of the flat export.
type refRow struct {
	record, event, instrument, dag string
	instance                       string
	raw                            map[string]string // export column → raw text
	vals                           map[string]Value
}

// Raw is a project as REDCap's API gives it, untyped: the metadata rows,
// project info's missing_data_codes, the events and repeating setup, and
// the flat record export (raw codes, DAGs, blank for gray form status).
type Raw struct {
	Meta         []client.MetadataField
	MissingCodes string
	Longitudinal bool
	Events       []client.Event
	Repeating    []client.RepeatingFormEvent
	Records      *client.Records
}

// Fetch exports the project once, untyped. The client is only the transport.
func Fetch(ctx context.Context, c *client.Client) (*Raw, error) {
	proj, err := c.Project(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := c.ExportRecords(ctx, client.ExportRecordsParams{ExportDataAccessGroups: true, ExportBlankForGrayFormStatus: true})
	if err != nil {
		return nil, err
	}
	return &Raw{Meta: proj.Metadata(), MissingCodes: proj.Info().MissingDataCodes, Longitudinal: proj.IsLongitudinal(),
		Events: proj.Events(), Repeating: proj.RepeatingFormsEvents(), Records: recs}, nil
}

// Load exports the whole project once and types it.
func Load(ctx context.Context, c *client.Client) (*DB, error) {
	raw, err := Fetch(ctx, c)
	if err != nil {
		return nil, err
	}
	return New(raw)
}

// New types a raw export with the oracle's own schema.
func New(raw *Raw) (*DB, error) {
	schema, err := newSchema(raw.Meta, raw.MissingCodes)
	if err != nil {
		return nil, err
	}
	db := &DB{schema: schema, longitudinal: raw.Longitudinal, eventArm: map[string]int{},
		repeatForm: map[string]bool{}, pinned: map[string]map[string]*refRow{}}
	for _, e := range raw.Events {
		db.eventArm[e.UniqueEventName] = e.ArmNum
	}
	for _, r := range raw.Repeating {
		db.repeating = true
		if r.FormName != "" {
			db.repeatForm[r.FormName] = true
		}
	}
	cols := raw.Records.Columns
	for _, col := range cols {
		if f, code, ok := schema.column(col); ok && (f.mode == modeNone || f.mode == modeCheckbox && code == "") {
			return nil, fmt.Errorf("refeval: export column %q is not a value column", col)
		}
	}
	for _, rec := range raw.Records.Rows {
		if len(rec) != len(cols) {
			return nil, fmt.Errorf("refeval: a row of %d values under %d columns", len(rec), len(cols))
		}
		r := &refRow{raw: map[string]string{}, vals: map[string]Value{}}
		for i, col := range cols {
			r.raw[col] = rec[i]
		}
		r.record = rec[0]
		r.event = r.raw["redcap_event_name"]
		r.instrument = r.raw["redcap_repeat_instrument"]
		r.instance = r.raw["redcap_repeat_instance"]
		r.dag = r.raw["redcap_data_access_group"]
		for _, f := range schema.fields {
			if len(f.columns) == 0 {
				continue
			}
			if f.mode != modeCheckbox {
				if v, ok := r.raw[f.Name]; ok {
					r.vals[f.Name] = schema.parse(f, v)
				}
				continue
			}
			if vals, ok := checkboxColumns(f, r.raw); ok {
				r.vals[f.Name] = f.checkbox(vals)
			}
		}
		db.rows = append(db.rows, r)
		if r.instrument == "" && r.instance == "" {
			if db.pinned[r.record] == nil {
				db.pinned[r.record] = map[string]*refRow{}
			}
			db.pinned[r.record][r.event] = r
		}
	}
	return db, nil
}

// checkboxColumns gathers a checkbox's column values in Columns order; ok
// is false when the export has none of them. A column the export lacks
// reads as unticked, or blank when every present column is blank.
func checkboxColumns(f *Field, raw map[string]string) (vals []string, ok bool) {
	blank := true
	for _, col := range f.columns {
		v, has := raw[col]
		if !has {
			v = "0"
		} else {
			ok = true
			blank = blank && v == ""
		}
		vals = append(vals, v)
	}
	if blank {
		clear(vals)
	}
	return vals, ok
}

// tv is a three-valued truth value.
type tv int8

const (
	tFalse tv = iota
	tTrue
	tUnknown
)

func tvOf(b bool) tv {
	if b {
		return tTrue
	}
	return tFalse
}

func (a tv) not() tv {
	switch a {
	case tTrue:
		return tFalse
	case tFalse:
		return tTrue
	}
	return tUnknown
}

// refEnv evaluates expressions on one row.
type refEnv struct {
	db     *DB
	row    *refRow
	params map[string]string
}

var null = Value{}

func num(f float64) Value { return Value{Kind: KindNumber, Num: f} }
func text(s string) Value { return Value{Kind: KindText, Str: s} }

// value evaluates a value expression.
func (e *refEnv) value(x lang.Expr) (Value, error) {
	switch x := x.(type) {
	case *lang.Literal:
		return literalValue(x)
	case *lang.Param:
		v, ok := e.params[x.Name]
		if !ok {
			return null, fmt.Errorf("missing parameter $%s", x.Name)
		}
		return text(v), nil
	case *lang.Ref:
		return e.ref(x)
	case *lang.Unary:
		v, err := e.value(x.X)
		if err != nil || v.Kind != KindNumber {
			return null, err
		}
		return num(-v.Num), nil
	case *lang.Binary:
		a, err := e.value(x.Left)
		if err != nil {
			return null, err
		}
		b, err := e.value(x.Right)
		if err != nil {
			return null, err
		}
		a, b = asNumber(a), asNumber(b)
		if a.Kind != KindNumber || b.Kind != KindNumber {
			return null, nil
		}
		switch x.Op {
		case lang.Add:
			return num(a.Num + b.Num), nil
		case lang.Sub:
			return num(a.Num - b.Num), nil
		case lang.Mul:
			return num(a.Num * b.Num), nil
		case lang.Div:
			if b.Num == 0 {
				return null, nil
			}
			return num(a.Num / b.Num), nil
		}
	case *lang.Call:
		return e.call(x)
	case *lang.Case:
		for _, w := range x.Whens {
			t, err := e.cond(w.Cond)
			if err != nil {
				return null, err
			}
			if t == tTrue {
				return e.value(w.Then)
			}
		}
		if x.Else == nil {
			return null, nil
		}
		return e.value(x.Else)
	case *lang.Query, *lang.QueryGroup:
		t, err := e.cond(x)
		if err != nil || t == tUnknown {
			return null, err
		}
		return num(float64(t)), nil
	}
	return null, fmt.Errorf("reference: cannot evaluate %T %s", x, x)
}

func literalValue(l *lang.Literal) (Value, error) {
	switch l.Kind {
	case lang.String:
		return text(l.Text), nil
	case lang.Number:
		return num(l.Num), nil
	case lang.Bool:
		if l.Bool {
			return num(1), nil
		}
		return num(0), nil
	case lang.Null:
		return null, nil
	case lang.Date:
		t, err := time.Parse("2006-01-02", l.Text)
		return Value{Kind: KindDate, Time: t}, err
	case lang.Datetime:
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if t, err := time.Parse(layout, l.Text); err == nil {
				return Value{Kind: KindDatetime, Time: t}, nil
			}
		}
		return null, fmt.Errorf("reference: bad datetime %q", l.Text)
	}
	return null, fmt.Errorf("reference: literal kind %v", l.Kind)
}

// ref reads a column of the row (or of the record's pinned event row).
func (e *refEnv) ref(r *lang.Ref) (Value, error) {
	row := e.row
	if r.Event != "" {
		row = e.db.pinned[e.row.record][r.Event]
		if row == nil {
			return null, nil
		}
	}
	if !r.Bracketed && r.Event == "" {
		switch r.Name {
		case "record":
			return text(row.record), nil
		case "event", "redcap_event_name":
			return text(row.event), nil
		case "arm":
			return num(float64(e.db.eventArm[row.event])), nil
		case "instrument", "redcap_repeat_instrument":
			return textOrNull(row.instrument), nil
		case "instance", "redcap_repeat_instance":
			if row.instance == "" {
				return null, nil
			}
			n, err := strconv.ParseFloat(row.instance, 64)
			return num(n), err
		case "dag", "redcap_data_access_group":
			return textOrNull(row.dag), nil
		}
	}
	if v, ok := row.vals[r.Name]; ok {
		return v, nil
	}
	if f, code, ok := e.db.schema.column(r.Name); ok && code != "" && f.Kind == KindCodeSet {
		// a checkbox export column: 1 ticked, 0 not, null when blank
		raw := row.raw[r.Name]
		if raw == "" {
			return null, nil
		}
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return null, nil
		}
		return num(n), nil
	}
	if _, ok := e.db.schema.Field(r.Name); ok {
		return null, nil // a field without an export column here
	}
	return null, fmt.Errorf("reference: unknown name %q", r.Name)
}

func textOrNull(s string) Value {
	if s == "" {
		return null
	}
	return text(s)
}

// asNumber converts text that is a number (REDCap compares numeric strings
// as numbers); other text becomes null.
func asNumber(v Value) Value {
	if v.Kind == KindText {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return null
		}
		return num(f)
	}
	return v
}

// coerce converts a text operand to the other operand's kind, as the
// planner converts literals and parameters.
func coerce(v Value, to Kind) Value {
	if v.Kind != KindText {
		return v
	}
	switch to {
	case KindNumber:
		return asNumber(v)
	case KindDate:
		if t, err := time.Parse("2006-01-02", v.Str); err == nil {
			return Value{Kind: KindDate, Time: t}
		}
		return null
	case KindDatetime:
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, v.Str); err == nil {
				return Value{Kind: KindDatetime, Time: t}
			}
		}
		return null
	case KindTime:
		for _, layout := range []string{"15:04:05", "15:04", "04:05"} {
			if t, err := time.Parse(layout, v.Str); err == nil {
				return Value{Kind: KindTime, Time: t}
			}
		}
		return null
	}
	return v
}

// compare orders two non-null values; ok is false when they cannot be
// compared (the comparison is then unknown).
func compare(a, b Value) (int, bool) {
	if a.IsNull() || b.IsNull() {
		return 0, false
	}
	a, b = coerce(a, b.Kind), coerce(b, a.Kind)
	if a.IsNull() || b.IsNull() {
		return 0, false
	}
	switch {
	case a.Kind == KindNumber && b.Kind == KindNumber:
		return cmp.Compare(a.Num, b.Num), true
	case a.Kind == KindText && b.Kind == KindText:
		return strings.Compare(a.Str, b.Str), true
	case isTime(a.Kind) && isTime(b.Kind):
		return a.Time.Compare(b.Time), true
	}
	return 0, false
}

func isTime(k Kind) bool {
	return k == KindDate || k == KindDatetime || k == KindTime
}

// cond evaluates a condition.
func (e *refEnv) cond(x lang.Expr) (tv, error) {
	switch x := x.(type) {
	case *lang.QueryGroup:
		switch x.Op {
		case lang.Not:
			t, err := e.cond(x.Items[0])
			return t.not(), err
		case lang.And:
			out := tTrue
			for _, it := range x.Items {
				t, err := e.cond(it)
				if err != nil {
					return tUnknown, err
				}
				if t == tFalse {
					out = tFalse
				} else if t == tUnknown && out == tTrue {
					out = tUnknown
				}
			}
			return out, nil
		case lang.Or:
			out := tFalse
			for _, it := range x.Items {
				t, err := e.cond(it)
				if err != nil {
					return tUnknown, err
				}
				if t == tTrue {
					out = tTrue
				} else if t == tUnknown && out == tFalse {
					out = tUnknown
				}
			}
			return out, nil
		}
	case *lang.Query:
		return e.query(x)
	}
	v, err := e.value(x)
	if err != nil || v.IsNull() {
		return tUnknown, err
	}
	v = asNumber(v)
	if v.Kind != KindNumber {
		return tUnknown, fmt.Errorf("reference: %s is not a condition", x)
	}
	return tvOf(v.Num != 0), nil
}

// query evaluates a leaf condition.
func (e *refEnv) query(q *lang.Query) (tv, error) {
	if r, ok := q.Left.(*lang.Ref); ok && !r.Bracketed && r.Event == "" && r.Name == "form" {
		return e.formQuery(q)
	}
	left, err := e.value(q.Left)
	if err != nil {
		return tUnknown, err
	}
	rights := make([]Value, len(q.Right))
	for i, r := range q.Right {
		if rights[i], err = e.value(r); err != nil {
			return tUnknown, err
		}
	}
	cmpOp := func(v Value, ok func(int) bool) tv {
		c, comparable := compare(left, v)
		if !comparable {
			return tUnknown
		}
		return tvOf(ok(c))
	}
	switch q.Op {
	case lang.Eq:
		return cmpOp(rights[0], func(c int) bool { return c == 0 }), nil
	case lang.Ne:
		return cmpOp(rights[0], func(c int) bool { return c != 0 }), nil
	case lang.Lt:
		return cmpOp(rights[0], func(c int) bool { return c < 0 }), nil
	case lang.Le:
		return cmpOp(rights[0], func(c int) bool { return c <= 0 }), nil
	case lang.Gt:
		return cmpOp(rights[0], func(c int) bool { return c > 0 }), nil
	case lang.Ge:
		return cmpOp(rights[0], func(c int) bool { return c >= 0 }), nil
	case lang.In, lang.NotIn:
		out := tFalse
		for _, r := range rights {
			t := cmpOp(r, func(c int) bool { return c == 0 })
			if t == tTrue {
				out = tTrue
				break
			}
			if t == tUnknown {
				out = tUnknown
			}
		}
		if q.Op == lang.NotIn {
			return out.not(), nil
		}
		return out, nil
	case lang.Between, lang.NotBetween:
		lo := cmpOp(rights[0], func(c int) bool { return c >= 0 })
		hi := cmpOp(rights[1], func(c int) bool { return c <= 0 })
		out := and3(lo, hi)
		if q.Op == lang.NotBetween {
			return out.not(), nil
		}
		return out, nil
	case lang.IsNull:
		return tvOf(left.IsNull()), nil
	case lang.IsNotNull:
		return tvOf(!left.IsNull()), nil
	case lang.Like, lang.NotLike:
		if left.IsNull() || rights[0].IsNull() {
			return tUnknown, nil
		}
		re, err := likeRegexp(rights[0].String())
		if err != nil {
			return tUnknown, err
		}
		t := tvOf(re.MatchString(left.String()))
		if q.Op == lang.NotLike {
			return t.not(), nil
		}
		return t, nil
	case lang.Match:
		if left.IsNull() || rights[0].IsNull() {
			return tUnknown, nil
		}
		re, err := regexp.Compile(rights[0].String())
		if err != nil {
			return tUnknown, err
		}
		return tvOf(re.MatchString(left.String())), nil
	case lang.Has, lang.HasAny, lang.HasAll:
		if left.Kind != KindCodeSet {
			return tUnknown, nil
		}
		n := 0
		for _, r := range rights {
			if left.Has(r.String()) {
				n++
			}
		}
		switch q.Op {
		case lang.HasAll:
			return tvOf(n == len(rights)), nil
		default:
			return tvOf(n > 0), nil
		}
	}
	return tUnknown, fmt.Errorf("reference: operator %v", q.Op)
}

func and3(a, b tv) tv {
	if a == tFalse || b == tFalse {
		return tFalse
	}
	if a == tUnknown || b == tUnknown {
		return tUnknown
	}
	return tTrue
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// likeRegexp turns an SQL LIKE pattern into an anchored, ASCII
// case-insensitive regexp.
func likeRegexp(p string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for _, r := range p {
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		default:
			lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
			if r < 128 && lo != up {
				b.WriteString("[" + regexp.QuoteMeta(lo) + regexp.QuoteMeta(up) + "]")
			} else {
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
	}
	b.WriteString(`$`)
	return regexp.Compile(b.String())
}

// formQuery is form scoping: the row holds data in one of the forms.
func (e *refEnv) formQuery(q *lang.Query) (tv, error) {
	hit := false
	for _, r := range q.Right {
		l, ok := r.(*lang.Literal)
		if !ok {
			return tUnknown, fmt.Errorf("reference: form compared with %s", r)
		}
		if e.db.holdsForm(e.row, l.Text) {
			hit = true
		}
	}
	switch q.Op {
	case lang.Eq, lang.In:
		return tvOf(hit), nil
	case lang.Ne, lang.NotIn:
		return tvOf(!hit), nil
	}
	return tUnknown, fmt.Errorf("reference: form %v", q.Op)
}

// holdsForm reports whether the row holds data in form: its repeating
// instance rows for a repeating instrument; else a non-repeating row whose
// form status is not gray or where one of the form's fields has a value.
func (db *DB) holdsForm(r *refRow, form string) bool {
	if db.repeatForm[form] {
		return r.instrument == form
	}
	if r.instrument != "" {
		return false
	}
	if r.raw[form+"_complete"] != "" {
		return true
	}
	for _, f := range db.schema.fields {
		if f.Form != form || f.Name == db.schema.RecordID() || f.Synthetic {
			continue
		}
		for _, col := range f.Columns() {
			if v := r.raw[col]; v != "" && !(f.Kind == KindCodeSet && v == "0") {
				return true
			}
		}
	}
	return false
}

// call evaluates the scalar functions the generator uses.
func (e *refEnv) call(c *lang.Call) (Value, error) {
	args := make([]Value, len(c.Args))
	for i, a := range c.Args {
		if c.Name == "label" || c.Name == "missing" {
			break
		}
		var err error
		if args[i], err = e.value(a); err != nil {
			return null, err
		}
	}
	switch c.Name {
	case "label":
		r, ok := c.Args[0].(*lang.Ref)
		if !ok {
			return null, fmt.Errorf("reference: label(%s)", c.Args[0])
		}
		v, err := e.ref(r)
		if err != nil || v.IsNull() {
			return null, err
		}
		f, _ := e.db.schema.Field(r.Name)
		if v.Kind == KindCodeSet {
			var labels []string
			for _, code := range v.Codes {
				l, _ := f.label(code)
				labels = append(labels, l)
			}
			return text(strings.Join(labels, ", ")), nil
		}
		l, ok := f.label(v.String())
		if !ok {
			return null, nil
		}
		return text(l), nil
	case "missing":
		r := c.Args[0].(*lang.Ref)
		v, err := e.ref(r)
		if err != nil {
			return null, err
		}
		return num(float64(tvOf(v.Missing != ""))), nil
	case "lower", "upper", "trim", "length":
		if args[0].IsNull() {
			return null, nil
		}
		s := args[0].String()
		switch c.Name {
		case "lower":
			return text(strings.ToLower(s)), nil
		case "upper":
			return text(strings.ToUpper(s)), nil
		case "trim":
			return text(strings.TrimSpace(s)), nil
		}
		return num(float64(len([]rune(s)))), nil
	case "contains", "starts_with", "ends_with":
		if args[0].IsNull() || args[1].IsNull() {
			return null, nil
		}
		// ASCII case-insensitive, as REDCap's (PHP stripos) and as like
		s, sub := asciiLower(args[0].String()), asciiLower(args[1].String())
		var ok bool
		switch c.Name {
		case "contains":
			ok = strings.Contains(s, sub)
		case "starts_with":
			ok = strings.HasPrefix(s, sub)
		default:
			ok = strings.HasSuffix(s, sub)
		}
		return num(float64(tvOf(ok))), nil
	case "abs", "round":
		v := asNumber(args[0])
		if v.IsNull() {
			return null, nil
		}
		if c.Name == "abs" {
			return num(math.Abs(v.Num)), nil
		}
		digits := 0.0
		if len(args) > 1 {
			digits = asNumber(args[1]).Num
		}
		p := math.Pow(10, digits)
		return num(math.Round(v.Num*p) / p), nil
	case "year", "month", "day":
		v := args[0]
		if !isTime(v.Kind) || v.Kind == KindTime {
			return null, nil
		}
		switch c.Name {
		case "year":
			return num(float64(v.Time.Year())), nil
		case "month":
			return num(float64(v.Time.Month())), nil
		}
		return num(float64(v.Time.Day())), nil
	case "coalesce":
		for _, a := range args {
			if !a.IsNull() {
				return a, nil
			}
		}
		return null, nil
	}
	return null, fmt.Errorf("reference: function %s", c.Name)
}

// Result is a query's output.
type Result struct {
	Cols []string
	Rows [][]Value
}

// run evaluates a select statement over the whole project.
func (db *DB) Run(s *lang.Select, params map[string]string) (*Result, error) {
	if s.From.Name != "records" {
		return nil, fmt.Errorf("reference: only records")
	}
	var kept []*refRow
	for _, r := range db.rows {
		if s.Where != nil {
			env := &refEnv{db: db, row: r, params: params}
			t, err := env.cond(s.Where)
			if err != nil {
				return nil, err
			}
			if t != tTrue {
				continue
			}
		}
		kept = append(kept, r)
	}
	res := &Result{}
	s = db.expandStar(s)
	for _, it := range s.Items {
		res.Cols = append(res.Cols, itemName(it))
	}
	type outRow struct {
		vals []Value
		keys []Value
	}
	var out []outRow
	if hasAggregate(s) {
		groups := map[string][]*refRow{}
		var order []string
		for _, r := range kept {
			env := &refEnv{db: db, row: r, params: params}
			var key strings.Builder
			for _, g := range s.GroupBy {
				v, err := env.value(g)
				if err != nil {
					return nil, err
				}
				key.WriteString(v.Canon() + "\x00")
			}
			k := key.String()
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], r)
		}
		if len(s.GroupBy) == 0 && len(order) == 0 {
			order = append(order, "")
			groups[""] = nil
		}
		for _, k := range order {
			rows := groups[k]
			if s.Having != nil {
				ok, err := db.having(s.Having, rows, params)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			vals := make([]Value, len(s.Items))
			for i, it := range s.Items {
				v, err := db.aggValue(it.Expr, rows, params)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			var keys []Value
			for _, o := range s.OrderBy {
				v, err := db.aggValue(o.Expr, rows, params)
				if err != nil {
					return nil, err
				}
				keys = append(keys, v)
			}
			out = append(out, outRow{vals, keys})
		}
	} else {
		for _, r := range kept {
			env := &refEnv{db: db, row: r, params: params}
			vals := make([]Value, len(s.Items))
			for i, it := range s.Items {
				v, err := env.value(it.Expr)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			var keys []Value
			for _, o := range s.OrderBy {
				v, err := env.value(o.Expr)
				if err != nil {
					return nil, err
				}
				keys = append(keys, v)
			}
			out = append(out, outRow{vals, keys})
		}
	}
	if s.Distinct {
		seen := map[string]bool{}
		var uniq []outRow
		for _, r := range out {
			var k strings.Builder
			for _, v := range r.vals {
				c := v.Canon()
				if c == "n:-0" {
					c = "n:0"
				}
				k.WriteString(c + "\x00")
			}
			if !seen[k.String()] {
				seen[k.String()] = true
				uniq = append(uniq, r)
			}
		}
		out = uniq
	}
	if len(s.OrderBy) > 0 {
		slices.SortStableFunc(out, func(a, b outRow) int {
			for i, o := range s.OrderBy {
				an, bn := a.keys[i].IsNull(), b.keys[i].IsNull()
				if o.Nulls != lang.NullsDefault && an != bn {
					// an explicit nulls first / last holds in both directions
					if an == (o.Nulls == lang.NullsFirst) {
						return -1
					}
					return 1
				}
				c := db.orderCompare(a.keys[i], b.keys[i])
				if db.isRecordRef(o.Expr) && c != 0 && !a.keys[i].IsNull() && !b.keys[i].IsNull() {
					// the record id orders as REDCap lists records (natural
					// order), as the emulator exports them
					c = redcaptest.CompareIDs(a.keys[i].String(), b.keys[i].String())
				}
				if o.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	off, lim := 0, -1
	if s.Offset != nil {
		off = int(intLiteral(s.Offset, params))
	}
	if s.Limit != nil {
		lim = int(intLiteral(s.Limit, params))
	}
	for i, r := range out {
		if i < off {
			continue
		}
		if lim >= 0 && len(res.Rows) >= lim {
			break
		}
		res.Rows = append(res.Rows, r.vals)
	}
	return res, nil
}

// expandStar replaces select * by what the language documents: the key
// columns (record; the event when longitudinal; the repeat columns when the
// project repeats; the DAG when the query uses it), then every field of the
// scoped forms (all forms when not scoped), in dictionary order.
func (db *DB) expandStar(s *lang.Select) *lang.Select {
	if len(s.Items) != 1 || !s.Items[0].Star {
		return s
	}
	var scope []string
	usesDAG := false
	if s.Where != nil {
		conj := []lang.Expr{s.Where}
		if g, ok := s.Where.(*lang.QueryGroup); ok && g.Op == lang.And {
			conj = g.Items
		}
		for _, c := range conj {
			q, ok := c.(*lang.Query)
			if !ok {
				continue
			}
			if r, ok := q.Left.(*lang.Ref); ok && !r.Bracketed && r.Name == "form" && (q.Op == lang.Eq || q.Op == lang.In) {
				for _, x := range q.Right {
					scope = append(scope, x.(*lang.Literal).Text)
				}
			}
		}
		usesDAG = strings.Contains(s.Where.String(), "dag") // the generator uses dag only as the keyword
	}
	names := []string{"record"}
	if db.longitudinal {
		names = append(names, "redcap_event_name")
	}
	if db.repeating {
		names = append(names, "redcap_repeat_instrument", "redcap_repeat_instance")
	}
	if usesDAG {
		names = append(names, "redcap_data_access_group")
	}
	items := make([]*lang.SelectItem, 0, len(names)+len(db.schema.fields))
	for _, n := range names {
		items = append(items, &lang.SelectItem{Expr: &lang.Ref{Name: n}})
	}
	for _, f := range db.schema.fields {
		if f.Type == "descriptive" || f.Name == db.schema.RecordID() {
			continue
		}
		if len(scope) > 0 && !slices.Contains(scope, f.Form) {
			continue
		}
		items = append(items, &lang.SelectItem{Expr: &lang.Ref{Name: f.Name, Bracketed: true}})
	}
	c := *s
	c.Items = items
	return &c
}

func intLiteral(x lang.Expr, params map[string]string) int64 {
	switch x := x.(type) {
	case *lang.Literal:
		return int64(x.Num)
	case *lang.Param:
		n, _ := strconv.ParseInt(params[x.Name], 10, 64)
		return n
	}
	return 0
}

// isRecordRef reports whether x names the record id.
func (db *DB) isRecordRef(x lang.Expr) bool {
	r, ok := x.(*lang.Ref)
	if !ok || r.Event != "" {
		return false
	}
	return (r.Name == "record" && !r.Bracketed) || r.Name == db.schema.RecordID()
}

// orderCompare orders values for order by, nulls first or last as the
// language documents (ascending).
func (db *DB) orderCompare(a, b Value) int {
	switch {
	case a.IsNull() && b.IsNull():
		return 0
	case a.IsNull():
		if db.nullsFirst {
			return -1
		}
		return 1
	case b.IsNull():
		if db.nullsFirst {
			return 1
		}
		return -1
	}
	c, _ := compare(a, b)
	return c
}

func itemName(it *lang.SelectItem) string {
	if it.Alias != "" {
		return it.Alias
	}
	if r, ok := it.Expr.(*lang.Ref); ok && r.Event == "" {
		return r.Name
	}
	return it.Expr.String()
}

var aggregates = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"median": true, "percentile": true, "stddev": true, "var": true, "mode": true}

// having evaluates the having forms the generator writes: an aggregate
// compared with a number.
func (db *DB) having(x lang.Expr, rows []*refRow, params map[string]string) (bool, error) {
	q, ok := x.(*lang.Query)
	if !ok || len(q.Right) != 1 {
		return false, fmt.Errorf("reference: having %s", x)
	}
	l, err := db.aggValue(q.Left, rows, params)
	if err != nil {
		return false, err
	}
	r, ok := q.Right[0].(*lang.Literal)
	if !ok || l.IsNull() {
		return false, nil
	}
	c, _ := compare(asNumber(l), num(r.Num))
	switch q.Op {
	case lang.Gt:
		return c > 0, nil
	case lang.Ge:
		return c >= 0, nil
	case lang.Lt:
		return c < 0, nil
	case lang.Le:
		return c <= 0, nil
	case lang.Eq:
		return c == 0, nil
	}
	return false, fmt.Errorf("reference: having operator %s", q.Op)
}

func hasAggregate(s *lang.Select) bool {
	if len(s.GroupBy) > 0 || s.Having != nil {
		return true
	}
	for _, it := range s.Items {
		if c, ok := it.Expr.(*lang.Call); ok && aggregates[c.Name] {
			return true
		}
	}
	return false
}

// aggValue evaluates an item over a group: an aggregate over its rows, or
// a plain expression (a group key) on its first row.
func (db *DB) aggValue(x lang.Expr, rows []*refRow, params map[string]string) (Value, error) {
	c, ok := x.(*lang.Call)
	if !ok || !aggregates[c.Name] {
		if len(rows) == 0 {
			return null, nil
		}
		env := &refEnv{db: db, row: rows[0], params: params}
		return env.value(x)
	}
	if c.Star {
		return num(float64(len(rows))), nil
	}
	var vals []Value
	seen := map[string]bool{}
	for _, r := range rows {
		env := &refEnv{db: db, row: r, params: params}
		v, err := env.value(c.Args[0])
		if err != nil {
			return null, err
		}
		if v.IsNull() {
			continue
		}
		if c.Distinct {
			if seen[v.Canon()] {
				continue
			}
			seen[v.Canon()] = true
		}
		vals = append(vals, v)
	}
	switch c.Name {
	case "count":
		return num(float64(len(vals))), nil
	case "sum", "avg":
		if len(vals) == 0 {
			return null, nil
		}
		s := 0.0
		for _, v := range vals {
			s += asNumber(v).Num
		}
		if c.Name == "avg" {
			s /= float64(len(vals))
		}
		return num(s), nil
	case "median", "percentile":
		// the interpolated quantile (percentile_cont): rank p·(n-1)
		p := 0.5
		if c.Name == "percentile" {
			p = c.Args[1].(*lang.Literal).Num
		}
		var xs []float64
		for _, v := range vals {
			if n := asNumber(v); n.Kind == KindNumber {
				xs = append(xs, n.Num)
			}
		}
		if len(xs) == 0 {
			return null, nil
		}
		sort.Float64s(xs)
		rank := p * float64(len(xs)-1)
		i := int(rank)
		if i+1 >= len(xs) {
			return num(xs[len(xs)-1]), nil
		}
		return num(xs[i]*(1-(rank-float64(i))) + xs[i+1]*(rank-float64(i))), nil
	case "var", "stddev":
		// two passes: the mean, then the squared deviations (sample statistics)
		var xs []float64
		for _, v := range vals {
			if n := asNumber(v); n.Kind == KindNumber {
				xs = append(xs, n.Num)
			}
		}
		if len(xs) < 2 {
			return null, nil
		}
		mean := 0.0
		for _, x := range xs {
			mean += x
		}
		mean /= float64(len(xs))
		ss := 0.0
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		v := ss / float64(len(xs)-1)
		if c.Name == "stddev" {
			v = math.Sqrt(v)
		}
		return num(v), nil
	case "mode":
		if len(vals) == 0 {
			return null, nil
		}
		counts := map[string]int{}
		for _, v := range vals {
			counts[v.Canon()]++
		}
		best := vals[0]
		for _, v := range vals[1:] {
			cv, cb := counts[v.Canon()], counts[best.Canon()]
			if k, _ := compare(v, best); cv > cb || cv == cb && k < 0 {
				best = v
			}
		}
		return best, nil
	case "min", "max":
		if len(vals) == 0 {
			return null, nil
		}
		best := vals[0]
		for _, v := range vals[1:] {
			k, _ := compare(v, best)
			if (c.Name == "min" && k < 0) || (c.Name == "max" && k > 0) {
				best = v
			}
		}
		return best, nil
	}
	return null, fmt.Errorf("reference: aggregate %s", c.Name)
}

// Schema is the project's fields as the oracle types them.
func (db *DB) Schema() *Schema { return db.schema }

// Longitudinal reports whether the project has events.
func (db *DB) Longitudinal() bool { return db.longitudinal }

// Repeating reports whether the project has repeating instruments or events.
func (db *DB) Repeating() bool { return db.repeating }

// RepeatsForm reports whether form is a repeating instrument.
func (db *DB) RepeatsForm(form string) bool { return db.repeatForm[form] }

// EventArms maps each unique event name to its arm number.
func (db *DB) EventArms() map[string]int { return db.eventArm }

// Records lists the record ids in export order, once each.
func (db *DB) Records() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range db.rows {
		if !seen[r.record] {
			seen[r.record] = true
			out = append(out, r.record)
		}
	}
	return out
}

// DAGs lists the data access groups that rows belong to, in export order.
func (db *DB) DAGs() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range db.rows {
		if r.dag != "" && !seen[r.dag] {
			seen[r.dag] = true
			out = append(out, r.dag)
		}
	}
	return out
}

// Samples returns, per field, up to max non-null values in export order.
func (db *DB) Samples(max int) map[string][]Value {
	out := map[string][]Value{}
	for _, r := range db.rows {
		for name, v := range r.vals {
			if !v.IsNull() && len(out[name]) < max {
				out[name] = append(out[name], v)
			}
		}
	}
	return out
}

// Len is the number of rows of the whole export.
func (db *DB) Len() int { return len(db.rows) }
