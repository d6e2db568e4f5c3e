package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// Class says how much of a conjunct the API guarantees.
type Class int

// Conjunct classes (rq-language.md §6).
const (
	Exact   Class = iota + 1 // the API guarantees it; not re-checked locally
	Inexact                  // a superset is pushed; every row is re-checked locally
	Local                    // evaluated locally only
)

// String returns "exact", "inexact" or "local".
func (c Class) String() string {
	switch c {
	case Exact:
		return "exact"
	case Inexact:
		return "inexact"
	case Local:
		return "local"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Conjunct is one top-level conjunct of the where clause and what became of it.
type Conjunct struct {
	Source string   // the conjunct as canonical rq source
	Class  Class    // exact, inexact or local
	Pushed string   // what was sent: "records=1,2", "events=...", "forms=...", the filterLogic text; "" when local
	Pos    lang.Pos // position of the conjunct in the query
	expr   lang.Expr
}

// Plan is a checked, planned query: the export to make and the local
// pipeline to run on it. Nothing writes into a Plan once Plan has returned
// it: the engine's tuning is passed to execution (Tuning) and a run's
// figures live in the run's own values (fetch.FetchStats, Stats), so one plan can
// be explained and run any number of times, concurrently.
type Plan struct {
	// Source is the table read: "records" or another source (metadata, events, ...).
	Source string
	// Empty is true when the where clause can select no row (record in (),
	// a contradiction, has any ()):
	// no call is needed and the query returns no rows.
	Empty bool
	// EmptyReason says why Empty is set, e.g. "the pushed record set is empty".
	EmptyReason string
	// Export holds the pushed parameters: Records, Fields, Forms, Events and
	// FilterLogic. FilterLogic is safe at row level: for every row the query keeps,
	// REDCap's row-by-row filter returns that row. It is re-checked locally.
	Export client.ExportRecordsParams
	// RecordFilter is filterLogic that is only valid at record level (event-pinned
	// conditions in a project with repeating forms, or conditions in a query that
	// also needs rows the condition would drop): use it to find record ids only,
	// then export those records without it. "" when none.
	RecordFilter string
	// Conjuncts lists the where clause's top-level conjuncts with their classes.
	Conjuncts []Conjunct
	// Stmt is the statement planned, with parameters substituted.
	Stmt *lang.Select
	// Analyze is true for explain analyze.
	Analyze bool
	// Warnings are about the query itself, found while planning (each ends
	// with a newline): the longitudinal trap, fields that no row holds together.
	Warnings []string

	pl       *Planner
	a        *analysis
	params   paramLits   // the literals that were parameters
	residual []lang.Expr // conjuncts evaluated locally, in order
	prog     *program
	program  *Program // the compiled pipeline exec runs
	limit    int64    // -1: none
	offset   int64
	scratch  int // scratch values the expr programs need per evaluation context
}

// ResidualString returns the condition evaluated locally as rq source ("" when none).
func (p *Plan) ResidualString() string {
	var parts []string
	for _, e := range p.residual {
		s := e.String()
		if g, ok := e.(*lang.QueryGroup); ok && g.Op == lang.Or {
			s = "(" + s + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " and ")
}

// Plan checks stmt against the data dictionary, substitutes params (text
// values converted by context) and plans it. Errors are *lang.Error at the
// offending token.
func (pl *Planner) Plan(stmt *lang.Select, params map[string]string) (*Plan, error) {
	if stmt == nil {
		return nil, fmt.Errorf("planner: nil statement")
	}
	s, marks, err := substitute(stmt, params)
	if err != nil {
		return nil, err
	}
	source := "records"
	if s.From != nil {
		source = s.From.Name
	}
	p := &Plan{Source: source, Stmt: s, Analyze: s.Analyze, pl: pl, limit: -1, params: marks}
	if p.limit, p.offset, err = limitOffset(s); err != nil {
		return nil, err
	}
	if source != "records" {
		return pl.planSource(p)
	}
	a := newAnalysis(pl, pl.now())
	a.params = p.params
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
	pl.pushdownInto(p)
	if err := p.compile(); err != nil {
		return nil, err
	}
	if w := p.longitudinalWarning(); w != "" {
		p.Warnings = append(p.Warnings, w)
	}
	return p, nil
}

func limitOffset(s *lang.Select) (limit, offset int64, err error) {
	limit = -1
	read := func(e lang.Expr, what string) (int64, error) {
		l, ok := e.(*lang.Literal)
		if !ok {
			return 0, errAt(e.Pos(), "", "%s must be a number, not %s", what, e)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(l.Text), 10, 64)
		if err != nil || n < 0 {
			return 0, errAt(e.Pos(), "", "%s must be a whole number ≥ 0, not %s", what, l)
		}
		return n, nil
	}
	if s.Limit != nil {
		if limit, err = read(s.Limit, "limit"); err != nil {
			return 0, 0, err
		}
	}
	if s.Offset != nil {
		if offset, err = read(s.Offset, "offset"); err != nil {
			return 0, 0, err
		}
	}
	return limit, offset, nil
}

// conjuncts splits a condition at its top-level ands.
func conjuncts(e lang.Expr) []lang.Expr {
	if e == nil {
		return nil
	}
	if g, ok := e.(*lang.QueryGroup); ok && g.Op == lang.And {
		var out []lang.Expr
		for _, it := range g.Items {
			out = append(out, conjuncts(it)...)
		}
		return out
	}
	return []lang.Expr{e}
}

// RowLimit is how many rows the statement reads at most when it can stop
// early: limit (plus offset) without order by, distinct, group by, having
// or aggregates; 0 when it reads every row. Fetch sizes its first batches
// by it (FetchOptions.RowLimit).
func (p *Plan) RowLimit() int {
	if p.limit < 0 || p.prog == nil || p.prog.agg || p.prog.distinct || len(p.prog.order) > 0 {
		return 0
	}
	return int(max(1, p.limit+p.offset))
}
