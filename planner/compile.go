package planner

import (
	"github.com/expr-lang/expr/vm"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// Row is one typed row, as the executor's typer makes it and the compiled
// program reads it: its values by slot (Program.Slots), the scoped forms it
// holds data in, and what record grouping needs.
type Row struct {
	Vals  []client.Value // by slot: Program.Slots[i] is typed into Vals[i]
	Forms uint64         // bit i: the row holds data in Program.Scoped[i]
	Rec   string         // the record id
	Event string         // the unique event name ("" in a classic project)
	Plain bool           // not a repeating row: a candidate for [event][field]
}

// Env is the per-goroutine evaluation state a program's functions run in:
// the current row, the record's rows of the pinned events, and the expr VM.
// Make one per run with Program.NewEnv; it is not safe for concurrent use.
type Env struct {
	r       *Row
	pins    []*Row // by Program.PinEvents index; nil when the record has no such row
	vm      vm.VM
	env     exprEnv
	scratch []client.Value // results of expr program nodes, passed by pointer (no allocation)
}

// exprEnv is the environment expr programs run in.
type exprEnv struct {
	R *Env
}

func newEvalCtx(pins, scratch int) *Env {
	c := &Env{pins: make([]*Row, pins), scratch: make([]client.Value, scratch)}
	c.env.R = c
	return c
}

// SetRow makes r the row the program's functions read.
func (x *Env) SetRow(r *Row) { x.r = r }

// SetPin makes r the current record's row of Program.PinEvents[i] (nil: the
// record has none), read by [event][field] references.
func (x *Env) SetPin(i int, r *Row) { x.pins[i] = r }

// ValueFunc is a compiled expression: its value over the Env's current row.
type ValueFunc func(*Env) client.Value

type condFn func(*Env) tri

// compiler turns checked expressions into closures over typed rows, once
// per plan: column references, literals, comparisons, logic, arithmetic and
// function calls (see computed). With allExpr (tests and the VM benchmark)
// it compiles conditions that compute values into expr programs instead,
// the oracle the closures are checked against.
type compiler struct {
	a        *analysis
	nscratch int  // scratch values used by expr programs so far
	allExpr  bool // tests: compile conditions into expr programs even when native would do
	// gslots: compiling an aggregate query's outputs, these nodes (group
	// keys, aggregates) read the group row's slots instead of being computed.
	gslots map[lang.Expr]int
}

func (cp *compiler) pinIndex(ev string) int {
	for i, e := range cp.a.pinEvents {
		if e == ev {
			return i
		}
	}
	return -1
}

// value compiles a value expression.
func (cp *compiler) value(e lang.Expr) (ValueFunc, error) {
	if slot, ok := cp.gslots[e]; ok {
		return func(x *Env) client.Value { return x.r.Vals[slot] }, nil
	}
	switch e := e.(type) {
	case *lang.Ref:
		c := cp.a.cols[e]
		if c == nil {
			return nil, errAt(e.Pos(), "", "internal: unresolved %s", e)
		}
		slot := c.slot
		if e.Event != "" {
			k := cp.pinIndex(e.Event)
			return func(x *Env) client.Value {
				if r := x.pins[k]; r != nil {
					return r.Vals[slot]
				}
				return client.Value{}
			}, nil
		}
		return func(x *Env) client.Value { return x.r.Vals[slot] }, nil
	case *lang.Literal:
		v := cp.a.lits[e]
		return func(*Env) client.Value { return v }, nil
	case *lang.Query, *lang.QueryGroup:
		c, err := cp.cond(e)
		if err != nil {
			return nil, err
		}
		return func(x *Env) client.Value { return triValue(c(x)) }, nil
	case *lang.Case:
		return cp.caseValue(e)
	}
	if cp.allExpr {
		return cp.exprProgram(e)
	}
	return cp.computed(e)
}

// caseValue compiles case when ... then ... else ... end: the first branch
// whose condition is true (not null, not false) gives the value.
func (cp *compiler) caseValue(e *lang.Case) (ValueFunc, error) {
	conds := make([]ValueFunc, len(e.Whens))
	thens := make([]ValueFunc, len(e.Whens))
	for i, w := range e.Whens {
		var err error
		if conds[i], err = cp.value(w.Cond); err != nil {
			return nil, err
		}
		if thens[i], err = cp.value(w.Then); err != nil {
			return nil, err
		}
	}
	els := func(*Env) client.Value { return client.Value{} }
	if e.Else != nil {
		var err error
		if els, err = cp.value(e.Else); err != nil {
			return nil, err
		}
	}
	return func(x *Env) client.Value {
		for i, c := range conds {
			if valueTri(c(x)) == triTrue {
				return thens[i](x)
			}
		}
		return els(x)
	}, nil
}

// cond compiles a condition.
func (cp *compiler) cond(e lang.Expr) (condFn, error) {
	switch e := e.(type) {
	case *lang.QueryGroup:
		var items []condFn
		for _, it := range e.Items {
			c, err := cp.cond(it)
			if err != nil {
				return nil, err
			}
			items = append(items, c)
		}
		switch e.Op {
		case lang.Not:
			c := items[0]
			return func(x *Env) tri { return c(x).not() }, nil
		case lang.And:
			return func(x *Env) tri {
				out := triTrue
				for _, c := range items {
					switch c(x) {
					case triFalse:
						return triFalse
					case triUnknown:
						out = triUnknown
					}
				}
				return out
			}, nil
		default:
			return func(x *Env) tri {
				out := triFalse
				for _, c := range items {
					switch c(x) {
					case triTrue:
						return triTrue
					case triUnknown:
						out = triUnknown
					}
				}
				return out
			}, nil
		}
	case *lang.Query:
		return cp.query(e)
	case *lang.Literal:
		v := cp.a.lits[e]
		t := valueTri(v)
		return func(*Env) tri { return t }, nil
	}
	v, err := cp.value(e)
	if err != nil {
		return nil, err
	}
	return func(x *Env) tri { return valueTri(v(x)) }, nil
}

func (cp *compiler) query(q *lang.Query) (condFn, error) {
	a := cp.a
	if forms, ok := a.forms[q]; ok {
		var mask uint64
		for _, f := range forms {
			for i, s := range a.scoped {
				if s == f {
					mask |= 1 << uint(i)
				}
			}
		}
		neg := q.Op == lang.Ne || q.Op == lang.NotIn
		return func(x *Env) tri { return triOf((x.r.Forms&mask != 0) != neg) }, nil
	}
	if fast := cp.fastQuery(q); fast != nil {
		return fast, nil
	}
	left, err := cp.value(q.Left)
	if err != nil {
		return nil, err
	}
	right := make([]ValueFunc, len(q.Right))
	for i, x := range q.Right {
		if right[i], err = cp.value(x); err != nil {
			return nil, err
		}
	}
	switch q.Op {
	case lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge:
		op, r := q.Op, right[0]
		return func(x *Env) tri { return compareOp(op, left(x), r(x)) }, nil
	case lang.In, lang.NotIn:
		neg := q.Op == lang.NotIn
		return func(x *Env) tri {
			v := left(x)
			list := make([]client.Value, len(right))
			for i, r := range right {
				list[i] = r(x)
			}
			t := inList(v, list)
			if neg {
				return t.not()
			}
			return t
		}, nil
	case lang.Between, lang.NotBetween:
		neg := q.Op == lang.NotBetween
		lo, hi := right[0], right[1]
		return func(x *Env) tri {
			t := between(left(x), lo(x), hi(x))
			if neg {
				return t.not()
			}
			return t
		}, nil
	case lang.IsNull, lang.IsNotNull:
		neg := q.Op == lang.IsNotNull
		return func(x *Env) tri { return triOf(left(x).Kind == client.KindNull != neg) }, nil
	case lang.Like, lang.NotLike:
		lp := a.likes[q]
		neg := q.Op == lang.NotLike
		return func(x *Env) tri {
			s, ok := textOf(left(x))
			if !ok {
				return triUnknown
			}
			return triOf(lp.match(s) != neg)
		}, nil
	case lang.Match:
		re := a.regex[q]
		return func(x *Env) tri {
			s, ok := textOf(left(x))
			if !ok {
				return triUnknown
			}
			return triOf(re.MatchString(s))
		}, nil
	case lang.Has, lang.HasAny, lang.HasAll:
		var codes []string
		for _, x := range q.Right {
			codes = append(codes, a.lits[x.(*lang.Literal)].Str)
		}
		all := q.Op == lang.HasAll
		return func(x *Env) tri { return hasCodes(left(x), codes, all) }, nil
	}
	return nil, errAt(q.OpPos, "", "internal: operator %s not compiled", q.Op)
}

// fastQuery compiles the commonest leaves, an unpinned number column or
// arithmetic compared with number literals, in float64 without copying
// values: the residual's hot path.
func (cp *compiler) fastQuery(q *lang.Query) condFn {
	if cp.gslots != nil || cp.allExpr {
		return nil
	}
	switch l := q.Left.(type) {
	case *lang.Ref:
		c := cp.a.cols[l]
		if c == nil || l.Event != "" || c.valueKind() != client.KindNumber {
			return nil
		}
	case *lang.Binary, *lang.Unary:
		// arithmetic: a number or null
	case *lang.Call:
		if l.Name != "abs" {
			return nil
		}
	default:
		return nil
	}
	var nums []float64
	for _, x := range q.Right {
		l, ok := x.(*lang.Literal)
		if !ok {
			return nil
		}
		v := cp.a.lits[l]
		if v.Kind != client.KindNumber {
			return nil
		}
		nums = append(nums, v.Num)
	}
	num, err := cp.number(q.Left)
	if err != nil {
		return nil
	}
	switch q.Op {
	case lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge:
		n := nums[0]
		var test func(float64) bool
		switch q.Op {
		case lang.Eq:
			test = func(v float64) bool { return v == n }
		case lang.Ne:
			test = func(v float64) bool { return v != n }
		case lang.Lt:
			return func(x *Env) tri {
				if v, ok := num(x); ok {
					return triOf(v < n)
				}
				return triUnknown
			}
		case lang.Le:
			test = func(v float64) bool { return v <= n }
		case lang.Gt:
			return func(x *Env) tri {
				if v, ok := num(x); ok {
					return triOf(v > n)
				}
				return triUnknown
			}
		case lang.Ge:
			test = func(v float64) bool { return v >= n }
		}
		return func(x *Env) tri {
			if v, ok := num(x); ok {
				return triOf(test(v))
			}
			return triUnknown
		}
	case lang.Between, lang.NotBetween:
		lo, hi, neg := nums[0], nums[1], q.Op == lang.NotBetween
		return func(x *Env) tri {
			if v, ok := num(x); ok {
				return triOf((v >= lo && v <= hi) != neg)
			}
			return triUnknown
		}
	}
	return nil
}

// residual compiles one top-level conjunct of the residual into closures
// (see computed for functions and arithmetic); with allExpr (tests), a
// conjunct that computes values is one expr program instead.
func (cp *compiler) residual(e lang.Expr) (condFn, error) {
	if !needsExpr(e) || !cp.allExpr {
		return cp.cond(e)
	}
	v, err := cp.exprProgram(e)
	if err != nil {
		return nil, err
	}
	return func(x *Env) tri { return valueTri(v(x)) }, nil
}

// needsExpr reports whether a condition computes values (functions, arithmetic).
func needsExpr(e lang.Expr) bool {
	found := false
	walk(e, func(x lang.Expr) {
		switch x.(type) {
		case *lang.Call, *lang.Binary, *lang.Unary, *lang.Case:
			found = true
		}
	})
	return found
}
