package fetch

import (
	"github.com/redcapql/rq/client"
)

// Calls are the calls Fetch makes for one export: either a single call
// or the id step then batches. Fetch builds its calls from it and explain
// prints it, so the two cannot disagree.
type Calls struct {
	// OneCall is set when the export skips the id step: Single holds the one
	// call (every parameter, FilterLogic included). Should the server find it
	// too large, Fetch falls back to IDs and Batch.
	OneCall bool
	Single  client.ExportRecordsParams
	// IDs is step 1: the record-id field and the fields the filter reads,
	// with the events, the pushed records (asked MaxIDsPerBatch at a time)
	// and the filter (FetchOptions.RecordFilter when set, else FilterLogic).
	IDs client.ExportRecordsParams
	// Batch is step 2 without its Records, which are the ids step 1 found,
	// cut into batches: the export's fields (with the record id and the
	// filter's fields), forms and events, and no FilterLogic.
	Batch client.ExportRecordsParams
	// IDEvents, when set, splits step 1 into one call per event, made in
	// parallel: the whole id list of a longitudinal project without a
	// filter costs the server as many cells either way, but the query waits
	// for a share of them.
	IDEvents []string
	// filterFields are the fields step 1's filter reads.
	filterFields []string
}

// PlanCalls returns the calls Fetch makes for p; opts must have its
// defaults set (SetDefaults).
func PlanCalls(p client.ExportRecordsParams, opts FetchOptions) Calls {
	var fc Calls
	if len(p.Records) > 0 && opts.RecordFilter == "" {
		ids := dedupe(p.Records)
		if len(ids) <= opts.MaxIDsPerBatch && len(ids)*opts.Columns*opts.RowsPerRecord <= opts.CellsPerBatch {
			fc.OneCall = true
			fc.Single = p
			fc.Single.Records = ids
		}
	}
	idp := client.ExportRecordsParams{Events: p.Events, FilterLogic: p.FilterLogic}
	if opts.RecordFilter != "" {
		// The row-level filter could drop the rows on which the record-level
		// one holds; the local residual re-checks both anyway.
		idp.FilterLogic = opts.RecordFilter
	}
	// A row appears in an export only when it stores a value among the
	// fields asked for, and a repeating instance does not store the record
	// id: asking for the id alone would lose records that pass the filter
	// only on an instance row. So the id step also asks for the fields the
	// filter reads.
	fc.filterFields = logicFields(idp.FilterLogic, opts.Dictionary, p.Fields)
	idp.Fields = append([]string{opts.RecordIDField}, fc.filterFields...)
	if len(p.Records) > 0 {
		idp.Records = dedupe(p.Records)
	}
	fc.IDs = idp
	if events := cmpOr(p.Events, opts.EventNames); len(p.Records) == 0 && idp.FilterLogic == "" && len(events) > 1 && opts.Concurrency > 1 {
		fc.IDEvents = events
	}
	fc.Batch = p
	fc.Batch.Records = nil
	fc.Batch.FilterLogic = "" // see Fetch: step 1 applied it; the residual re-checks
	fc.Batch.Fields = withRecordID(p.Fields, p.Forms, opts.RecordIDField, fc.filterFields)
	return fc
}

// cmpOr returns a unless it is empty, else b.
func cmpOr(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return b
}
