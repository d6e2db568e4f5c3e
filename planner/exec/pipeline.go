package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/fetch"
)

// RawRows is rows as REDCap exports them, in REDCap's record order (all rows
// of a record together): the pipeline's input (fetch.RawRows).
// *client.RecordStream satisfies it.
type RawRows = fetch.RawRows

// CellRows is a RawRows that makes a row's cells one at a time (a
// mirror's Parquet parts make text from typed columns): the typer then
// asks only for the cells the query reads, not for the whole Row.
type CellRows interface {
	RawRows
	Cell(i int) string // the current row's i-th column: Row()[i]
}

// Rows is a query's result: typed rows, read one at a time.
type Rows interface {
	Columns() []string
	Next() bool
	Row() []client.Value // valid until the next call to Next
	Err() error
	Close() error
	Stats() PipelineStats
}

// PipelineStats describes what the local pipeline did.
type PipelineStats struct {
	RowsRead int64         // raw rows read
	RowsKept int64         // rows that passed the where clause
	RowsOut  int64         // rows returned
	Invalid  int64         // values that did not fit their field, read as null
	Examples []string      // the first few invalid values (record, field, value, reason)
	Local    time.Duration // time spent in the local pipeline, waiting for raw rows excluded (sampled: one row in 16 is timed)
}

// Explained returns the figures as explain analyze reports them
// (planner.RunStats.Local).
func (s PipelineStats) Explained() *planner.LocalStats {
	return &planner.LocalStats{RowsRead: s.RowsRead, RowsKept: s.RowsKept, RowsOut: s.RowsOut,
		Invalid: s.Invalid, Examples: s.Examples, LocalMS: float64(s.Local) / float64(time.Millisecond)}
}

const maxExamples = 5

// timeSample: one call to Next in timeSample is timed for Stats.Local.
const timeSample = 16

// Pipeline runs p's local pipeline (p.Program) over raw rows (the export of
// p.Export): typing, form scoping, record grouping, the residual filter,
// projection, aggregates, order by and limit/offset. It takes ownership of
// raw and closes it. p is only read: one plan may run any number of times,
// concurrently.
func Pipeline(ctx context.Context, p *planner.Plan, raw RawRows) Rows {
	return &rowIter{p: p, prog: p.Program(), ctx: ctx, raw: raw, cols: p.Program().Columns}
}

// rowIter is the Rows of a plan.
type rowIter struct {
	p     *planner.Plan
	prog  *planner.Program
	ctx   context.Context
	raw   RawRows
	cells CellRows // raw, when it gives single cells (set by start)
	cols  []string

	started bool
	done    bool
	err     error
	stats   PipelineStats
	ty      *typer
	ev      *planner.Env

	// streaming state
	group   []*planner.Row // the current record's rows (grouping) or one row
	gi      int
	pending *planner.Row    // first row of the next record
	spare   *planner.Row    // the reused typed row when not grouping
	groups  map[string]bool // records already grouped
	wait    time.Duration   // time spent waiting for raw rows (not local work), in timed calls
	// timedReads counts the raw reads of the timed call under way; its
	// first and one in timeSample after are timed (readRow).
	timedReads int
	calls      int64 // calls to Next
	timing     bool  // this call to Next is timed
	skipped    int64
	out        []client.Value

	// materialised result (aggregates / order by)
	result [][]client.Value
	ri     int
}

// Columns returns the result's column names.
func (it *rowIter) Columns() []string { return it.cols }

// Err returns the error that ended iteration, if any.
func (it *rowIter) Err() error { return it.err }

// Stats returns what the pipeline has done so far.
func (it *rowIter) Stats() PipelineStats { return it.stats }

// Row returns the current row; it is valid until the next call to Next.
func (it *rowIter) Row() []client.Value { return it.out }

// Close stops reading and closes the raw rows.
func (it *rowIter) Close() error {
	it.finish()
	return nil
}

func (it *rowIter) finish() {
	if it.done {
		return
	}
	it.done = true
	if it.raw != nil {
		if err := it.raw.Close(); err != nil && it.err == nil {
			it.err = err
		}
	}
}

func (it *rowIter) fail(err error) bool {
	if it.err == nil {
		it.err = err
	}
	it.finish()
	it.out = nil
	return false
}

