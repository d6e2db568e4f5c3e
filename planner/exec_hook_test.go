package planner_test

import (
	"context"

	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/exec"
	"github.com/redcapql/rq/planner/fetch"
)

// init gives planner's internal tests exec's pipeline (see export_test.go).
func init() {
	planner.RunPipeline = func(ctx context.Context, p *planner.Plan, raw fetch.RawRows) planner.TestRows {
		return explainedRows{exec.Pipeline(ctx, p, raw)}
	}
	planner.TypeRows = func(p *planner.Plan, raw fetch.RawRows) ([]*planner.Row, error) {
		rows, _, err := exec.TypeRows(p, raw)
		return rows, err
	}
}

// explainedRows is exec.Rows with its figures as explain reports them.
type explainedRows struct{ exec.Rows }

func (r explainedRows) Stats() planner.LocalStats { return *r.Rows.Stats().Explained() }
