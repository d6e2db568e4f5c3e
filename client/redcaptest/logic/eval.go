package logic

import (
	"errors"
	"math"
)

// errBareCheckbox aborts evaluation: a bare [cb] makes the row false.
var errBareCheckbox = errors.New("bare checkbox reference")

// Eval evaluates the logic against one row and reports whether the row
// passes. A bare checkbox reference makes the row false, as in REDCap.
func (e *Expr) Eval(r Row) (bool, error) {
	ev := evaluator{row: r}
	v, err := ev.eval(e.root)
	if err == errBareCheckbox {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v.truth(), nil
}

type evaluator struct {
	row Row
}

func (ev *evaluator) smart(name string) (string, bool) {
	if s, ok := ev.row.(SmartVariables); ok {
		return s.SmartVariable(name)
	}
	return "", false
}

func (ev *evaluator) eval(n node) (value, error) {
	switch n := n.(type) {
	case *numberLit:
		return numV(n.val), nil
	case *stringLit:
		return strV(n.val), nil
	case *boolLit:
		return boolV(n.val), nil
	case *paren:
		return ev.eval(n.x)
	case *fieldRef:
		return ev.ref(n)
	case *smartVar:
		return ev.smartVar(n.name), nil
	case *unary:
		x, err := ev.eval(n.x)
		if err != nil {
			return value{}, err
		}
		switch n.op {
		case "not":
			return boolV(!x.truth()), nil
		case "-":
			return numV(-x.number()), nil
		}
		return numV(x.number()), nil
	case *binary:
		return ev.binary(n)
	case *call:
		return ev.call(n)
	}
	return value{}, errors.New("logic: unknown node")
}

func (ev *evaluator) binary(n *binary) (value, error) {
	l, err := ev.eval(n.l)
	if err != nil {
		return value{}, err
	}
	switch n.op {
	case "and":
		if !l.truth() {
			return boolV(false), nil
		}
		r, err := ev.eval(n.r)
		return boolV(r.truth()), err
	case "or":
		if l.truth() {
			return boolV(true), nil
		}
		r, err := ev.eval(n.r)
		return boolV(r.truth()), err
	}
	r, err := ev.eval(n.r)
	if err != nil {
		return value{}, err
	}
	if n.blank {
		// [x] = '' and [x] <> '' are blank tests whatever the type.
		other := l
		if isEmptyString(n.l) {
			other = r
		}
		b := other.blank()
		if n.op == "<>" {
			b = !b
		}
		return boolV(b), nil
	}
	switch n.op {
	case "=", "<>", "<", "<=", ">", ">=":
		return boolV(compare(n.op, l, r)), nil
	}
	x, y := l.number(), r.number()
	switch n.op {
	case "+":
		return numV(x + y), nil
	case "-":
		return numV(x - y), nil
	case "*":
		return numV(x * y), nil
	case "/":
		if y == 0 {
			return nanV(), nil
		}
		return numV(x / y), nil
	case "^":
		return numV(math.Pow(x, y)), nil
	}
	return value{}, errors.New("logic: unknown operator " + n.op)
}

func (ev *evaluator) ref(n *fieldRef) (value, error) {
	event := n.event
	if n.eventVar != "" {
		e, ok := ev.smart(n.eventVar)
		if !ok || e == "" {
			return ev.blankRef(n)
		}
		event = e
	}
	inst := n.inst
	switch n.instVar {
	case "current-instance":
		inst.N = ev.row.Instance()
	case "previous-instance":
		inst.N = ev.row.Instance() - 1
		if inst.N < 1 {
			return ev.blankRef(n)
		}
	case "next-instance":
		inst.N = ev.row.Instance() + 1
	}
	kind := ev.row.Kind(n.field)
	if n.hasCode {
		raw := ev.row.Checkbox(event, n.field, n.code, inst)
		return refValue(Number, raw), nil
	}
	if kind == Checkbox {
		return value{}, errBareCheckbox
	}
	return refValue(kind, ev.row.Value(event, n.field, inst)), nil
}

// blankRef is the value of a reference that points nowhere (no previous
// instance, no next event): blank, or an unticked option.
func (ev *evaluator) blankRef(n *fieldRef) (value, error) {
	if n.hasCode {
		return refValue(Number, "0"), nil
	}
	kind := ev.row.Kind(n.field)
	if kind == Checkbox {
		return value{}, errBareCheckbox
	}
	return refValue(kind, ""), nil
}

func refValue(kind Kind, raw string) value {
	if kind == Text {
		return value{k: vStr, str: raw, ref: true}
	}
	f, ok := numeric(raw)
	if !ok {
		f = math.NaN()
	}
	return value{k: vNum, num: f, str: raw, ref: true}
}

func (ev *evaluator) smartVar(name string) value {
	switch name {
	case "record-name":
		return strV(ev.row.Record())
	case "event-name":
		return strV(ev.row.Event())
	case "current-instance":
		return numV(float64(ev.row.Instance()))
	case "previous-instance":
		if i := ev.row.Instance() - 1; i >= 1 {
			return numV(float64(i))
		}
		return nanV()
	case "next-instance":
		return numV(float64(ev.row.Instance() + 1))
	}
	s, _ := ev.smart(name)
	return strV(s)
}

func (ev *evaluator) call(c *call) (value, error) {
	return functions[c.name].fn(ev, c)
}

// Value evaluates the logic as a calculated field's equation and returns
// the result as text: numbers in plain decimal form (up to 14 significant
// digits, integers without a decimal point), blank when the result is not
// a number (a blank input, a division by zero). A bare checkbox reference
// gives blank.
func (e *Expr) Value(r Row) (string, error) {
	v, ok, err := e.run(r)
	if !ok || err != nil {
		return "", err
	}
	return formatNum(v.number()), nil // blank for NaN
}

// run evaluates the logic on r; ok is false for a bare checkbox
// reference, which gives blank.
func (e *Expr) run(r Row) (value, bool, error) {
	ev := evaluator{row: r}
	v, err := ev.eval(e.root)
	if err == errBareCheckbox {
		return value{}, false, nil
	}
	return v, err == nil, err
}

// Text evaluates the logic as an @CALCTEXT or @CALCDATE equation and
// returns its result as text: a text result as it is (blank when blank),
// numbers as Value writes them, true and false as 1 and 0.
func (e *Expr) Text(r Row) (string, error) {
	v, ok, err := e.run(r)
	if !ok || err != nil {
		return "", err
	}
	if v.k == vStr {
		return v.str, nil
	}
	return formatNum(v.number()), nil
}
