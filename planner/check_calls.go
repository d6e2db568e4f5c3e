package planner

import (
	"fmt"
	"strconv"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// resultKinds maps lang's function results to value kinds; 0 is worked out from the
// arguments.
var resultKinds = map[lang.Result]client.Kind{
	lang.ResultText: client.KindText, lang.ResultNumber: client.KindNumber, lang.ResultBool: kindBool,
	lang.ResultDate: client.KindDate, lang.ResultDatetime: client.KindDatetime,
}

// isAggregate reports whether name (lower case, as calls are) is an aggregate.
func isAggregate(name string) bool { return lang.IsAggregate(name) }

// datediffUnits are REDCap's datediff units in seconds.
var datediffUnits = map[string]float64{
	"y": 365.2425 * 86400, "M": 30.44 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1,
}

func (a *analysis) call(c *lang.Call) (client.Kind, error) {
	if isAggregate(c.Name) {
		if !a.aggOK {
			return 0, errAt(c.Pos(), "", "aggregate %s(...) is only allowed in the select list (and in order by of a query that aggregates)", c.Name)
		}
		a.aggOK = false // aggregates do not nest
		defer func() { a.aggOK = true }()
		return a.aggregate(c)
	}
	sig, ok := lang.LookupFunction(c.Name)
	if !ok {
		if s := nearest(c.Name, lang.FunctionNames()); s != "" {
			return 0, errAt(c.Pos(), "", "no function %s; did you mean %s?", c.Name, s)
		}
		return 0, errAt(c.Pos(), "", "no function %s", c.Name)
	}
	if c.Star || c.Distinct {
		return 0, errAt(c.Pos(), "", "%s does not take * or distinct", c.Name)
	}
	if len(c.Args) < sig.Min || (sig.Max >= 0 && len(c.Args) > sig.Max) {
		want := strconv.Itoa(sig.Min)
		if sig.Max != sig.Min {
			want = fmt.Sprintf("%d to %d", sig.Min, sig.Max)
			if sig.Max < 0 {
				want = fmt.Sprintf("at least %d", sig.Min)
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
	return resultKinds[sig.Result], nil
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
