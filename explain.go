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
	plan, err := pl.Plan(&s, params)
	if err != nil {
		return nil, err
	}
	text, js, err := p.explainPlan(ctx, pl, plan)
	if err != nil {
		return nil, err
	}
	return &Explanation{Text: text, JSON: js}, nil
}

// explainPlan renders plan (text, JSON) with the engine's tuning, running it first for
// explain analyze: the run's figures come from its rows (Rows.Stats), not
// from the plan, which nothing changes.
func (p *Project) explainPlan(ctx context.Context, pl *planner.Planner, plan *planner.Plan) (string, []byte, error) {
	o := planner.ExplainOptions{Tuning: p.tuning()}
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
		st := rows.Stats()
		o.Run = &planner.RunStats{Local: &st.Run}
		if rows.fetch != nil {
			o.Run.Fetch = &st.Fetch
		}
	}
	return p.explainDoc(plan, o)
}
