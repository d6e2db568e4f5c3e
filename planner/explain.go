package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/redcapql/rq/planner/fetch"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/catalog"
)

// ExplainCall is one API call of a plan as ExplainJSON reports it. A
// records export is either one call (Step "single") or two steps: "ids"
// (the record ids, with the filter) then "batches" (the records found by
// the id step, RecordsFrom "ids", in batches, without filterLogic).
type ExplainCall struct {
	Content     string        `json:"content"`
	Step        string        `json:"step,omitempty"`
	RecordsFrom string        `json:"records_from,omitempty"`
	Params      ExplainParams `json:"params"`
	// PerEvent: step 1 is one call per event of Params.Events, in parallel.
	PerEvent bool `json:"per_event,omitempty"`
	// Batching is the batch plan of step 2 (Step "batches").
	Batching *ExplainBatching `json:"batching,omitempty"`
}

// ExplainBatching is the batch plan of a two-step export: how step 2 cuts
// the ids of step 1 into calls. The number of calls follows from the
// number of records, known after step 1: an export within MaxCellsPerCall
// × Concurrency cells goes in as few calls as the concurrency can use,
// none under MinCellsPerCall; a larger one in calls of MaxCellsPerCall, a
// multiple of Concurrency of them. Calls that come back fast grow to
// GrowToCells; an out-of-memory answer halves them.
type ExplainBatching struct {
	CellsPerRecord  int `json:"cells_per_record"` // estimated: columns × rows per record
	Columns         int `json:"columns"`
	RowsPerRecord   int `json:"rows_per_record"`
	MaxCellsPerCall int `json:"max_cells_per_call"`
	GrowToCells     int `json:"grow_to_cells"`
	MinCellsPerCall int `json:"min_cells_per_call"`
	Concurrency     int `json:"concurrency"`
}

// explainParams names an export's parameters as ExplainJSON reports them.
func explainParams(e client.ExportRecordsParams) ExplainParams {
	return ExplainParams{Records: e.Records, Fields: e.Fields, Forms: e.Forms, Events: e.Events,
		FilterLogic: e.FilterLogic, ExportDataAccessGroups: e.ExportDataAccessGroups,
		ExportBlankForGrayFormStatus: e.ExportBlankForGrayFormStatus}
}

// Tuning is the engine's batch tuning: options of an execution, not part of
// a plan. Explain takes it too, since the calls it shows depend on it. Zero
// values take Fetch's defaults.
type Tuning struct {
	Concurrency    int // batches in flight (fetch.DefaultConcurrency)
	CellsPerBatch  int // cells one call of a large export holds (fetch.DefaultCellsPerBatch)
	MaxIDsPerBatch int // record ids in one call (fetch.DefaultMaxIDsPerBatch)
}

// RunStats is what one run of a plan did, for explain analyze: the fetch's
// figures (nil when nothing was fetched by batches) and the local
// pipeline's (exec.PipelineStats as explain reports them; nil when the
// pipeline did not run).
type RunStats struct {
	Fetch *fetch.FetchStats
	Local *LocalStats
}

// ExplainOptions is what an explanation shows beyond the plan itself.
type ExplainOptions struct {
	Tuning Tuning    // the tuning the plan runs with (its calls depend on it)
	Run    *RunStats // explain analyze: the run's figures; nil when not run
}

// FetchOptions returns the options fetch.Fetch needs for the plan's export, from
// the planner's catalog and the plan's RecordFilter, with the engine's
// batch tuning and the plan's RowLimit. The engine adds Progress, which does
// not change the calls; explain shows the calls Fetch makes with these
// options.
func (p *Plan) FetchOptions(t Tuning) fetch.FetchOptions {
	o := fetch.FetchOptions{RecordFilter: p.RecordFilter, CellsPerBatch: t.CellsPerBatch, MaxIDsPerBatch: t.MaxIDsPerBatch, Concurrency: t.Concurrency,
		RowLimit: p.RowLimit()}
	if p.pl != nil {
		o.RecordIDField = p.pl.cat.RecordID()
		o.Dictionary = p.pl.cat.Dictionary()
		o.Events = len(p.pl.cat.Events())
		for _, e := range p.pl.cat.Events() {
			o.EventNames = append(o.EventNames, e.Name)
		}
	}
	return o
}

