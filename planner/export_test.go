package planner

import (
	"context"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/fetch"
)

// The local pipeline runs in package exec, which imports planner, so
// planner's own tests cannot import it. exec_hook_test.go (package
// planner_test, linked into the same test binary) sets these to exec's
// functions before any test runs.
var (
	// RunPipeline is exec.Pipeline, its figures as explain reports them.
	RunPipeline func(ctx context.Context, p *Plan, raw fetch.RawRows) TestRows
	// TypeRows is exec.TypeRows.
	TypeRows func(p *Plan, raw fetch.RawRows) ([]*Row, error)
)

// TestRows is exec.Rows with Stats as explain analyze reports them.
type TestRows interface {
	Columns() []string
	Next() bool
	Row() []client.Value
	Err() error
	Close() error
	Stats() LocalStats
}

// runPlan runs p's local pipeline over raw (exec.Pipeline).
func runPlan(ctx context.Context, p *Plan, raw fetch.RawRows) TestRows {
	return RunPipeline(ctx, p, raw)
}
