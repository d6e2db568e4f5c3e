package rq

import (
	"context"

	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
)

// Explanation is a query's plan as text and as JSON.
type Explanation struct {
	Text string // for people: calls, conjunct classes, residual (and the run's figures)
	JSON []byte // the same document for programs (see docs/planning.md)
}

// Explain plans src without running it, or, with analyze, runs it (reading
// and discarding every row) and adds what the run did: calls, splits, rows
// fetched and kept, bytes, and time on the server, on the wire and locally.
func (p *Project) Explain(ctx context.Context, src string, params map[string]string, analyze bool) (*Explanation, error) {
	stmt, err := lang.Parse(src)
	if err != nil {
		return nil, err
	}
	s := *stmt
	s.Explain, s.Analyze = true, analyze
	pl, err := p.Planner(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := p.plan(pl, &s, params)
	if err != nil {
		return nil, err
	}
	text, js, err := p.explainPlan(ctx, pl, plan)
	if err != nil {
		return nil, err
	}
	return &Explanation{Text: text, JSON: js}, nil
}

// explainPlan renders plan, running it first for explain analyze.
func (p *Project) explainPlan(ctx context.Context, pl *planner.Planner, plan *planner.Plan) (string, []byte, error) {
	if plan.Analyze {
		rows, err := p.run(ctx, pl, plan)
		if err != nil {
			return "", nil, err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return "", nil, err
		}
	}
	return p.explainDoc(plan)
}
