package planner

import (
	"math"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// logic translates a condition into REDCap filterLogic (redcap-api.md §5) that
// is true on every row where the condition is true: a superset, re-checked
// locally. Translation is null-safe: REDCap reads a blank number as NaN, for
// which <> is true, so x <> 5 becomes ([x] <> ” and [x] <> 5). Every leaf it
// produces is false when its field is blank. ok is false when nothing of e can
// be pushed.
func (a *analysis) logic(e lang.Expr) (string, bool) {
	switch e := e.(type) {
	case *lang.QueryGroup:
		switch e.Op {
		case lang.And:
			// Dropping a conjunct keeps a superset.
			var parts []string
			for _, it := range e.Items {
				if s, ok := a.logic(it); ok {
					parts = append(parts, s)
				}
			}
			if len(parts) == 0 {
				return "", false
			}
			if len(parts) == 1 {
				return parts[0], true
			}
			return "(" + strings.Join(parts, " and ") + ")", true
		case lang.Or:
			var parts []string
			for _, it := range e.Items {
				s, ok := a.logic(it)
				if !ok {
					return "", false
				}
				parts = append(parts, s)
			}
			return "(" + strings.Join(parts, " or ") + ")", true
		case lang.Not:
			if n, ok := negate(e.Items[0]); ok {
				return a.logic(n)
			}
		}
		return "", false
	case *lang.Query:
		return a.logicQuery(e)
	case *lang.Call:
		return a.logicText(e)
	}
	return "", false
}

// logicRef renders a pushable field reference: [f] or [event][f].
func (a *analysis) logicRef(x lang.Expr) (string, *client.Field, bool) {
	r, ok := x.(*lang.Ref)
	if !ok {
		return "", nil, false
	}
	c := a.cols[r]
	if c == nil || c.kind != ckField {
		return "", nil, false
	}
	f := c.field
	if !pushableField(f) {
		return "", nil, false
	}
	s := "[" + f.Name + "]"
	if r.Event != "" {
		s = "[" + r.Event + "]" + s
	}
	return s, f, true
}

// pushableField reports whether REDCap compares f's values as rq does, up to
// a superset: numbers as numbers, dates and times as ISO text, plain text.
func pushableField(f *client.Field) bool {
	switch f.Kind {
	case client.KindNumber:
		return !strings.HasSuffix(f.Validation, "_comma_decimal")
	case client.KindText:
		switch f.FieldType {
		case "text", "notes", "radio", "dropdown", "select":
			return true
		}
	case client.KindDate, client.KindDatetime, client.KindCodeSet:
		return true
	case client.KindTime:
		return f.Validation == "time" || f.Validation == "time_hh_mm_ss"
	}
	return false
}

// flip mirrors an ordering operator for "5 < x" → "x > 5".
func flip(op lang.CompareOp) lang.CompareOp {
	switch op {
	case lang.Lt:
		return lang.Gt
	case lang.Le:
		return lang.Ge
	case lang.Gt:
		return lang.Lt
	case lang.Ge:
		return lang.Le
	}
	return op
}

func (a *analysis) logicQuery(q *lang.Query) (string, bool) {
	left, right, op := q.Left, q.Right, q.Op
	if _, isLit := left.(*lang.Literal); isLit && len(right) == 1 && op <= lang.Ge {
		left, right, op = right[0], []lang.Expr{left}, flip(op)
	}
	if c, ok := left.(*lang.Call); ok && c.Name == "datediff" {
		return a.logicDatediff(c, op, right)
	}
	ref, f, ok := a.logicRef(left)
	if !ok {
		return "", false
	}
	if f.Kind == client.KindCodeSet {
		return a.logicHas(ref, f, op, right)
	}
	lits := make([]string, len(right))
	for i, x := range right {
		if lits[i], ok = a.logicLiteral(x, f, op); !ok {
			return "", false
		}
	}
	notBlank := ref + " <> ''"
	switch op {
	case lang.Eq, lang.Lt, lang.Le, lang.Gt, lang.Ge:
		return ref + " " + op.String() + " " + lits[0], true
	case lang.Ne:
		return "(" + notBlank + " and " + ref + " <> " + lits[0] + ")", true
	case lang.In:
		if len(lits) == 0 {
			return "", false
		}
		parts := make([]string, len(lits))
		for i, l := range lits {
			parts[i] = ref + " = " + l
		}
		if len(parts) == 1 {
			return parts[0], true
		}
		return "(" + strings.Join(parts, " or ") + ")", true
	case lang.NotIn:
		parts := []string{notBlank}
		for _, l := range lits {
			parts = append(parts, ref+" <> "+l)
		}
		return "(" + strings.Join(parts, " and ") + ")", true
	case lang.Between:
		return "(" + ref + " >= " + lits[0] + " and " + ref + " <= " + lits[1] + ")", true
	case lang.NotBetween:
		return "(" + notBlank + " and (" + ref + " < " + lits[0] + " or " + ref + " > " + lits[1] + "))", true
	case lang.IsNotNull:
		return notBlank, true
	}
	return "", false
}

// logicHas translates checkbox tests: x has 'c' → [x(c)] = '1'.
func (a *analysis) logicHas(ref string, f *client.Field, op lang.CompareOp, right []lang.Expr) (string, bool) {
	if op != lang.Has && op != lang.HasAny && op != lang.HasAll {
		return "", false
	}
	if len(right) == 0 {
		return "", false // has any () / has all (): no code to test, and "()" is not logic
	}
	name := strings.TrimSuffix(ref, "["+f.Name+"]")
	var parts []string
	for _, x := range right {
		l, ok := x.(*lang.Literal)
		if !ok || !safeCode(l.Text) {
			return "", false
		}
		parts = append(parts, name+"["+f.Name+"("+l.Text+")] = '1'")
	}
	if len(parts) == 1 {
		return parts[0], true
	}
	join := " or "
	if op == lang.HasAll {
		join = " and "
	}
	return "(" + strings.Join(parts, join) + ")", true
}

func safeCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// logicLiteral renders a literal compared with field f under op, or ok false
// when REDCap would not compare it as rq does.
func (a *analysis) logicLiteral(x lang.Expr, f *client.Field, op lang.CompareOp) (string, bool) {
	l, ok := x.(*lang.Literal)
	if !ok || l.Kind == lang.Null {
		return "", false
	}
	v, ok := a.lits[l]
	if !ok {
		return "", false
	}
	switch v.Kind {
	case client.KindNumber:
		if math.IsInf(v.Num, 0) || math.IsNaN(v.Num) {
			return "", false
		}
		return strconv.FormatFloat(v.Num, 'f', -1, 64), true
	case client.KindText:
		if v.Str == "" {
			return "", false
		}
		// REDCap compares two numeric strings as numbers; rq compares text as
		// text. Equality stays a superset; inequality and order do not.
		if op != lang.Eq && op != lang.In && looksNumeric(v.Str) {
			return "", false
		}
		if f.Kind != client.KindText {
			return "", false
		}
		return quoteLogic(v.Str)
	case client.KindDate:
		if f.Kind == client.KindDatetime {
			return quoteLogic(v.Time.Format(datetimeLayout(f)))
		}
		return quoteLogic(v.Time.Format("2006-01-02"))
	case client.KindDatetime:
		if f.Kind == client.KindDate {
			return "", false
		}
		layout := datetimeLayout(f)
		if v.Time.Second() != 0 {
			layout = "2006-01-02 15:04:05"
		}
		return quoteLogic(v.Time.Format(layout))
	case client.KindTime:
		if f.Validation == "time_hh_mm_ss" || v.Time.Second() != 0 {
			return quoteLogic(v.Time.Format("15:04:05"))
		}
		return quoteLogic(v.Time.Format("15:04"))
	}
	return "", false
}

func datetimeLayout(f *client.Field) string {
	if strings.Contains(f.Validation, "seconds") {
		return "2006-01-02 15:04:05"
	}
	return "2006-01-02 15:04"
}

// looksNumeric reports whether PHP might read s as a number.
func looksNumeric(s string) bool {
	t := strings.TrimSpace(s)
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return true
	}
	return strings.ContainsAny(t, "0123456789") && strings.IndexFunc(t, func(r rune) bool {
		return !strings.ContainsRune("0123456789+-.eE ", r)
	}) < 0
}

