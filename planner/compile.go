package planner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// trow is one typed row: its values by slot, the scoped forms it holds data
// in, and what record grouping needs.
type trow struct {
	vals  []client.Value
	forms uint64 // bit i: holds data in analysis.scoped[i]
	rec   string
	event string
	plain bool // not a repeating row: a candidate for [event][field]
}

// evalCtx is the per-goroutine evaluation state: the current row, the
// record's rows of the pinned events, and the expr VM.
type evalCtx struct {
	r       *trow
	pins    []*trow // by analysis.pinEvents index; nil when the record has no such row
	vm      vm.VM
	env     exprEnv
	scratch []client.Value // results of expr program nodes, passed by pointer (no allocation)
}

// exprEnv is the environment expr programs run in.
type exprEnv struct {
	R *evalCtx
}

func newEvalCtx(pins, scratch int) *evalCtx {
	c := &evalCtx{pins: make([]*trow, pins), scratch: make([]client.Value, scratch)}
	c.env.R = c
	return c
}

type (
	condFn func(*evalCtx) tri
	valFn  func(*evalCtx) client.Value
)

// compiler turns checked expressions into closures over typed rows. Column
// references, literals, comparisons and logic are evaluated natively; every
// other value expression (functions, arithmetic) is compiled once into an
// expr program.
type compiler struct {
	a        *analysis
	nscratch int // scratch values used by expr programs so far
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
func (cp *compiler) value(e lang.Expr) (valFn, error) {
	switch e := e.(type) {
	case *lang.Ref:
		c := cp.a.cols[e]
		if c == nil {
			return nil, errAt(e.Pos(), "", "internal: unresolved %s", e)
		}
		slot := c.slot
		if e.Event != "" {
			k := cp.pinIndex(e.Event)
			return func(x *evalCtx) client.Value {
				if r := x.pins[k]; r != nil {
					return r.vals[slot]
				}
				return client.Value{}
			}, nil
		}
		return func(x *evalCtx) client.Value { return x.r.vals[slot] }, nil
	case *lang.Literal:
		v := cp.a.lits[e]
		return func(*evalCtx) client.Value { return v }, nil
	case *lang.Query, *lang.QueryGroup:
		c, err := cp.cond(e)
		if err != nil {
			return nil, err
		}
		return func(x *evalCtx) client.Value { return triValue(c(x)) }, nil
	}
	return cp.exprProgram(e)
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
			return func(x *evalCtx) tri { return c(x).not() }, nil
		case lang.And:
			return func(x *evalCtx) tri {
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
			return func(x *evalCtx) tri {
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
		return func(*evalCtx) tri { return t }, nil
	}
	v, err := cp.value(e)
	if err != nil {
		return nil, err
	}
	return func(x *evalCtx) tri { return valueTri(v(x)) }, nil
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
		return func(x *evalCtx) tri { return triOf((x.r.forms&mask != 0) != neg) }, nil
	}
	if fast := cp.fastQuery(q); fast != nil {
		return fast, nil
	}
	left, err := cp.value(q.Left)
	if err != nil {
		return nil, err
	}
	right := make([]valFn, len(q.Right))
	for i, x := range q.Right {
		if right[i], err = cp.value(x); err != nil {
			return nil, err
		}
	}
	switch q.Op {
	case lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge:
		op, r := q.Op, right[0]
		return func(x *evalCtx) tri { return compareOp(op, left(x), r(x)) }, nil
	case lang.In, lang.NotIn:
		neg := q.Op == lang.NotIn
		return func(x *evalCtx) tri {
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
		return func(x *evalCtx) tri {
			t := between(left(x), lo(x), hi(x))
			if neg {
				return t.not()
			}
			return t
		}, nil
	case lang.IsNull, lang.IsNotNull:
		neg := q.Op == lang.IsNotNull
		return func(x *evalCtx) tri { return triOf(left(x).Kind == client.KindNull != neg) }, nil
	case lang.Like, lang.NotLike:
		lp := a.likes[q]
		neg := q.Op == lang.NotLike
		return func(x *evalCtx) tri {
			s, ok := textOf(left(x))
			if !ok {
				return triUnknown
			}
			return triOf(lp.match(s) != neg)
		}, nil
	case lang.Match:
		re := a.regex[q]
		return func(x *evalCtx) tri {
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
		return func(x *evalCtx) tri { return hasCodes(left(x), codes, all) }, nil
	}
	return nil, errAt(q.OpPos, "", "internal: operator %s not compiled", q.Op)
}

// fastQuery compiles the commonest leaf, an unpinned number column compared
// with number literals, without copying values: the residual's hot path.
func (cp *compiler) fastQuery(q *lang.Query) condFn {
	r, ok := q.Left.(*lang.Ref)
	if !ok || r.Event != "" {
		return nil
	}
	c := cp.a.cols[r]
	if c == nil || c.valueKind() != client.KindNumber {
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
	slot := c.slot
	num := func(x *evalCtx) (float64, bool) {
		v := &x.r.vals[slot]
		return v.Num, v.Kind == client.KindNumber
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
			return func(x *evalCtx) tri {
				if v, ok := num(x); ok {
					return triOf(v < n)
				}
				return triUnknown
			}
		case lang.Le:
			test = func(v float64) bool { return v <= n }
		case lang.Gt:
			return func(x *evalCtx) tri {
				if v, ok := num(x); ok {
					return triOf(v > n)
				}
				return triUnknown
			}
		case lang.Ge:
			test = func(v float64) bool { return v >= n }
		}
		return func(x *evalCtx) tri {
			if v, ok := num(x); ok {
				return triOf(test(v))
			}
			return triUnknown
		}
	case lang.Between, lang.NotBetween:
		lo, hi, neg := nums[0], nums[1], q.Op == lang.NotBetween
		return func(x *evalCtx) tri {
			if v, ok := num(x); ok {
				return triOf((v >= lo && v <= hi) != neg)
			}
			return triUnknown
		}
	}
	return nil
}

// residual compiles one top-level conjunct of the residual: natively when
// it only compares columns with literals (the hot path), else as one expr
// program for the whole conjunct.
func (cp *compiler) residual(e lang.Expr) (condFn, error) {
	if !needsExpr(e) {
		return cp.cond(e)
	}
	v, err := cp.exprProgram(e)
	if err != nil {
		return nil, err
	}
	return func(x *evalCtx) tri { return valueTri(v(x)) }, nil
}

// needsExpr reports whether a condition computes values (functions, arithmetic).
func needsExpr(e lang.Expr) bool {
	found := false
	walk(e, func(x lang.Expr) {
		switch x.(type) {
		case *lang.Call, *lang.Binary, *lang.Unary:
			found = true
		}
	})
	return found
}

// ---- expr programs ----

// exprProgram compiles a value expression (function calls, arithmetic) into
// one expr program. The program calls helpers that share the native
// evaluator's semantics; nulls propagate as in SQL.
func (cp *compiler) exprProgram(e lang.Expr) (valFn, error) {
	g := &exprGen{cp: cp}
	src, err := g.gen(e)
	if err != nil {
		return nil, err
	}
	opts := []expr.Option{expr.Env(exprEnv{}), expr.DisableAllBuiltins()}
	opts = append(opts, g.functions()...)
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, errAt(e.Pos(), "", "internal: compiling %s: %v", e, err)
	}
	return func(x *evalCtx) client.Value {
		out, err := x.vm.Run(prog, &x.env)
		if err != nil {
			return client.Value{}
		}
		if v, ok := out.(*client.Value); ok {
			return *v
		}
		return client.Value{}
	}, nil
}

// exprGen writes expr source for a value expression. Values travel as
// *client.Value pointing into the evaluation context's scratch space (one
// slot per node), so a program allocates nothing per row; leaves (columns,
// literals, conditions) are evaluated by native closures.
type exprGen struct {
	cp      *compiler
	leaves  []valFn         // native leaves
	fields  []*client.Field // label(x) fields
	likes   []*likePattern  // like patterns, compiled once
	regexes []*regexp.Regexp
	codes   [][]string // has codes
}

func (g *exprGen) slot() int {
	k := g.cp.nscratch
	g.cp.nscratch++
	return k
}

func (g *exprGen) gen(e lang.Expr) (string, error) {
	switch e := e.(type) {
	case *lang.Ref, *lang.Literal:
		f, err := g.cp.value(e)
		if err != nil {
			return "", err
		}
		return g.leaf(f), nil
	case *lang.QueryGroup:
		var items []string
		for _, it := range e.Items {
			s, err := g.gen(it)
			if err != nil {
				return "", err
			}
			items = append(items, s)
		}
		fn := map[lang.LogicOp]string{lang.And: "and3", lang.Or: "or3", lang.Not: "not3"}[e.Op]
		return fmt.Sprintf("%s(R, %d, %s)", fn, g.slot(), strings.Join(items, ", ")), nil
	case *lang.Query:
		return g.query(e)
	case *lang.Binary:
		l, err := g.gen(e.Left)
		if err != nil {
			return "", err
		}
		r, err := g.gen(e.Right)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ar(R, %d, %d, %s, %s)", g.slot(), int(e.Op), l, r), nil
	case *lang.Unary:
		x, err := g.gen(e.X)
		if err != nil {
			return "", err
		}
		zero := client.Value{Kind: client.KindNumber}
		return fmt.Sprintf("ar(R, %d, %d, %s, %s)", g.slot(), int(lang.Sub), g.leaf(func(*evalCtx) client.Value { return zero }), x), nil
	case *lang.Call:
		if e.Name == "today" || e.Name == "now" {
			v := g.cp.a.todayValue(e.Name == "now")
			return g.leaf(func(*evalCtx) client.Value { return v }), nil
		}
		args := []string{"R", strconv.Itoa(g.slot())}
		if e.Name == "label" {
			g.fields = append(g.fields, g.cp.a.labels[e])
			args = append(args, strconv.Itoa(len(g.fields)-1))
		}
		for _, x := range e.Args {
			s, err := g.gen(x)
			if err != nil {
				return "", err
			}
			args = append(args, s)
		}
		return "fn_" + e.Name + "(" + strings.Join(args, ", ") + ")", nil
	}
	return "", errAt(e.Pos(), "", "unsupported expression %s", e)
}

// query writes a leaf condition as a helper call returning a truth value
// (1, 0 or null, see triValue).
func (g *exprGen) query(q *lang.Query) (string, error) {
	a := g.cp.a
	if _, ok := a.forms[q]; ok {
		// Form scoping reads the row's form bits: a native leaf.
		c, err := g.cp.query(q)
		if err != nil {
			return "", err
		}
		return g.leaf(func(x *evalCtx) client.Value { return triValue(c(x)) }), nil
	}
	args := []string{"R", strconv.Itoa(g.slot()), strconv.Itoa(int(q.Op))}
	switch q.Op {
	case lang.Like, lang.NotLike:
		g.likes = append(g.likes, a.likes[q])
		args = append(args, strconv.Itoa(len(g.likes)-1))
	case lang.Match:
		g.regexes = append(g.regexes, a.regex[q])
		args = append(args, strconv.Itoa(len(g.regexes)-1))
	case lang.Has, lang.HasAny, lang.HasAll:
		var codes []string
		for _, x := range q.Right {
			codes = append(codes, a.lits[x.(*lang.Literal)].Str)
		}
		g.codes = append(g.codes, codes)
		args = append(args, strconv.Itoa(len(g.codes)-1))
		l, err := g.gen(q.Left)
		if err != nil {
			return "", err
		}
		return "cond(" + strings.Join(append(args, l), ", ") + ")", nil
	}
	for _, x := range append([]lang.Expr{q.Left}, q.Right...) {
		if q.Op == lang.Like || q.Op == lang.NotLike || q.Op == lang.Match {
			if x != q.Left {
				continue // the compiled pattern stands for it
			}
		}
		s, err := g.gen(x)
		if err != nil {
			return "", err
		}
		args = append(args, s)
	}
	return "cond(" + strings.Join(args, ", ") + ")", nil
}

// condHelper evaluates a leaf condition for expr programs:
// cond(R, slot, op, [pattern|codes index,] operands...).
func (g *exprGen) condHelper(p ...any) (any, error) {
	op := lang.CompareOp(p[2].(int))
	val := func(i int) client.Value { return *p[i].(*client.Value) }
	var t tri
	switch op {
	case lang.Eq, lang.Ne, lang.Lt, lang.Le, lang.Gt, lang.Ge:
		t = compareOp(op, val(3), val(4))
	case lang.In, lang.NotIn:
		list := make([]client.Value, 0, len(p)-4)
		for i := 4; i < len(p); i++ {
			list = append(list, val(i))
		}
		t = inList(val(3), list)
		if op == lang.NotIn {
			t = t.not()
		}
	case lang.Between, lang.NotBetween:
		t = between(val(3), val(4), val(5))
		if op == lang.NotBetween {
			t = t.not()
		}
	case lang.IsNull:
		t = triOf(val(3).Kind == client.KindNull)
	case lang.IsNotNull:
		t = triOf(val(3).Kind != client.KindNull)
	case lang.Like, lang.NotLike:
		t = triUnknown
		if s, ok := textOf(val(4)); ok {
			t = triOf(g.likes[p[3].(int)].match(s) != (op == lang.NotLike))
		}
	case lang.Match:
		t = triUnknown
		if s, ok := textOf(val(4)); ok {
			t = triOf(g.regexes[p[3].(int)].MatchString(s))
		}
	case lang.Has, lang.HasAny, lang.HasAll:
		t = hasCodes(val(4), g.codes[p[3].(int)], op == lang.HasAll)
	}
	return put(p[0], p[1], triValue(t)), nil
}

// logicHelper combines truth values for expr programs: and3, or3, not3.
func logicHelper(op lang.LogicOp) func(p ...any) (any, error) {
	return func(p ...any) (any, error) {
		t := valueTri(*p[2].(*client.Value))
		for _, x := range p[3:] {
			u := valueTri(*x.(*client.Value))
			if op == lang.And {
				t = and3(t, u)
			} else {
				t = or3(t, u)
			}
		}
		if op == lang.Not {
			t = t.not()
		}
		return put(p[0], p[1], triValue(t)), nil
	}
}

// leaf registers a native leaf and returns its call: v(R, leaf, slot).
func (g *exprGen) leaf(f valFn) string {
	g.leaves = append(g.leaves, f)
	return fmt.Sprintf("v(R, %d, %d)", len(g.leaves)-1, g.slot())
}

// put stores v in the context's scratch slot k and returns a pointer to it.
func put(p any, k any, v client.Value) *client.Value {
	x := p.(*evalCtx)
	x.scratch[k.(int)] = v
	return &x.scratch[k.(int)]
}

func (g *exprGen) functions() []expr.Option {
	leaves, fields := g.leaves, g.fields
	opts := []expr.Option{
		expr.Function("v", func(p ...any) (any, error) {
			return put(p[0], p[2], leaves[p[1].(int)](p[0].(*evalCtx))), nil
		}),
		expr.Function("ar", func(p ...any) (any, error) {
			return put(p[0], p[1], arith(lang.ArithOp(p[2].(int)), *p[3].(*client.Value), *p[4].(*client.Value))), nil
		}),
		expr.Function("fn_label", func(p ...any) (any, error) {
			return put(p[0], p[1], labelOf(fields[p[2].(int)], *p[3].(*client.Value))), nil
		}),
		expr.Function("cond", g.condHelper),
		expr.Function("and3", logicHelper(lang.And)),
		expr.Function("or3", logicHelper(lang.Or)),
		expr.Function("not3", logicHelper(lang.Not)),
	}
	for name := range functions {
		if name == "label" || name == "today" || name == "now" {
			continue
		}
		name := name
		opts = append(opts, expr.Function("fn_"+name, func(p ...any) (any, error) {
			var buf [4]client.Value
			args := buf[:0]
			for _, x := range p[2:] {
				args = append(args, *x.(*client.Value))
			}
			return put(p[0], p[1], callFunc(name, args, nil)), nil
		}))
	}
	return opts
}
