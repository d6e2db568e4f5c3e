package exec

import (
	"context"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/fetch"
)

// Options are one execution's options: the engine's tuning and what to do
// besides fetching from the API.
type Options struct {
	// Tuning is the engine's batch tuning (zero values: Fetch's defaults).
	Tuning planner.Tuning
	// Progress, when set, is told about each call of a record export.
	Progress func(fetch.Progress)
	// Labels makes columns named after a choice field hold labels.
	Labels bool
	// Records, when set, reads a records plan's rows from elsewhere (a
	// mirror) instead of the API.
	Records func(*planner.Plan) (RawRows, error)
}

// Result is a running statement: its rows, the choice fields whose labels
// replace codes (nil without labels) and the run's figures.
type Result struct {
	rows   Rows
	fetch  *fetch.FetchRows // nil when no record export was made
	labels []*client.Field
}

// Stats is what one run did so far: the record export's figures (Fetched
// is false when none was made) and the local pipeline's.
type Stats struct {
	Fetch   fetch.FetchStats
	Fetched bool
	Run     PipelineStats
}

// Run fetches what plan reads and runs its local pipeline; a summarize
// statement's rows are then summarized. The caller reads the rows and
// closes them. The plan is not changed (it may run again, concurrently).
func Run(ctx context.Context, c *client.Client, plan *planner.Plan, o Options) (*Result, error) {
	return run(ctx, c, plan, o, true)
}

// run is Run; summarize false leaves a summarize statement's pipeline rows
// as they are (explain analyze measures the pipeline).
func run(ctx context.Context, c *client.Client, plan *planner.Plan, o Options, summarize bool) (*Result, error) {
	r := &Result{}
	var raw RawRows
	switch {
	case o.Records != nil && !plan.Empty:
		m, err := o.Records(plan)
		if err != nil {
			return nil, err
		}
		raw = m
	case plan.Source != "records":
		t, err := fetch.FetchSource(ctx, c, plan.Source)
		if err != nil {
			return nil, err
		}
		raw = t
	case plan.Empty:
		raw = fetch.NewTableRows(nil, nil)
	default:
		fo := plan.FetchOptions(o.Tuning)
		fo.Progress = o.Progress
		f, err := fetch.Fetch(ctx, c, plan.Export, fo)
		if err != nil {
			return nil, err
		}
		r.fetch = f
		raw = f
	}
	r.rows = Pipeline(ctx, plan, raw)
	switch {
	case summarize && plan.Stmt != nil && plan.Stmt.Summarize:
		r.rows = Summarize(plan.Planner().Catalog(), r.rows, plan.Stmt)
	case o.Labels:
		r.labels = LabelFields(plan.Dictionary(), r.rows.Columns())
	}
	return r, nil
}

// Rows returns the result's rows (codes: apply Labels with
// ApplyLabels).
func (r *Result) Rows() Rows { return r.rows }

// Labels returns, per column, the choice field whose labels the column
// shows (nil when labels are off or no column is a choice field).
func (r *Result) Labels() []*client.Field { return r.labels }

// Stats returns what the run has done so far.
func (r *Result) Stats() Stats {
	s := Stats{Run: r.rows.Stats()}
	if r.fetch != nil {
		s.Fetch, s.Fetched = r.fetch.Stats(), true
	}
	return s
}

// Analyze runs plan to the end, discarding its rows, and returns the run's
// figures for explain analyze (planner.ExplainOptions.Run).
func Analyze(ctx context.Context, c *client.Client, plan *planner.Plan, o Options) (*planner.RunStats, error) {
	r, err := run(ctx, c, plan, o, false)
	if err != nil {
		return nil, err
	}
	rows := r.Rows()
	for rows.Next() {
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	st := r.Stats()
	run := &planner.RunStats{Local: st.Run.Explained()}
	if st.Fetched {
		run.Fetch = &st.Fetch
	}
	return run, nil
}