// quoteLogic quotes a text literal for filterLogic, which has no escapes and
// URL- and HTML-decodes the whole string first (so %, + and & could change
// meaning): text that cannot survive that, that REDCap may store
// HTML-escaped (< and >) or read as a field reference ([ and ]), is not pushed.
func quoteLogic(s string) (string, bool) {
	if strings.ContainsAny(s, "\\%&+<>[]\r\n") {
		return "", false
	}
	switch {
	case !strings.Contains(s, "'"):
		return "'" + s + "'", true
	case !strings.Contains(s, `"`):
		return `"` + s + `"`, true
	}
	return "", false
}

// logicText translates contains/starts_with/ends_with(field, 'text'),
// case-insensitive in both rq and REDCap.
func (a *analysis) logicText(c *lang.Call) (string, bool) {
	switch c.Name {
	case "contains", "starts_with", "ends_with":
	default:
		return "", false
	}
	ref, f, ok := a.logicRef(c.Args[0])
	if !ok || f.Kind != client.KindText {
		return "", false
	}
	l, ok := c.Args[1].(*lang.Literal)
	if !ok || l.Kind != lang.String || l.Text == "" {
		return "", false
	}
	lit, ok := quoteLogic(l.Text)
	if !ok {
		return "", false
	}
	return c.Name + "(" + ref + ", " + lit + ")", true
}

