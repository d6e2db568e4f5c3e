package planner

import (
	"slices"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// program is the checked output side of a query: select list, grouping, ordering.
type program struct {
	star    bool
	items   []outItem
	agg     bool // aggregates or group by
	groupBy []lang.Expr
	order   []orderKey
	hidden  int // order keys appended to output rows and trimmed before returning them

	// compiled
	filter   []condFn
	outs     []valFn // non-aggregate items and hidden keys
	groupFns []valFn
	aggArgs  []valFn // per item: the aggregate's argument (nil for count(*))
}

type outItem struct {
	name  string
	expr  lang.Expr
	agg   *lang.Call // aggregate call, or nil
	group int        // agg query, non-aggregate item: index into groupBy
}

type orderKey struct {
	col  int // output column (hidden keys follow the items)
	desc bool
}

// starColumns lists what select * returns: the key columns, then the fields
// of the scoped forms (all forms when not scoped), checkboxes as code sets.
func (a *analysis) starColumns(scope []string) []*lang.Ref {
	pl := a.pl
	if a.table != nil {
		var out []*lang.Ref
		for _, c := range a.table {
			out = append(out, &lang.Ref{Name: c.Name})
		}
		return out
	}
	out := []*lang.Ref{{Name: "record"}}
	if pl.proj.Longitudinal {
		out = append(out, &lang.Ref{Name: "redcap_event_name"})
	}
	if pl.repeats {
		out = append(out, &lang.Ref{Name: "redcap_repeat_instrument"}, &lang.Ref{Name: "redcap_repeat_instance"})
	}
	if a.usesDAG {
		out = append(out, &lang.Ref{Name: "redcap_data_access_group"})
	}
	for _, f := range pl.dict.Fields() {
		if f.FieldType == "descriptive" || f.Name == pl.recordIDName {
			continue
		}
		if len(scope) > 0 && !slices.Contains(scope, f.Form) {
			continue
		}
		out = append(out, &lang.Ref{Name: f.Name, Bracketed: true})
	}
	return out
}

// topScope returns the forms of the where clause's top-level form = / in conjuncts.
func (a *analysis) topScope(where lang.Expr) []string {
	var out []string
	for _, e := range conjuncts(where) {
		if q := queryOf(e); isScopeIn(q) {
			for _, f := range a.forms[q] {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func exprName(e lang.Expr) string {
	if r, ok := e.(*lang.Ref); ok && r.Event == "" {
		return r.Name
	}
	return e.String()
}

// checkOutput checks the select list, group by and order by.
func (a *analysis) checkOutput(s *lang.Select) (*program, error) {
	p := &program{}
	for _, g := range s.GroupBy {
		if _, err := a.value(g); err != nil {
			return nil, err
		}
		p.groupBy = append(p.groupBy, g)
	}
	p.agg = len(p.groupBy) > 0
	for _, it := range s.Items {
		if c, ok := it.Expr.(*lang.Call); ok && aggregates[c.Name] {
			p.agg = true
		}
	}
	for _, it := range s.Items {
		if it.Star {
			if p.agg {
				return nil, errAt(it.Pos(), "", "select * cannot be combined with aggregates or group by")
			}
			p.star = true
			for _, r := range a.starColumns(a.topScope(s.Where)) {
				if r.Name == "record" && a.table == nil {
					r.Name = a.pl.recordIDName
					r.Bracketed = true
				}
				if _, err := a.value(r); err != nil {
					return nil, err
				}
				p.items = append(p.items, outItem{name: a.cols[r].name, expr: r, group: -1})
			}
			continue
		}
		item := outItem{name: it.Alias, expr: it.Expr, group: -1}
		if item.name == "" {
			item.name = exprName(it.Expr)
		}
		if c, ok := it.Expr.(*lang.Call); ok && aggregates[c.Name] {
			if err := a.aggregate(c); err != nil {
				return nil, err
			}
			item.agg = c
		} else {
			if _, err := a.value(it.Expr); err != nil {
				return nil, err
			}
			if p.agg {
				item.group = slices.IndexFunc(p.groupBy, func(g lang.Expr) bool { return g.String() == it.Expr.String() })
				if item.group < 0 {
					return nil, errAt(it.Pos(), "", "%s must be in group by or inside an aggregate", it.Expr)
				}
			}
		}
		p.items = append(p.items, item)
	}
	visible := len(p.items)
	for _, o := range s.OrderBy {
		col := -1
		if l, ok := o.Expr.(*lang.Literal); ok {
			// order by 2: the second column, as in SQL.
			if l.Kind != lang.Number || l.Num != float64(int(l.Num)) || l.Num < 1 || int(l.Num) > visible {
				return nil, errAt(l.Pos(), "", "order by %s: a literal must be a column number from 1 to %d", l, visible)
			}
			p.order = append(p.order, orderKey{col: int(l.Num) - 1, desc: o.Desc})
			continue
		}
		if r, ok := o.Expr.(*lang.Ref); ok && r.Event == "" {
			for i, it := range p.items {
				if it.name == r.Name {
					col = i
					break
				}
			}
		}
		if col < 0 {
			col = slices.IndexFunc(p.items, func(it outItem) bool { return it.expr.String() == o.Expr.String() })
		}
		if col < 0 {
			if p.agg {
				return nil, errAt(o.Pos(), "", "order by %s: not in the select list of an aggregate query", o.Expr)
			}
			if _, err := a.value(o.Expr); err != nil {
				return nil, err
			}
			p.items = append(p.items, outItem{name: "", expr: o.Expr, group: -1})
			p.hidden++
			col = len(p.items) - 1
		}
		p.order = append(p.order, orderKey{col: col, desc: o.Desc})
	}
	return p, nil
}

func (a *analysis) aggregate(c *lang.Call) error {
	switch {
	case c.Star:
		if c.Name != "count" {
			return errAt(c.Pos(), "", "%s(*) is not an aggregate; only count(*)", c.Name)
		}
		return nil
	case len(c.Args) != 1:
		return errAt(c.Pos(), "", "%s takes one argument", c.Name)
	}
	x := c.Args[0]
	var nested error
	walk(x, func(e lang.Expr) {
		if n, ok := e.(*lang.Call); ok && aggregates[n.Name] && nested == nil {
			nested = errAt(n.Pos(), "", "aggregates cannot be nested")
		}
	})
	if nested != nil {
		return nested
	}
	k, err := a.value(x)
	if err != nil {
		return err
	}
	if (c.Name == "sum" || c.Name == "avg") && k != client.KindNumber && k != kindBool && k != client.KindNull {
		return errAt(x.Pos(), "", "%s needs numbers, not %s (%s)", c.Name, kindName(k), x)
	}
	return nil
}

// compile builds the residual filter and the output functions.
func (p *Plan) compile() error {
	cp := &compiler{a: p.a}
	prog := p.prog
	for _, e := range p.residual {
		c, err := cp.residual(e)
		if err != nil {
			return err
		}
		prog.filter = append(prog.filter, c)
	}
	for _, g := range prog.groupBy {
		f, err := cp.value(g)
		if err != nil {
			return err
		}
		prog.groupFns = append(prog.groupFns, f)
	}
	prog.outs = make([]valFn, len(prog.items))
	prog.aggArgs = make([]valFn, len(prog.items))
	for i, it := range prog.items {
		var err error
		switch {
		case it.agg != nil:
			if !it.agg.Star {
				prog.aggArgs[i], err = cp.value(it.agg.Args[0])
			}
		case it.group >= 0:
		default:
			prog.outs[i], err = cp.value(it.expr)
		}
		if err != nil {
			return err
		}
	}
	p.sched = len(p.a.pinEvents) > 0
	p.scratch = cp.nscratch
	return nil
}

// Columns returns the names of the result's columns.
func (p *Plan) Columns() []string {
	var out []string
	for _, it := range p.prog.items[:len(p.prog.items)-p.prog.hidden] {
		out = append(out, it.name)
	}
	return out
}