// calls returns the API calls the plan makes, built by the fetch engine's
// own fetch.PlanCalls for records.
func (p *Plan) calls(t Tuning) []ExplainCall {
	if p.Empty {
		return []ExplainCall{}
	}
	if p.Source != "records" {
		return []ExplainCall{{Content: p.content()}}
	}
	opts := p.FetchOptions(t)
	if err := opts.SetDefaults(p.Export); err != nil {
		// no record-id field: Fetch would refuse; show the export as pushed
		return []ExplainCall{{Content: p.content(), Step: "single", Params: explainParams(p.Export)}}
	}
	fc := fetch.PlanCalls(p.Export, opts)
	if fc.OneCall {
		return []ExplainCall{{Content: p.content(), Step: "single", Params: explainParams(fc.Single)}}
	}
	return []ExplainCall{
		{Content: p.content(), Step: "ids", Params: explainIDs(fc), PerEvent: len(fc.IDEvents) > 0},
		{Content: p.content(), Step: "batches", RecordsFrom: "ids", Params: explainParams(fc.Batch), Batching: &ExplainBatching{
			CellsPerRecord: opts.Columns * opts.RowsPerRecord, Columns: opts.Columns, RowsPerRecord: opts.RowsPerRecord,
			MaxCellsPerCall: opts.CellsPerBatch, GrowToCells: opts.CellsPerBatch * fetch.MaxGrowth,
			MinCellsPerCall: opts.MinCellsPerCall, Concurrency: opts.Concurrency,
		}},
	}
}

// explainIDs is the id step's parameters, with the events it is split on.
func explainIDs(fc fetch.Calls) ExplainParams {
	e := explainParams(fc.IDs)
	if len(fc.IDEvents) > 0 {
		e.Events = fc.IDEvents
	}
	return e
}

// ExplainParams are the pushed export parameters, named as the API names them.
type ExplainParams struct {
	Records                      []string `json:"records,omitempty"`
	Fields                       []string `json:"fields,omitempty"`
	Forms                        []string `json:"forms,omitempty"`
	Events                       []string `json:"events,omitempty"`
	FilterLogic                  string   `json:"filterLogic,omitempty"`
	ExportDataAccessGroups       bool     `json:"exportDataAccessGroups,omitempty"`
	ExportBlankForGrayFormStatus bool     `json:"exportBlankForGrayFormStatus,omitempty"`
}

// ExplainConjunct is one conjunct as ExplainJSON reports it.
type ExplainConjunct struct {
	Source string `json:"source"`
	Class  string `json:"class"`
	Pushed string `json:"pushed,omitempty"`
}

// ExplainOutput is the document ExplainJSON returns.
type ExplainOutput struct {
	Query        string            `json:"query"`
	Source       string            `json:"source"`
	Empty        bool              `json:"empty,omitempty"`
	EmptyReason  string            `json:"empty_reason,omitempty"`
	Calls        []ExplainCall     `json:"calls"`
	RecordFilter string            `json:"record_filter,omitempty"`
	Conjuncts    []ExplainConjunct `json:"conjuncts"`
	Residual     string            `json:"residual"`
	Columns      []string          `json:"columns"`
	Analyze      *ExplainAnalyze   `json:"analyze,omitempty"`
}

// ExplainAnalyze holds what explain analyze measured.
type ExplainAnalyze struct {
	Fetch *fetch.FetchStats `json:"fetch,omitempty"`
	Local *LocalStats       `json:"local,omitempty"`
}

// LocalStats is the local pipeline's figures (exec.PipelineStats) as
// explain analyze reports them.
type LocalStats struct {
	RowsRead int64    `json:"rows_read"`
	RowsKept int64    `json:"rows_kept"`
	RowsOut  int64    `json:"rows_out"`
	Invalid  int64    `json:"invalid_values"`
	Examples []string `json:"invalid_examples,omitempty"`
	LocalMS  float64  `json:"local_ms"`
}

// content returns the API content of the plan's source (the catalog's
// Export).
func (p *Plan) content() string {
	if src, ok := catalog.LookupSource(p.Source); ok {
		return src.Export
	}
	return p.Source
}