func (it *rowIter) start() error {
	it.started = true
	if it.p.Empty && it.raw == nil {
		// Nothing is fetched, but the pipeline still runs: an aggregate
		// over no rows yields one row (count 0, sum null), as in SQL.
		it.raw = fetch.NewTableRows(nil, nil)
	}
	if it.raw == nil {
		return fmt.Errorf("planner: no rows to run the plan on")
	}
	ty, err := newTyper(it.p, it.raw.Columns())
	if err != nil {
		return err
	}
	it.ty = ty
	it.cells, _ = it.raw.(CellRows) // asked once, not per row
	prog := it.prog
	it.ev = prog.NewEnv()
	if prog.Aggregate || len(prog.Order) > 0 || prog.Distinct {
		return it.materialise()
	}
	return nil
}

// Next advances to the next result row.
func (it *rowIter) Next() bool {
	if it.done && it.result == nil {
		return false
	}
	// Timing every call would cost more than the work it measures: time
	// one call in timeSample and count it timeSample times.
	it.calls++
	if it.calls%timeSample == 1 || !it.started {
		it.timing = true
		t0, w0 := time.Now(), it.wait
		defer func() {
			it.timing = false
			n := time.Duration(timeSample)
			if it.calls == 1 {
				n = 1
			}
			it.timedReads = 0
			// Sampled waits can overshoot a call's time: never negative.
			it.stats.Local += n * max(0, time.Since(t0)-(it.wait-w0))
		}()
	}
	if !it.started {
		if err := it.start(); err != nil {
			return it.fail(err)
		}
	}
	if it.result != nil {
		if it.ri >= len(it.result) {
			it.finish()
			it.out = nil
			return false
		}
		it.out = it.result[it.ri]
		it.ri++
		return true
	}
	if it.prog.Limit >= 0 && it.stats.RowsOut >= it.prog.Limit {
		it.finish() // stop reading early
		return false
	}
	for {
		r, ok, err := it.nextKept()
		if err != nil {
			return it.fail(err)
		}
		if !ok {
			it.finish()
			return false
		}
		if it.skipped < it.prog.Offset {
			it.skipped++
			continue
		}
		it.out = it.project(r, it.out[:0])
		it.prog.BoolOut(it.out)
		it.stats.RowsOut++
		return true
	}
}

// nextKept returns the next row that passes the residual.
func (it *rowIter) nextKept() (*planner.Row, bool, error) {
	prog := it.prog
	for {
		r, ok, err := it.nextRow()
		if err != nil || !ok {
			return nil, false, err
		}
		it.ev.SetRow(r)
		if prog.Keep(it.ev) {
			it.stats.RowsKept++
			return r, true, nil
		}
	}
}

// nextRow returns the next typed row, loading a whole record when the query
// reads event-pinned references.
func (it *rowIter) nextRow() (*planner.Row, bool, error) {
	if !it.prog.Grouped {
		// Kept rows are projected before the next read: one typed row serves all.
		r, ok, err := it.readRow(it.spare)
		it.spare = r
		return r, ok, err
	}
	if it.gi < len(it.group) {
		r := it.group[it.gi]
		it.gi++
		return r, true, nil
	}
	// Load the next record's rows.
	it.group, it.gi = it.group[:0], 0
	if it.pending != nil {
		it.group = append(it.group, it.pending)
		it.pending = nil
	} else {
		r, ok, err := it.readRow(nil)
		if err != nil || !ok {
			return nil, false, err
		}
		it.group = append(it.group, r)
	}
	rec := it.group[0].Rec
	if it.groups == nil {
		it.groups = map[string]bool{}
	}
	if it.groups[rec] {
		// Event-pinned values need all of a record's rows at once.
		return nil, false, fmt.Errorf("planner: the rows of record %q are not together in the export (REDCap sends them in record order)", rec)
	}
	it.groups[rec] = true
	for {
		r, ok, err := it.readRow(nil)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			break
		}
		if r.Rec != rec {
			it.pending = r
			break
		}
		it.group = append(it.group, r)
	}
	for i, e := range it.prog.PinEvents {
		var pin *planner.Row
		for _, r := range it.group {
			if r.Plain && r.Event == e {
				pin = r
				break
			}
		}
		it.ev.SetPin(i, pin)
	}
	r := it.group[0]
	it.gi = 1
	return r, true, nil
}

