package planner

import (
	"math"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// computed compiles arithmetic, negation and function calls into closures
// over the operands' closures, once per plan. A value travels as a
// client.Value on the stack: nothing is boxed or allocated per row, and
// there is no interpreter between the nodes. The helpers (arith,
// callFunc, labelOf) are the ones every other path uses, so the semantics
// (nulls propagate, but coalesce and missing) are shared.
func (cp *compiler) computed(e lang.Expr) (ValueFunc, error) {
	switch e := e.(type) {
	case *lang.Binary:
		return cp.arithmetic(e)
	case *lang.Unary:
		n, err := cp.number(e)
		if err != nil {
			return nil, err
		}
		return numValue(n), nil
	case *lang.Call:
		return cp.call(e)
	}
	return nil, errAt(e.Pos(), "", "unsupported expression %s", e)
}

// arithmetic compiles a binary operation as a number closure.
func (cp *compiler) arithmetic(e *lang.Binary) (ValueFunc, error) {
	n, err := cp.number(e)
	if err != nil {
		return nil, err
	}
	return numValue(n), nil
}

// numValue turns a number closure into a value closure (false: null).
func numValue(n numFn) ValueFunc {
	return func(c *Env) client.Value {
		if x, ok := n(c); ok {
			return client.Value{Kind: client.KindNumber, Num: x}
		}
		return client.Value{}
	}
}

// numFn gives an operand as a number (false: null, not a number, or the
// result of a division by zero or an overflow).
type numFn func(*Env) (float64, bool)

// number compiles an expression read as a number. Columns and literals are
// read in place and arithmetic and abs stay in float64 from leaf to root,
// so a numeric expression copies no client.Value; anything else is
// computed as a value and read with AsNumber, as arith does.
func (cp *compiler) number(e lang.Expr) (numFn, error) {
	if _, grouped := cp.gslots[e]; !grouped {
		switch x := e.(type) {
		case *lang.Literal:
			n, ok := AsNumber(cp.a.lits[x])
			return func(*Env) (float64, bool) { return n, ok }, nil
		case *lang.Ref:
			if c := cp.a.cols[x]; c != nil && x.Event == "" && c.valueKind() == client.KindNumber {
				slot := c.slot
				return func(ec *Env) (float64, bool) {
					v := &ec.r.Vals[slot]
					return v.Num, v.Kind == client.KindNumber
				}, nil
			}
		case *lang.Binary:
			return cp.numArith(x)
		case *lang.Unary:
			n, err := cp.number(x.X)
			if err != nil {
				return nil, err
			}
			return func(c *Env) (float64, bool) {
				v, ok := n(c)
				return 0 - v, ok // as arith(Sub, 0, v): -0 is 0
			}, nil
		case *lang.Call:
			if x.Name == "abs" {
				n, err := cp.number(x.Args[0])
				if err != nil {
					return nil, err
				}
				return func(c *Env) (float64, bool) {
					v, ok := n(c)
					return math.Abs(v), ok
				}, nil
			}
		}
	}
	f, err := cp.value(e)
	if err != nil {
		return nil, err
	}
	return func(c *Env) (float64, bool) { return AsNumber(f(c)) }, nil
}

// numArith compiles + - * / over numbers with arith's rules: null in, null
// out; division by zero and results that are not finite are null.
func (cp *compiler) numArith(e *lang.Binary) (numFn, error) {
	l, err := cp.number(e.Left)
	if err != nil {
		return nil, err
	}
	r, err := cp.number(e.Right)
	if err != nil {
		return nil, err
	}
	finite := func(z float64) (float64, bool) {
		if math.IsNaN(z) || math.IsInf(z, 0) {
			return 0, false
		}
		return z, true
	}
	both := func(c *Env) (x, y float64, ok bool) {
		if x, ok = l(c); !ok {
			return 0, 0, false
		}
		y, ok = r(c)
		return x, y, ok
	}
	switch e.Op {
	case lang.Add:
		return func(c *Env) (float64, bool) {
			if x, y, ok := both(c); ok {
				return finite(x + y)
			}
			return 0, false
		}, nil
	case lang.Sub:
		return func(c *Env) (float64, bool) {
			if x, y, ok := both(c); ok {
				return finite(x - y)
			}
			return 0, false
		}, nil
	case lang.Mul:
		return func(c *Env) (float64, bool) {
			if x, y, ok := both(c); ok {
				return finite(x * y)
			}
			return 0, false
		}, nil
	case lang.Div:
		return func(c *Env) (float64, bool) {
			if x, y, ok := both(c); ok && y != 0 {
				return finite(x / y)
			}
			return 0, false
		}, nil
	}
	return nil, errAt(e.Pos(), "", "internal: operator %v not compiled", e.Op)
}

// call compiles a function call. Arguments are evaluated into an array on
// the stack and passed to callFunc as a slice of it.
func (cp *compiler) call(e *lang.Call) (ValueFunc, error) {
	switch e.Name {
	case "today", "now":
		v := cp.a.todayValue(e.Name == "now")
		return func(*Env) client.Value { return v }, nil
	case "abs":
		n, err := cp.number(e)
		if err != nil {
			return nil, err
		}
		return numValue(n), nil
	}
	var field *client.Field
	if e.Name == "label" {
		field = cp.a.labels[e]
	}
	args := make([]ValueFunc, len(e.Args))
	for i, x := range e.Args {
		f, err := cp.value(x)
		if err != nil {
			return nil, err
		}
		args[i] = f
	}
	name := e.Name
	switch len(args) {
	case 1:
		a0 := args[0]
		return func(c *Env) client.Value {
			buf := [1]client.Value{a0(c)}
			return callFunc(name, buf[:], field)
		}, nil
	case 2:
		a0, a1 := args[0], args[1]
		return func(c *Env) client.Value {
			buf := [2]client.Value{a0(c), a1(c)}
			return callFunc(name, buf[:], field)
		}, nil
	}
	return func(c *Env) client.Value {
		var buf [4]client.Value
		vals := buf[:0]
		for _, a := range args {
			vals = append(vals, a(c))
		}
		return callFunc(name, vals, field)
	}, nil
}
