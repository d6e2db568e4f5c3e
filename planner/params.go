package planner

import (
	"strings"

	"github.com/redcapql/rq/lang"
)

// paramLits marks the literals that stand for parameters.
type paramLits map[*lang.Literal]bool

// substitute returns stmt with every $name replaced by params[name] as a text
// literal at the parameter's position, converted by context when checked
// (true and false are booleans where a number or boolean is expected, e.g.
// a yesno field); the value null (any case) is the null literal, as a
// declared default of null. A parameter without a value is an error naming
// it. stmt is not modified. The substituted literals are returned marked.
func substitute(stmt *lang.Select, params map[string]string) (*lang.Select, paramLits, error) {
	var err error
	marks := paramLits{}
	sub := func(e lang.Expr) lang.Expr {
		if e == nil || err != nil {
			return e
		}
		var out lang.Expr
		out, err = substExpr(e, params, marks)
		return out
	}
	s := *stmt
	s.Items = make([]*lang.SelectItem, len(stmt.Items))
	for i, it := range stmt.Items {
		c := *it
		c.Expr = sub(it.Expr)
		s.Items[i] = &c
	}
	s.Where = sub(stmt.Where)
	s.Having = sub(stmt.Having)
	s.GroupBy = nil
	for _, g := range stmt.GroupBy {
		s.GroupBy = append(s.GroupBy, sub(g))
	}
	s.OrderBy = nil
	for _, o := range stmt.OrderBy {
		c := *o
		c.Expr = sub(o.Expr)
		s.OrderBy = append(s.OrderBy, &c)
	}
	s.Limit = sub(stmt.Limit)
	s.Offset = sub(stmt.Offset)
	if err != nil {
		return nil, nil, err
	}
	return &s, marks, nil
}

func substExpr(e lang.Expr, params map[string]string, marks paramLits) (lang.Expr, error) {
	list := func(xs []lang.Expr) ([]lang.Expr, error) {
		out := make([]lang.Expr, len(xs))
		for i, x := range xs {
			var err error
			if out[i], err = substExpr(x, params, marks); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var err error
	switch e := e.(type) {
	case *lang.Param:
		v, ok := params[e.Name]
		if !ok {
			return nil, errAt(e.Pos(), "", "missing parameter $%s", e.Name)
		}
		l := &lang.Literal{Position: e.Position, Kind: lang.String, Text: v}
		if strings.EqualFold(strings.TrimSpace(v), "null") {
			l = &lang.Literal{Position: e.Position, Kind: lang.Null, Text: "null"}
		}
		marks[l] = true
		return l, nil
	case *lang.Query:
		n := *e
		if n.Left, err = substExpr(e.Left, params, marks); err != nil {
			return nil, err
		}
		if n.Right, err = list(e.Right); err != nil {
			return nil, err
		}
		return &n, nil
	case *lang.QueryGroup:
		n := *e
		if n.Items, err = list(e.Items); err != nil {
			return nil, err
		}
		return &n, nil
	case *lang.Call:
		n := *e
		if n.Args, err = list(e.Args); err != nil {
			return nil, err
		}
		return &n, nil
	case *lang.Binary:
		n := *e
		if n.Left, err = substExpr(e.Left, params, marks); err != nil {
			return nil, err
		}
		if n.Right, err = substExpr(e.Right, params, marks); err != nil {
			return nil, err
		}
		return &n, nil
	case *lang.Unary:
		n := *e
		if n.X, err = substExpr(e.X, params, marks); err != nil {
			return nil, err
		}
		return &n, nil
	case *lang.Case:
		n := *e
		n.Whens = make([]*lang.When, len(e.Whens))
		for i, w := range e.Whens {
			c := *w
			if c.Cond, err = substExpr(w.Cond, params, marks); err != nil {
				return nil, err
			}
			if c.Then, err = substExpr(w.Then, params, marks); err != nil {
				return nil, err
			}
			n.Whens[i] = &c
		}
		if e.Else != nil {
			if n.Else, err = substExpr(e.Else, params, marks); err != nil {
				return nil, err
			}
		}
		return &n, nil
	}
	return e, nil
}
