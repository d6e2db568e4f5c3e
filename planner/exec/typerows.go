package exec

import (
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner"
)

// TypeRows reads raw to the end and types every row as Pipeline does,
// without the residual or the output: for tests and tools that evaluate a
// Program's functions row by row (the planner's checks of its closures
// against expr programs, its residual benchmarks). It closes raw.
func TypeRows(p *planner.Plan, raw RawRows) ([]*planner.Row, PipelineStats, error) {
	defer raw.Close()
	var st PipelineStats
	ty, err := newTyper(p, raw.Columns())
	if err != nil {
		return nil, st, err
	}
	var rows []*planner.Row
	for raw.Next() {
		st.RowsRead++
		r := &planner.Row{Vals: make([]client.Value, len(ty.slots))}
		in := rawRow{}
		if cr, ok := raw.(CellRows); ok {
			in.cells = cr
		} else {
			in.row = raw.Row()
		}
		ty.typeRow(in, r, &st)
		rows = append(rows, r)
	}
	return rows, st, raw.Err()
}