// Describe returns the plan as the document ExplainJSON encodes, with
// Fetch's default tuning and no run.
func (p *Plan) Describe() ExplainOutput { return p.DescribeWith(ExplainOptions{}) }

// DescribeWith is Describe with the engine's tuning and, for explain
// analyze, a run's figures.
func (p *Plan) DescribeWith(o ExplainOptions) ExplainOutput {
	out := ExplainOutput{Query: p.Stmt.String(), Source: p.Source, Empty: p.Empty, EmptyReason: p.EmptyReason,
		Calls: []ExplainCall{}, RecordFilter: p.RecordFilter, Conjuncts: []ExplainConjunct{},
		Residual: p.ResidualString(), Columns: p.Columns()}
	out.Calls = p.calls(o.Tuning)
	for _, c := range p.Conjuncts {
		out.Conjuncts = append(out.Conjuncts, ExplainConjunct{Source: c.Source, Class: c.Class.String(), Pushed: c.Pushed})
	}
	if r := o.Run; p.Analyze && r != nil && (r.Fetch != nil || r.Local != nil) {
		out.Analyze = &ExplainAnalyze{Fetch: r.Fetch}
		if r.Fetch == nil && p.Empty {
			out.Analyze.Fetch = &fetch.FetchStats{} // no call was made: say so
		}
		if s := r.Local; s != nil {
			l := *s // the document is the caller's: it shares nothing with the run's figures
			out.Analyze.Local = &l
		}
	}
	return out
}

// ExplainJSON returns the plan as indented JSON (documented in
// docs/planning.md), with Fetch's default tuning and no run.
func (p *Plan) ExplainJSON() []byte { return p.ExplainJSONWith(ExplainOptions{}) }

