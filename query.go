package rq

import (
	"context"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/exec"
	"github.com/redcapql/rq/planner/fetch"
)

// Query parses src (one statement), plans it with params ($name values, as
// text) and runs it. Parse and check errors are *lang.Error or
// lang.ErrorList (render them with lang.Render(err, src)); nothing is
// fetched before the query is checked. An explain statement returns its
// plan as rows of one "plan" column. The caller must Close the rows.
func (p *Project) Query(ctx context.Context, src string, params map[string]string) (*Rows, error) {
	stmt, err := lang.Parse(src)
	if err != nil {
		return nil, err
	}
	return p.QueryStmt(ctx, stmt, params)
}

// QueryStmt is Query for a parsed statement.
func (p *Project) QueryStmt(ctx context.Context, stmt *lang.Select, params map[string]string) (*Rows, error) {
	pl, err := p.Planner(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := pl.Plan(stmt, params)
	if err != nil {
		return nil, err
	}
	return p.runPlan(ctx, plan)
}

// runPlan runs a checked plan: its rows, or for explain its plan as rows.
func (p *Project) runPlan(ctx context.Context, plan *planner.Plan) (*Rows, error) {
	if plan.Stmt.Explain || plan.Analyze {
		text, js, err := p.explainPlan(ctx, plan)
		if err != nil {
			return nil, err
		}
		lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
		vals := make([][]client.Value, len(lines))
		for i, l := range lines {
			vals[i] = []client.Value{{Kind: client.KindText, Str: l}}
		}
		return &Rows{plan: plan, out: newValueRows([]string{"plan"}, vals), explainJSON: js}, nil
	}
	res, err := exec.Run(ctx, p.c, plan, p.execOptions())
	if err != nil {
		return nil, err
	}
	return &Rows{plan: plan, out: res.Rows(), res: res, labels: res.Labels()}, nil
}

// Rows is a query's result, read one row at a time:
//
//	rows, err := p.Query(ctx, "select age, score from records where score > 5", nil)
//	if err != nil { ... }
//	defer rows.Close()
//	for rows.Next() {
//		age := rows.Value(0)
//		...
//	}
//	if err := rows.Err(); err != nil { ... }
type Rows struct {
	plan   *planner.Plan
	out    exec.Rows
	res    *exec.Result // nil for an explain's rows
	labels []*client.Field
	row    []client.Value
	codes  []client.Value // the row before labels, when labels are on
	done   bool
	// explainJSON is an explain's JSON document (ExplainJSON).
	explainJSON []byte
}

// Columns returns the result's column names.
func (r *Rows) Columns() []string { return r.out.Columns() }

// Next advances to the next row; it returns false at the end or on error
// (see Err).
func (r *Rows) Next() bool {
	if r.done {
		return false
	}
	if !r.out.Next() {
		r.finish()
		return false
	}
	r.row = r.out.Row()
	if r.labels != nil {
		r.codes = r.row
		r.row = exec.ApplyLabels(r.row, r.labels)
	}
	return true
}

func (r *Rows) finish() { r.done = true }

// Row returns the current row's values; valid until the next call to Next.
func (r *Rows) Row() []client.Value { return r.row }

// Value returns the current row's i-th value.
func (r *Rows) Value(i int) client.Value { return r.row[i] }

// Get returns the current row's value of the named column (false when no
// column has that name).
func (r *Rows) Get(name string) (client.Value, bool) {
	for i, c := range r.Columns() {
		if c == name {
			return r.row[i], true
		}
	}
	return client.Value{}, false
}

// Strings returns the current row as text, each value in REDCap's raw
// export form ("" for null).
func (r *Rows) Strings() []string {
	out := make([]string, len(r.row))
	for i, v := range r.row {
		out[i] = v.String()
	}
	return out
}

// Map returns the current row keyed by column name.
func (r *Rows) Map() map[string]client.Value {
	m := make(map[string]client.Value, len(r.row))
	for i, c := range r.Columns() {
		m[c] = r.row[i]
	}
	return m
}

// Err returns the error that ended the rows, if any.
func (r *Rows) Err() error { return r.out.Err() }

// Close ends the query, stopping every call still in flight.
func (r *Rows) Close() error {
	err := r.out.Close()
	r.finish()
	return err
}

// Plan returns the plan the rows come from (for Filter's id list, the plan
// of the query that found the ids).
func (r *Rows) Plan() *planner.Plan { return r.plan }

// ExplainJSON returns an explain statement's plan as JSON, as
// Project.Explain does (with the mirror's files for a mirror); nil for
// other statements.
func (r *Rows) ExplainJSON() []byte { return r.explainJSON }

// Stats describes a query's work, for explain analyze.
type Stats struct {
	Fetch fetch.FetchStats   // API calls, splits, rows and bytes fetched, server and wire time
	Run   exec.PipelineStats // rows read, kept and returned, invalid values, local time
	// Warnings about the query, found while planning (planner.Plan.Warnings):
	// the longitudinal trap.
	Warnings []string
}

// Stats returns what the query has done so far.
func (r *Rows) Stats() Stats {
	var s Stats
	if r.res != nil {
		st := r.res.Stats()
		s.Fetch, s.Run = st.Fetch, st.Run
	} else {
		s.Run = r.out.Stats()
	}
	if r.plan != nil {
		s.Warnings = r.plan.Warnings
	}
	return s
}

// valueRows is an in-memory exec.Rows.
type valueRows struct {
	cols []string
	rows [][]client.Value
	i    int
}

func newValueRows(cols []string, rows [][]client.Value) *valueRows {
	return &valueRows{cols: cols, rows: rows}
}

func (v *valueRows) Columns() []string { return v.cols }
func (v *valueRows) Next() bool {
	if v.i >= len(v.rows) {
		return false
	}
	v.i++
	return true
}
func (v *valueRows) Row() []client.Value { return v.rows[v.i-1] }
func (v *valueRows) Err() error          { return nil }
func (v *valueRows) Close() error        { return nil }
func (v *valueRows) Stats() exec.PipelineStats {
	return exec.PipelineStats{RowsOut: int64(len(v.rows))}
}

var _ exec.Rows = (*valueRows)(nil)
