package planner

import (
	"fmt"
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
	aggs    []*lang.Call // aggregate query: its distinct aggregate calls
	// gslots maps the nodes of an aggregate query's items that are read
	// from the group row: group keys (slots 0..len(groupBy)-1), then
	// aggregates. Items are expressions over these.
	gslots   map[lang.Expr]int
	having   lang.Expr // a condition on each group's row; nil when absent
	distinct bool      // select distinct: each visible row once
	order    []orderKey
	hidden   int   // order keys appended to output rows and trimmed before returning them
	bools    []int // output columns that are conditions: 1/0 inside, client.KindBool out

	// compiled
	filter   []condFn
	outs     []ValueFunc // per item (and hidden key); over the group row in an aggregate query
	groupFns []ValueFunc
	aggArgs  []ValueFunc // per aggregate: its argument (nil for count(*))
	aggParam []float64
	havingFn ValueFunc // over the group row: 1 keeps the group
}

type outItem struct {
	name string
	expr lang.Expr
}

type orderKey struct {
	col    int // output column (hidden keys follow the items)
	desc   bool
	nulls  lang.NullsOrder
	record bool // the column is the record id: REDCap's numeric-aware order
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
	if pl.cat.Longitudinal() {
		out = append(out, &lang.Ref{Name: "redcap_event_name"})
	}
	if pl.cat.Repeats() {
		out = append(out, &lang.Ref{Name: "redcap_repeat_instrument"}, &lang.Ref{Name: "redcap_repeat_instance"})
	}
	if a.usesDAG {
		out = append(out, &lang.Ref{Name: "redcap_data_access_group"})
	}
	for _, f := range pl.cat.Dictionary().Fields() {
		if f.FieldType == "descriptive" || f.Name == pl.cat.RecordID() {
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

// itemText is a select item as source, for messages.
func itemText(it *lang.SelectItem) string {
	if it.Star {
		return "*"
	}
	return it.Expr.String()
}

func exprName(e lang.Expr) string {
	if r, ok := e.(*lang.Ref); ok && r.Event == "" {
		return r.Name
	}
	return e.String()
}

// checkOutput checks the select list, group by and order by.
func (a *analysis) checkOutput(s *lang.Select) (*program, error) {
	p := &program{gslots: map[lang.Expr]int{}}
	for _, g := range s.GroupBy {
		if l, ok := g.(*lang.Literal); ok {
			// group by 2: the second select item, as order by 2 and in SQL.
			if l.Kind != lang.Number || l.Num != float64(int(l.Num)) || l.Num < 1 || int(l.Num) > len(s.Items) {
				return nil, errAt(l.Pos(), "", "group by %s: a literal must be a column number from 1 to %d", l, len(s.Items))
			}
			it := s.Items[int(l.Num)-1]
			if it.Star || hasAggregate(it.Expr) {
				return nil, errAt(l.Pos(), "", "group by %s: column %s is %s, which cannot be grouped by", l, l, itemText(it))
			}
			g = it.Expr
		}
		if alias := a.groupAlias(g, s.Items); alias != nil {
			if hasAggregate(alias) {
				return nil, errAt(g.Pos(), "", "group by %s: %s is %s, an aggregate, which cannot be grouped by", g, g, alias)
			}
			g = alias
		}
		if _, err := a.value(g); err != nil {
			return nil, err
		}
		p.groupBy = append(p.groupBy, g)
	}
	p.agg = len(p.groupBy) > 0 || s.Having != nil
	p.distinct = s.Distinct
	for _, it := range s.Items {
		if !it.Star && hasAggregate(it.Expr) {
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
				if r.Name == "record" && !r.Bracketed && a.table == nil {
					// the key column, not a project field named record
					r.Name = a.pl.cat.RecordID()
					r.Bracketed = true
				}
				if _, err := a.value(r); err != nil {
					return nil, err
				}
				p.items = append(p.items, outItem{name: a.cols[r].name, expr: r})
			}
			continue
		}
		item := outItem{name: it.Alias, expr: it.Expr}
		if item.name == "" {
			item.name = exprName(it.Expr)
		}
		if err := a.outValue(p, it.Expr); err != nil {
			return nil, err
		}
		p.items = append(p.items, item)
	}
	if s.Having != nil {
		if err := a.havingCond(p, s.Having); err != nil {
			return nil, err
		}
		p.having = s.Having
	}
	visible := len(p.items)
	for _, o := range s.OrderBy {
		col := -1
		if l, ok := o.Expr.(*lang.Literal); ok {
			// order by 2: the second column, as in SQL.
			if l.Kind != lang.Number || l.Num != float64(int(l.Num)) || l.Num < 1 || int(l.Num) > visible {
				return nil, errAt(l.Pos(), "", "order by %s: a literal must be a column number from 1 to %d", l, visible)
			}
			p.order = append(p.order, orderKey{col: int(l.Num) - 1, desc: o.Desc, nulls: o.Nulls})
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
			if p.distinct {
				return nil, errAt(o.Pos(), "", "with select distinct, order by %s must be one of the selected columns", o.Expr)
			}
			if err := a.outValue(p, o.Expr); err != nil {
				return nil, err
			}
			p.items = append(p.items, outItem{name: "", expr: o.Expr})
			p.hidden++
			col = len(p.items) - 1
		}
		p.order = append(p.order, orderKey{col: col, desc: o.Desc, nulls: o.Nulls})
	}
	for i, k := range p.order {
		p.order[i].record = a.isRecordID(p.items[k.col].expr)
	}
	return p, nil
}

// groupAlias returns the select item that group by g names by its alias, or
// nil: g is a plain name that is no column but is an item's alias (as in
// select age / 10 as decade ... group by decade). A column of that name wins,
// as in PostgreSQL.
func (a *analysis) groupAlias(g lang.Expr, items []*lang.SelectItem) lang.Expr {
	r, ok := g.(*lang.Ref)
	if !ok || r.Event != "" || r.Bracketed {
		return nil
	}
	for _, it := range items {
		if it.Star || it.Alias != r.Name {
			continue
		}
		if _, err := a.resolve(&lang.Ref{Name: r.Name, Position: r.Position}); err == nil {
			return nil
		}
		return it.Expr
	}
	return nil
}

// havingCond checks having: a condition over the group row (group keys and
// aggregates), as a select item of an aggregate query is.
func (a *analysis) havingCond(p *program, e lang.Expr) error {
	if err := a.outValue(p, e); err != nil {
		return err
	}
	if k := a.kinds[e]; k != kindBool {
		return errAt(e.Pos(), "", "having needs a condition, not %s (%s)", kindName(k), e)
	}
	return nil
}

// isRecordID reports whether an output expression is the record id column
// (record or the id field's name; not an event-pinned reference, which is
// a value that may be null).
func (a *analysis) isRecordID(e lang.Expr) bool {
	r, ok := e.(*lang.Ref)
	if !ok || r.Event != "" {
		return false
	}
	c := a.cols[r]
	return c != nil && c.kind == ckRecord
}

// outValue checks an output expression (select item or order by key). In
// an aggregate query it may contain aggregates, and every column it reads
// outside them must be a group by expression (or inside one, as in
// label(x) grouped by x, which is functionally dependent on x).
func (a *analysis) outValue(p *program, e lang.Expr) error {
	if !p.agg {
		_, err := a.value(e)
		return err
	}
	a.aggOK = true
	_, err := a.value(e)
	a.aggOK = false
	if err != nil {
		return err
	}
	return p.bindGroup(e)
}

// bindGroup maps the group keys and aggregates of an aggregate query's
// output expression to their slots in the group row.
func (p *program) bindGroup(e lang.Expr) error {
	if i := slices.IndexFunc(p.groupBy, func(g lang.Expr) bool { return g.String() == e.String() }); i >= 0 {
		p.gslots[e] = i
		return nil
	}
	var kids []lang.Expr
	switch e := e.(type) {
	case *lang.Call:
		if isAggregate(e.Name) {
			i := slices.IndexFunc(p.aggs, func(c *lang.Call) bool { return c.String() == e.String() })
			if i < 0 {
				p.aggs = append(p.aggs, e)
				i = len(p.aggs) - 1
			}
			p.gslots[e] = len(p.groupBy) + i
			return nil
		}
		kids = e.Args
	case *lang.Ref:
		return errAt(e.Pos(), "", "%s must be in group by or inside an aggregate", e)
	case *lang.Query:
		kids = append([]lang.Expr{e.Left}, e.Right...)
	case *lang.QueryGroup:
		kids = e.Items
	case *lang.Binary:
		kids = []lang.Expr{e.Left, e.Right}
	case *lang.Unary:
		kids = []lang.Expr{e.X}
	case *lang.Case:
		for _, w := range e.Whens {
			kids = append(kids, w.Cond, w.Then)
		}
		if e.Else != nil {
			kids = append(kids, e.Else)
		}
	}
	for _, k := range kids {
		if err := p.bindGroup(k); err != nil {
			return err
		}
	}
	return nil
}

// hasAggregate reports whether an expression contains an aggregate call.
func hasAggregate(e lang.Expr) bool {
	found := false
	walk(e, func(x lang.Expr) {
		if c, ok := x.(*lang.Call); ok && isAggregate(c.Name) {
			found = true
		}
	})
	return found
}

// aggregate checks an aggregate call and returns its result's type.
func (a *analysis) aggregate(c *lang.Call) (client.Kind, error) {
	switch {
	case c.Star:
		if c.Name != "count" {
			return 0, errAt(c.Pos(), "", "%s(*) is not an aggregate; only count(*)", c.Name)
		}
		return client.KindNumber, nil
	case c.Name == "percentile":
		if len(c.Args) != 2 {
			return 0, errAt(c.Pos(), "", "percentile takes two arguments: percentile(x, p) with p from 0 to 1, e.g. percentile(score, 0.9)")
		}
		if err := a.percentileArg(c.Args[1]); err != nil {
			return 0, err
		}
	case len(c.Args) != 1:
		return 0, errAt(c.Pos(), "", "%s takes one argument", c.Name)
	}
	x := c.Args[0]
	var nested error
	walk(x, func(e lang.Expr) {
		if n, ok := e.(*lang.Call); ok && isAggregate(n.Name) && nested == nil {
			nested = errAt(n.Pos(), "", "aggregates cannot be nested")
		}
	})
	if nested != nil {
		return 0, nested
	}
	k, err := a.value(x)
	if err != nil {
		return 0, err
	}
	switch c.Name {
	case "sum", "avg", "median", "stddev", "var", "percentile":
		if k != client.KindNumber && k != kindBool && k != client.KindNull {
			return 0, errAt(x.Pos(), "", "%s needs numbers, not %s (%s)", c.Name, kindName(k), x)
		}
		return client.KindNumber, nil
	case "min", "max":
		if k == client.KindCodeSet {
			// a set of ticked codes has no order
			return 0, errAt(x.Pos(), "", "%s needs values that order, not %s (%s); use count(%s) or a checkbox column like %s",
				c.Name, kindName(k), x, x, a.checkboxExample(x))
		}
		return k, nil
	case "mode":
		return k, nil
	}
	return client.KindNumber, nil
}

// percentileArg checks percentile's p: a number from 0 to 1 (a literal, or
// a parameter's value).
func (a *analysis) percentileArg(x lang.Expr) error {
	l, ok := x.(*lang.Literal)
	if !ok {
		return errAt(x.Pos(), "", "percentile's p must be a number from 0 to 1, not %s", x)
	}
	v, err := a.convert(l, client.KindNumber, nil)
	if err != nil || v.Kind != client.KindNumber {
		return errAt(x.Pos(), "", "percentile's p must be a number from 0 to 1, not %s", x)
	}
	if v.Num < 0 || v.Num > 1 {
		hint := ""
		if v.Num > 1 && v.Num <= 100 {
			hint = fmt.Sprintf("; for the %gth percentile write %g", v.Num, v.Num/100)
		}
		return errAt(x.Pos(), "", "percentile's p must be from 0 to 1, not %s%s", x, hint)
	}
	a.lits[l] = v
	a.kinds[l] = client.KindNumber
	return nil
}

// checkboxExample names one ___code column of checkbox x, for hints.
func (a *analysis) checkboxExample(x lang.Expr) string {
	if r, ok := x.(*lang.Ref); ok {
		if c := a.cols[r]; c != nil && c.field != nil && len(c.field.Choices) > 0 {
			if col := a.pl.cat.Dictionary().CheckboxColumn(c.field.Name, c.field.Choices[0].Code); col != "" {
				return col
			}
		}
	}
	return "x___1"
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
	prog.aggArgs = make([]ValueFunc, len(prog.aggs))
	prog.aggParam = make([]float64, len(prog.aggs))
	for i, c := range prog.aggs {
		if c.Star {
			continue
		}
		if c.Name == "percentile" {
			prog.aggParam[i] = p.a.lits[c.Args[1].(*lang.Literal)].Num
		} else if c.Name == "median" {
			prog.aggParam[i] = 0.5
		}
		f, err := cp.value(c.Args[0])
		if err != nil {
			return err
		}
		prog.aggArgs[i] = f
	}
	if prog.agg {
		cp.gslots = prog.gslots // items read group keys and aggregates from the group row
	}
	if prog.having != nil {
		f, err := cp.value(prog.having)
		if err != nil {
			return err
		}
		prog.havingFn = f
	}
	prog.outs = make([]ValueFunc, len(prog.items))
	for i, it := range prog.items {
		f, err := cp.value(it.expr)
		if err != nil {
			return err
		}
		prog.outs[i] = f
		if i < len(prog.items)-prog.hidden && p.a.kinds[it.expr] == kindBool {
			prog.bools = append(prog.bools, i)
		}
	}
	p.scratch = cp.nscratch
	p.program = p.buildProgram()
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