// logicDatediff translates datediff(field, today(), unit) op n (either
// order). The server's today may differ from ours (time zones, midnight), so
// the bound is widened by two days in the unit.
func (a *analysis) logicDatediff(c *lang.Call, op lang.CompareOp, right []lang.Expr) (string, bool) {
	if len(right) != 1 {
		return "", false
	}
	nl, ok := right[0].(*lang.Literal)
	if !ok || nl.Kind != lang.Number {
		return "", false
	}
	unitLit, ok := c.Args[2].(*lang.Literal)
	if !ok {
		return "", false
	}
	unit := unitLit.Text
	var args [2]string
	fieldArgs := 0
	for i, x := range c.Args[:2] {
		if ref, f, ok := a.logicRef(x); ok && (f.Kind == client.KindDate || f.Kind == client.KindDatetime) {
			args[i] = ref
			fieldArgs++
			continue
		}
		switch x := x.(type) {
		case *lang.Call:
			if x.Name == "today" || x.Name == "now" {
				args[i] = "'" + x.Name + "'"
				continue
			}
		case *lang.Literal:
			if x.Text == "today" || x.Text == "now" {
				args[i] = "'" + x.Text + "'"
				continue
			}
		}
		return "", false
	}
	if fieldArgs != 1 {
		return "", false
	}
	signed := ""
	if len(c.Args) == 4 {
		l, ok := c.Args[3].(*lang.Literal)
		if !ok {
			return "", false
		}
		if l.Bool {
			signed = ", true"
		}
	}
	// |d − d'| ≤ slack also bounds the difference of the absolute values.
	slack := 2 * 86400 / datediffUnits[unit]
	fn := "datediff(" + args[0] + ", " + args[1] + ", '" + unit + "'" + signed + ")"
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	n := nl.Num
	if math.IsInf(n, 0) || math.IsNaN(n) {
		return "", false
	}
	switch op {
	case lang.Gt, lang.Ge:
		return fn + " >= " + num(n-slack), true
	case lang.Lt, lang.Le:
		return fn + " <= " + num(n+slack), true
	case lang.Eq:
		return "(" + fn + " >= " + num(n-slack) + " and " + fn + " <= " + num(n+slack) + ")", true
	}
	return "", false
}
