package rq

import (
	"context"

	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/exec"
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
	pl, err := p.Planner(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := pl.Plan(stmt.AsExplain(analyze), params)
	if err != nil {
		return nil, err
	}
	text, js, err := p.explainPlan(ctx, plan)
	if err != nil {
		return nil, err
	}
	return &Explanation{Text: text, JSON: js}, nil
}

// explainPlan renders plan (text, JSON) with the engine's tuning, running
// it first for explain analyze: the run's figures come from the execution
// (exec.Analyze), not from the plan, which nothing changes.
func (p *Project) explainPlan(ctx context.Context, plan *planner.Plan) (string, []byte, error) {
	o := planner.ExplainOptions{Tuning: p.tuning()}
	if plan.Analyze {
		run, err := exec.Analyze(ctx, p.c, plan, p.execOptions())
		if err != nil {
			return "", nil, err
		}
		o.Run = run
	}
	return p.explainDoc(plan, o)
}
