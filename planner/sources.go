package planner

import (
	"strings"

	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// planSource plans a query over a local table: every condition is local.
func (pl *Planner) planSource(p *Plan) (*Plan, error) {
	s := p.Stmt
	src, ok := catalog.LookupSource(p.Source)
	if !ok || src.IsRecords() {
		return nil, errAt(s.From.Pos(), "", "no source '%s' (sources: %s)", p.Source, strings.Join(catalog.SourceNames(), ", "))
	}
	a := newAnalysis(pl, pl.now())
	a.params = p.params
	a.table = src.Columns()
	p.a = a
	if s.Where != nil {
		if err := a.cond(s.Where); err != nil {
			return nil, err
		}
	}
	prog, err := a.checkOutput(s)
	if err != nil {
		return nil, err
	}
	p.prog = prog
	for _, e := range conjuncts(s.Where) {
		p.Conjuncts = append(p.Conjuncts, Conjunct{Source: e.String(), Class: Local, Pos: e.Pos(), expr: e})
		p.residual = append(p.residual, e)
	}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return p, nil
}

// resolveTable resolves a name against a source's columns.
func (a *analysis) resolveTable(r *lang.Ref) (*column, error) {
	if r.Event != "" {
		return nil, errAt(r.Pos(), "", "[%s][%s]: event-pinned references apply to records only", r.Event, r.Name)
	}
	for _, c := range a.table {
		if c.Name == r.Name {
			return a.slotFor(&column{kind: ckTable, name: c.Name, tkind: c.Kind}), nil
		}
	}
	var names []string
	for _, c := range a.table {
		names = append(names, c.Name)
	}
	if s := nearest(r.Name, names); s != "" {
		return nil, errAt(r.Pos(), "", "no column '%s'; did you mean '%s'?", r.Name, s)
	}
	return nil, errAt(r.Pos(), "", "no column '%s' (columns: %s)", r.Name, strings.Join(names, ", "))
}
