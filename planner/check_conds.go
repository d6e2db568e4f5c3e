package planner

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

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
	case *lang.Call, *lang.Case:
		k, err := a.value(e)
		if err != nil {
			return err
		}
		if k == kindBool || k == client.KindNull {
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
	for _, m := range a.pl.cat.Dictionary().MissingCodes() {
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
	if r, ok := q.Left.(*lang.Ref); ok && r.Event == "" && !r.Bracketed && strings.EqualFold(r.Name, "form") && a.table == nil {
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
	if anchorCol != nil && anchorCol.kind == ckRecord && anchor == q.Left && !orderingOp(q.Op) {
		// Record ids are text: = 5 means = '5'. An ordering (record > 450)
		// keeps the number, so that it compares numerically with ids that are
		// numbers, as REDCap's [record_id] > 450 and rq's order by record do.
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
			if _, ok := a.pl.cat.Event(l.Text); !ok || l.Kind != lang.String {
				return a.unknownEvent(l.Pos(), l.Text)
			}
		case ckArm:
			n, err := strconv.Atoi(l.Text)
			if _, ok := a.pl.cat.Arm(n); err != nil || !ok {
				for _, arm := range a.pl.cat.Arms() {
					if strings.EqualFold(arm.Name, l.Text) {
						return errAt(l.Pos(), "", "arm '%s' is an arm name: write arm = %d", l.Text, arm.Num)
					}
				}
				var nums []string
				for _, arm := range a.pl.cat.Arms() {
					nums = append(nums, strconv.Itoa(arm.Num))
				}
				return errAt(l.Pos(), "", "no arm %s (arms: %s)", l, strings.Join(nums, ", "))
			}
		case ckInstrument:
			if !a.pl.cat.IsForm(l.Text) {
				return a.unknownForm(l.Pos(), l.Text)
			}
		case ckDAG:
			if len(a.pl.cat.DAGs()) > 0 && !slices.Contains(a.pl.cat.DAGs(), l.Text) {
				msg := fmt.Sprintf("no data access group '%s'", l.Text)
				if s := nearest(l.Text, a.pl.cat.DAGs()); s != "" {
					return errAt(l.Pos(), "", "%s; did you mean '%s'?", msg, s)
				}
				return errAt(l.Pos(), "", "%s (groups: %s)", msg, strings.Join(a.pl.cat.DAGs(), ", "))
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
		if !a.pl.cat.IsForm(l.Text) {
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
		if !f.HasCode(l.Text) && !f.NoMissing {
			// A checkbox marked with a missing-data code has its ___code
			// column ticked, but reads as null: has would never be true.
			for _, m := range a.pl.cat.Dictionary().MissingCodes() {
				if strings.EqualFold(m.Code, l.Text) {
					return errAt(l.Pos(), "", "'%s' is a missing-data code, which reads as null: use missing(%s)", l.Text, f.Name)
				}
			}
		}
		if !f.HasCode(l.Text) && a.pl.cat.Dictionary().CheckboxColumn(f.Name, l.Text) == "" {
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

// orderingOp reports whether op orders values (< <= > >= between).
func orderingOp(op lang.CompareOp) bool {
	switch op {
	case lang.Lt, lang.Le, lang.Gt, lang.Ge, lang.Between, lang.NotBetween:
		return true
	}
	return false
}
