package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// literalKind is the type a literal has on its own.
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
	case *lang.Case:
		return a.caseValue(e)
	}
	return 0, errAt(e.Pos(), "", "unsupported expression %s", e)
}

// caseValue checks case when ... then ... else ... end: each when is a
// condition; the results (then and else) have one type, which literals take
// as in coalesce.
func (a *analysis) caseValue(e *lang.Case) (client.Kind, error) {
	results := make([]lang.Expr, 0, len(e.Whens)+1)
	for _, w := range e.Whens {
		if err := a.cond(w.Cond); err != nil {
			return 0, err
		}
		results = append(results, w.Then)
	}
	if e.Else != nil {
		results = append(results, e.Else)
	}
	var k client.Kind = client.KindNull
	for _, x := range results {
		if _, ok := x.(*lang.Literal); ok {
			continue
		}
		xk, err := a.value(x)
		if err != nil {
			return 0, err
		}
		if k == client.KindNull {
			k = xk
		} else if xk != client.KindNull && !comparable(k, xk) {
			return 0, errAt(x.Pos(), "", "case mixes %s and %s: every then and else must give the same type", kindName(k), kindName(xk))
		}
	}
	for _, x := range results {
		l, ok := x.(*lang.Literal)
		if !ok {
			continue
		}
		if k == client.KindNull {
			if _, err := a.value(l); err != nil {
				return 0, err
			}
			k = literalKind(l)
			continue
		}
		if err := a.operand(l, k, nil, lang.In); err != nil {
			return 0, err
		}
	}
	return k, nil
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
	case client.KindNumber, client.KindNull:
		return nil
	case client.KindText:
		// A free-text field or the record id may hold numbers (REDCap reads numeric text as a
		// number; other text is null). Choice codes and the results of text
		// functions are never numbers: a type error, as for dates.
		if r, ok := x.(*lang.Ref); ok {
			if c := a.cols[r]; c != nil && (c.kind == ckRecord || c.kind == ckField && len(c.field.Choices) == 0) {
				return nil
			}
		}
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
			if a.params[l] {
				// a parameter's text true or false, where a number or boolean
				// is expected (a yesno or truefalse field, a condition)
				switch strings.ToLower(strings.TrimSpace(l.Text)) {
				case "true":
					return boolValue(true), nil
				case "false":
					return boolValue(false), nil
				}
			}
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