// readRow reads and types one raw row.
func (it *rowIter) readRow(dst *planner.Row) (*planner.Row, bool, error) {
	if it.stats.RowsRead%1024 == 0 {
		if err := it.ctx.Err(); err != nil {
			return nil, false, err
		}
	}
	var more bool
	if w := it.readWeight(); w > 0 {
		t := time.Now()
		more = it.raw.Next()
		it.wait += w * time.Since(t)
	} else {
		more = it.raw.Next()
	}
	if !more {
		return nil, false, it.raw.Err()
	}
	it.stats.RowsRead++
	r := dst
	if r == nil {
		r = &planner.Row{Vals: make([]client.Value, len(it.ty.slots))}
	}
	raw := rawRow{cells: it.cells}
	if it.cells == nil {
		raw.row = it.raw.Row()
	}
	it.ty.typeRow(raw, r, &it.stats)
	return r, true, nil
}

// readWeight says whether the next raw read is timed, and how many reads
// its time stands for (0: not timed). A timed call may read every row (an
// aggregate's first call does): its first read is timed, then one in
// timeSample, counted timeSample times, as Next does with calls; two
// clock reads a row were 15% of a whole-mirror aggregate's CPU.
func (it *rowIter) readWeight() time.Duration {
	if !it.timing {
		return 0
	}
	it.timedReads++
	switch {
	case it.timedReads == 1:
		return 1
	case it.timedReads%timeSample == 0:
		return timeSample
	}
	return 0
}

// project evaluates the output items of a kept row.
func (it *rowIter) project(r *planner.Row, out []client.Value) []client.Value {
	it.ev.SetRow(r)
	for _, f := range it.prog.Outputs {
		out = append(out, f(it.ev))
	}
	return out
}

// materialise reads everything, aggregates and sorts.
func (it *rowIter) materialise() error {
	prog := it.prog
	var rows [][]client.Value
	if prog.Aggregate {
		var err error
		if rows, err = it.aggregateAll(); err != nil {
			return err
		}
	} else {
		for {
			r, ok, err := it.nextKept()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			rows = append(rows, it.project(r, nil))
		}
	}
	n := len(prog.Columns)
	if prog.Distinct {
		rows = distinctRows(rows, n)
	}
	if len(prog.Order) > 0 {
		slices.SortStableFunc(rows, func(x, y []client.Value) int {
			for _, k := range prog.Order {
				xn, yn := x[k.Col].Kind == client.KindNull, y[k.Col].Kind == client.KindNull
				var c int
				switch {
				case k.Nulls != lang.NullsDefault && (xn || yn):
					// nulls first / last whatever the direction
					if xn != yn {
						c = 1
						if xn == (k.Nulls == lang.NullsFirst) {
							c = -1
						}
						return c
					}
				case k.Record:
					c = orderRecords(x[k.Col], y[k.Col])
				default:
					c = orderCompare(x[k.Col], y[k.Col])
				}
				if k.Desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	if prog.Offset > 0 {
		rows = rows[min(int64(len(rows)), prog.Offset):]
	}
	if prog.Limit >= 0 && int64(len(rows)) > prog.Limit {
		rows = rows[:prog.Limit]
	}
	for i := range rows {
		rows[i] = rows[i][:n]
		prog.BoolOut(rows[i])
	}
	if rows == nil {
		rows = [][]client.Value{}
	}
	it.result = rows
	it.stats.RowsOut = int64(len(rows))
	it.finish()
	return nil
}

// orderCompare orders values for order by: nulls after every value (so
// first in descending order), then by value; incomparable kinds by text.
func orderCompare(a, b client.Value) int {
	return nullsLast(a, b, func(a, b client.Value) int {
		if c, ok := planner.CompareValues(a, b); ok {
			return c
		}
		return strings.Compare(a.String(), b.String())
	})
}

// distinctRows keeps the first of each set of rows whose first n values are
// equal (nulls equal to nulls, 0 to -0, as in group by).
func distinctRows(rows [][]client.Value, n int) [][]client.Value {
	seen := map[string]bool{}
	out := rows[:0]
	var kb strings.Builder
	for _, r := range rows {
		kb.Reset()
		for _, v := range r[:n] {
			kb.WriteString(valueKey(v))
			kb.WriteByte(0)
		}
		if seen[kb.String()] {
			continue
		}
		seen[kb.String()] = true
		out = append(out, r)
	}
	return out
}