// ExplainJSONWith is ExplainJSON with the engine's tuning and a run's figures.
func (p *Plan) ExplainJSONWith(o ExplainOptions) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // filterLogic is full of < and >
	enc.SetIndent("", "  ")
	if err := enc.Encode(p.DescribeWith(o)); err != nil {
		panic(err) // plain data: cannot fail
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Explain returns the plan as text: the API call and its parameters, each
// conjunct's class and what was pushed, and the residual (with Fetch's
// default tuning and no run).
func (p *Plan) Explain() string { return p.ExplainWith(ExplainOptions{}) }

// ExplainWith is Explain with the engine's tuning and, for explain analyze,
// a run's figures.
func (p *Plan) ExplainWith(o ExplainOptions) string {
	var b strings.Builder
	d := p.DescribeWith(o)
	fmt.Fprintf(&b, "query: %s\n", d.Query)
	if d.Empty {
		fmt.Fprintf(&b, "no call: %s, so the query returns no rows\n", d.EmptyReason)
	}
	maxIDs := o.Tuning.MaxIDsPerBatch
	if maxIDs <= 0 {
		maxIDs = fetch.DefaultMaxIDsPerBatch
	}
	for _, c := range d.Calls {
		fmt.Fprintf(&b, "call: content=%s\n", c.Content)
		switch c.Step {
		case "single":
			b.WriteString("  step: the only one (a short pushed record list: no id step unless the server finds the call too large)\n")
		case "ids":
			if c.PerEvent {
				b.WriteString("  step: 1 of 2, the record ids, one call per event, in parallel\n")
			} else {
				b.WriteString("  step: 1 of 2, the record ids\n")
			}
		case "batches":
			b.WriteString("  step: 2 of 2, the records found by step 1, in batches, in parallel\n")
		}
		if p.Source != "records" {
			b.WriteString("  (the whole export, read as a table)\n")
			continue
		}
		list := func(name string, xs []string) {
			if len(xs) > 0 {
				fmt.Fprintf(&b, "  %s: %s\n", name, strings.Join(xs, ", "))
			} else {
				fmt.Fprintf(&b, "  %s: (all)\n", name)
			}
		}
		switch {
		case c.RecordsFrom != "":
			fmt.Fprintf(&b, "  records: <the ids from step 1>\n")
		case c.Step == "ids" && len(c.Params.Records) > maxIDs:
			fmt.Fprintf(&b, "  records: %s (asked %d at a time)\n", strings.Join(c.Params.Records, ", "), maxIDs)
		default:
			list("records", c.Params.Records)
		}
		if len(c.Params.Fields) == 0 && len(c.Params.Forms) == 0 {
			b.WriteString("  fields: (all)\n")
		} else {
			if len(c.Params.Fields) > 0 {
				fmt.Fprintf(&b, "  fields: %s\n", strings.Join(c.Params.Fields, ", "))
			}
			if len(c.Params.Forms) > 0 {
				fmt.Fprintf(&b, "  forms: %s\n", strings.Join(c.Params.Forms, ", "))
			}
		}
		if p.pl.cat.Longitudinal() {
			list("events", c.Params.Events)
		}
		if c.Params.FilterLogic != "" {
			fmt.Fprintf(&b, "  filterLogic: %s\n", c.Params.FilterLogic)
		}
		if c.Params.ExportDataAccessGroups {
			b.WriteString("  exportDataAccessGroups: true\n")
		}
		if c.Params.ExportBlankForGrayFormStatus {
			b.WriteString("  exportBlankForGrayFormStatus: true\n")
		}
		if bp := c.Batching; bp != nil {
			fmt.Fprintf(&b, "  batch plan: about %d cells a record (%d columns × %d rows, estimated; learnt from step 1)\n", bp.CellsPerRecord, bp.Columns, bp.RowsPerRecord)
			fmt.Fprintf(&b, "    up to %d × %d cells: as few calls as %d in flight can use, none under %d cells (a small project is one call)\n",
				bp.Concurrency, bp.MaxCellsPerCall, bp.Concurrency, bp.MinCellsPerCall)
			fmt.Fprintf(&b, "    beyond: calls of %d cells, a multiple of %d of them, growing to %d while fast, halving on out-of-memory\n",
				bp.MaxCellsPerCall, bp.Concurrency, bp.GrowToCells)
		}
	}
	if d.RecordFilter != "" {
		fmt.Fprintf(&b, "record filter (ids only): %s\n", d.RecordFilter)
	}
	if len(d.Conjuncts) > 0 {
		b.WriteString("conjuncts:\n")
		for _, c := range d.Conjuncts {
			fmt.Fprintf(&b, "  %-7s %s", c.Class, c.Source)
			if c.Pushed != "" {
				fmt.Fprintf(&b, "  =>  %s", c.Pushed)
			}
			b.WriteByte('\n')
		}
	}
	if d.Residual != "" {
		fmt.Fprintf(&b, "residual: %s\n", d.Residual)
	} else {
		b.WriteString("residual: (none)\n")
	}
	fmt.Fprintf(&b, "columns: %s\n", strings.Join(d.Columns, ", "))
	if a := d.Analyze; a != nil {
		b.WriteString("analyze:\n")
		if f := a.Fetch; f != nil {
			fmt.Fprintf(&b, "  calls: %d (batches %d, splits %d), ids: %d, rows fetched: %d, bytes: %d, batch size: %d\n",
				f.Calls, f.Batches, f.Splits, f.IDs, f.Rows, f.Bytes, f.BatchSize)
			if f.Planned > 0 {
				calls := "calls"
				if f.Planned == 1 {
					calls = "call"
				}
				fmt.Fprintf(&b, "  batch plan: %d %s of about %d cells, %d at once\n", f.Planned, calls, f.CellsPer, f.Concurrency)
			}
			fmt.Fprintf(&b, "  server time: %s, wire time: %s\n", f.ServerTime.Round(time.Microsecond), f.WireTime.Round(time.Microsecond))
		}
		if l := a.Local; l != nil {
			fmt.Fprintf(&b, "  rows read: %d, kept: %d, returned: %d, invalid values: %d, local time: %.3fms\n",
				l.RowsRead, l.RowsKept, l.RowsOut, l.Invalid, l.LocalMS)
			for _, e := range l.Examples {
				fmt.Fprintf(&b, "    invalid: %s\n", e)
			}
		}
	}
	return b.String()
}

// ExportParams returns the export parameters for the plan's records call
// (a copy of Export, so callers may change it).
func (p *Plan) ExportParams() client.ExportRecordsParams {
	e := p.Export
	e.Records = append([]string(nil), e.Records...)
	e.Fields = append([]string(nil), e.Fields...)
	e.Forms = append([]string(nil), e.Forms...)
	e.Events = append([]string(nil), e.Events...)
	return e
}
