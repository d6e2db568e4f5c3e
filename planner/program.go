package planner

import (
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// Program is a plan's compiled local pipeline, what package exec runs over
// the rows the plan's export returns: how to type them (Slots, Scoped),
// the residual (Keep), the output columns, grouping and aggregates, order
// by and limit/offset. The planner builds it once per plan; it is
// read-only afterwards and shared by every run of the plan, concurrent
// ones included (each run makes its own Env).
type Program struct {
	// Slots says what each value of a typed Row holds, in Row.Vals order.
	Slots []Slot
	// Scoped are the forms whose presence the typer records (Row.Forms bit i
	// for Scoped[i]): form scoping reads them.
	Scoped []string
	// PinEvents are the events of the query's [event][field] references,
	// in Env.SetPin order. When there are any, a record's rows are read
	// together (Grouped).
	PinEvents []string
	// Grouped is true when the functions read a record's other rows
	// (event-pinned references): the executor loads each record's rows at
	// once and sets the pins before evaluating any of them.
	Grouped bool

	// Columns are the names of the result's columns.
	Columns []string
	// Outputs computes each output column, then the hidden order keys
	// (len(Outputs) - len(Columns) of them, trimmed before rows are
	// returned). In an aggregate query they read the group row (GroupBy
	// keys, then Aggregates results, by slot).
	Outputs []ValueFunc
	// Bools are the output columns that are conditions (see BoolOut).
	Bools []int

	// Aggregate is true when the query groups (aggregates or group by).
	Aggregate bool
	// GroupBy computes the group keys of a kept row.
	GroupBy []ValueFunc
	// Aggregates are the query's distinct aggregate calls.
	Aggregates []Aggregate
	// Distinct is select distinct: each visible row once.
	Distinct bool
	// Order are the order by keys over the output row (hidden keys included).
	Order []OrderKey
	// Limit is the limit (-1: none); Offset the rows skipped first.
	Limit, Offset int64

	filter   []condFn // the residual's conjuncts
	havingFn ValueFunc
	pins     int
	scratch  int
}

// Slot says what one value of a typed row holds.
type Slot struct {
	Kind  SlotKind
	Name  string        // the export column (checkbox: x___code) or source column
	Field *client.Field // SlotField, SlotCheckbox: the dictionary field
	Type  client.Kind   // the kind of the typed value
}

// SlotKind says where a slot's value comes from in a raw row.
type SlotKind uint8

// Slot kinds.
const (
	SlotColumn     SlotKind = iota // a column of a source other than records, typed by Slot.Type
	SlotField                      // a dictionary field (a checkbox is one code set of its columns)
	SlotCheckbox                   // one checkbox column x___code: number 1/0
	SlotRecord                     // the record id
	SlotEvent                      // redcap_event_name
	SlotArm                        // the arm number of the row's event
	SlotInstrument                 // redcap_repeat_instrument
	SlotInstance                   // redcap_repeat_instance
	SlotDAG                        // redcap_data_access_group
)

// Aggregate is one aggregate call of a query.
type Aggregate struct {
	Name     string    // count, sum, avg, min, max, median, percentile, stddev, var, mode
	Star     bool      // count(*)
	Distinct bool      // count(distinct x) and the like: each value once
	Arg      ValueFunc // the argument over a kept row; nil for count(*)
	Param    float64   // median: 0.5; percentile: its fraction
}

// OrderKey is one order by key.
type OrderKey struct {
	Col    int // output column (hidden keys follow the visible ones)
	Desc   bool
	Nulls  lang.NullsOrder
	Record bool // the column is the record id: REDCap's numeric-aware order
}

// Program returns the plan's compiled local pipeline (read-only).
func (p *Plan) Program() *Program { return p.program }

// NewEnv makes the evaluation state of one run.
func (g *Program) NewEnv() *Env { return newEvalCtx(g.pins, g.scratch) }

// Keep reports whether the residual keeps the Env's current row: every
// conjunct evaluated locally is true (not false, not null).
func (g *Program) Keep(x *Env) bool {
	for _, c := range g.filter {
		if c(x) != triTrue {
			return false
		}
	}
	return true
}

// KeepGroup reports whether having keeps the Env's current group row (true
// when there is no having clause).
func (g *Program) KeepGroup(x *Env) bool {
	return g.havingFn == nil || valueTri(g.havingFn(x)) == triTrue
}

// BoolOut turns the condition columns of an output row into booleans:
// inside the pipeline a condition's value is the number 1 or 0 (so it
// orders, groups and aggregates as one); out of it, client.KindBool, which
// prints as true or false.
func (g *Program) BoolOut(row []client.Value) {
	for _, i := range g.Bools {
		if i < len(row) && row[i].Kind == client.KindNumber {
			row[i] = client.Value{Kind: client.KindBool, Num: row[i].Num}
		}
	}
}

// program builds the exported Program from the checked and compiled output
// side, once, at the end of compile.
func (p *Plan) buildProgram() *Program {
	a, prog := p.a, p.prog
	g := &Program{
		Scoped:    a.scoped,
		PinEvents: a.pinEvents,
		Grouped:   len(a.pinEvents) > 0,
		Columns:   p.Columns(),
		Outputs:   prog.outs,
		Bools:     prog.bools,
		Aggregate: prog.agg,
		GroupBy:   prog.groupFns,
		Distinct:  prog.distinct,
		Limit:     p.limit,
		Offset:    p.offset,
		filter:    prog.filter,
		havingFn:  prog.havingFn,
		pins:      len(a.pinEvents),
		scratch:   p.scratch,
	}
	g.Slots = make([]Slot, len(a.slots))
	for i, c := range a.slots {
		g.Slots[i] = Slot{Kind: slotKinds[c.kind], Name: c.name, Field: c.field, Type: c.valueKind()}
	}
	g.Aggregates = make([]Aggregate, len(prog.aggs))
	for i, c := range prog.aggs {
		g.Aggregates[i] = Aggregate{Name: c.Name, Star: c.Star, Distinct: c.Distinct, Arg: prog.aggArgs[i], Param: prog.aggParam[i]}
	}
	g.Order = make([]OrderKey, len(prog.order))
	for i, k := range prog.order {
		g.Order[i] = OrderKey{Col: k.col, Desc: k.desc, Nulls: k.nulls, Record: k.record}
	}
	return g
}

// slotKinds maps a column's kind to its slot's.
var slotKinds = [...]SlotKind{
	ckField: SlotField, ckCheckbox: SlotCheckbox, ckRecord: SlotRecord, ckEvent: SlotEvent,
	ckArm: SlotArm, ckInstrument: SlotInstrument, ckInstance: SlotInstance, ckDAG: SlotDAG,
	ckForm: SlotColumn, ckTable: SlotColumn,
}
