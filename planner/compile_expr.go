package planner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// exprProgram compiles a value expression (function calls, arithmetic) into
// one expr program. The program calls helpers that share the native
// evaluator's semantics; nulls propagate as in SQL.
func (cp *compiler) exprProgram(e lang.Expr) (ValueFunc, error) {
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
	return func(x *Env) client.Value {
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
	leaves  []ValueFunc     // native leaves
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
	if _, ok := g.cp.gslots[e]; ok {
		f, err := g.cp.value(e) // a group key or aggregate: read from the group row
		if err != nil {
			return "", err
		}
		return g.leaf(f), nil
	}
	switch e := e.(type) {
	case *lang.Ref, *lang.Literal, *lang.Case:
		f, err := g.cp.value(e)
		if err != nil {
			return "", err
		}
		return g.leaf(f), nil
	case *lang.QueryGroup:
		if !needsExpr(e) && !g.cp.allExpr {
			return g.nativeCond(e)
		}
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
		if !needsExpr(e) && !g.cp.allExpr {
			return g.nativeCond(e)
		}
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
		return fmt.Sprintf("ar(R, %d, %d, %s, %s)", g.slot(), int(lang.Sub), g.leaf(func(*Env) client.Value { return zero }), x), nil
	case *lang.Call:
		if e.Name == "today" || e.Name == "now" {
			v := g.cp.a.todayValue(e.Name == "now")
			return g.leaf(func(*Env) client.Value { return v }), nil
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
		return g.leaf(func(x *Env) client.Value { return triValue(c(x)) }), nil
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

// nativeCond makes a condition without functions or arithmetic one native
// leaf of the program (one call instead of one per operand).
func (g *exprGen) nativeCond(e lang.Expr) (string, error) {
	c, err := g.cp.cond(e)
	if err != nil {
		return "", err
	}
	return g.leaf(func(x *Env) client.Value { return triValue(c(x)) }), nil
}

// leaf registers a native leaf and returns its call: v(R, leaf, slot).
func (g *exprGen) leaf(f ValueFunc) string {
	g.leaves = append(g.leaves, f)
	return fmt.Sprintf("v(R, %d, %d)", len(g.leaves)-1, g.slot())
}

// put stores v in the context's scratch slot k and returns a pointer to it.
func put(p any, k any, v client.Value) *client.Value {
	x := p.(*Env)
	x.scratch[k.(int)] = v
	return &x.scratch[k.(int)]
}

func (g *exprGen) functions() []expr.Option {
	leaves, fields := g.leaves, g.fields
	opts := []expr.Option{
		expr.Function("v", func(p ...any) (any, error) {
			return put(p[0], p[2], leaves[p[1].(int)](p[0].(*Env))), nil
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
	for _, f := range lang.Functions {
		name := f.Name
		if f.Aggregate || name == "label" || name == "today" || name == "now" {
			continue
		}
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
