package fetch

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redcapql/rq/client"
)

// Fetch defaults.
const (
	DefaultConcurrency = 4 // batches in flight at once
	// DefaultCellsPerBatch is the most cells (rows × columns) one call of a
	// large export carries at first. Few, large calls are what is fast on
	// REDCap (every call costs ~100 ms of server start-up, and its rate
	// limiter bans an IP past 600 calls a minute), but a batch is held in
	// memory until it is read, Concurrency + 1 of them at most: at a
	// quarter of a million cells a call's fixed cost is under a tenth of its
	// time on a REDCap-like server (5 µs a cell), and the batches in flight
	// stay near 60 MB. Calls that come back fast let it grow (MaxGrowth); an
	// out-of-memory 500 halves it.
	DefaultCellsPerBatch = 250_000
	// DefaultMinCellsPerCall is the smallest call worth splitting off: below
	// it a call's fixed cost outweighs the parallel gain, so a small export
	// is one call.
	DefaultMinCellsPerCall = 25_000
	// DefaultMaxIDsPerBatch caps the ids of one call. The client sends long
	// lists comma-joined (one POST variable), so this only bounds the body;
	// ids holding a comma must go as records[i], one POST variable each,
	// and are then sent commaIDsPerBatch at a time.
	DefaultMaxIDsPerBatch = 50_000
	// commaIDsPerBatch keeps records[i] lists under PHP's default
	// max_input_vars (1,000).
	commaIDsPerBatch = 500
)

// FetchOptions tunes how Fetch exports records.
type FetchOptions struct {
	// RecordIDField is the project's record-id field (the dictionary's first
	// field). Required.
	RecordIDField string
	// Concurrency caps the batches in flight (default DefaultConcurrency).
	// The client's own rate cap still applies to every call.
	Concurrency int
	// CellsPerBatch bounds one call of a large export in cells: records ×
	// exported columns × rows per record (default DefaultCellsPerBatch).
	// An export within CellsPerBatch × Concurrency is cut into as few calls
	// as the concurrency can use, none under MinCellsPerCall; a larger one
	// into calls of about CellsPerBatch, a multiple of Concurrency of them.
	CellsPerBatch int
	// MinCellsPerCall is the smallest call worth making on its own (default
	// DefaultMinCellsPerCall, at most CellsPerBatch).
	MinCellsPerCall int
	// MaxIDsPerBatch caps the record ids sent in one call (default
	// DefaultMaxIDsPerBatch), to stay under the server's POST-variable limit.
	MaxIDsPerBatch int
	// Columns estimates the exported columns per row before the first batch
	// reports the real number (0: derived from Dictionary, else 50).
	Columns int
	// RowsPerRecord estimates the rows per record before the first batch
	// reports the real number (0: the number of events pushed, else Events,
	// else 1).
	RowsPerRecord int
	// Events is the project's number of events (1 for a classic project),
	// used for the first estimate of rows per record.
	Events int
	// EventNames lists the project's unique event names: an id step too
	// large for the server is then asked event by event.
	EventNames []string
	// Dictionary, when set, is used to estimate the exported columns.
	Dictionary *client.Dictionary
	// Progress, when set, is called after every call (never concurrently).
	Progress func(Progress)
	// RowLimit, when set, is how many rows the reader will take at most (a
	// limit without order by): the first batch is cut to about that many
	// rows and the batches after it double, so an early stop wastes little.
	RowLimit int
	// Format is the wire format of the exports (default "json": a JSON body
	// cut short never parses, while a CSV body cut at a line end looks
	// complete; REDCap keeps Content-Length right when PHP's output is cut).
	Format string
	// RecordFilter is filterLogic valid only at record level (Plan.RecordFilter):
	// it selects the ids in step 1 in place of the export's FilterLogic, and
	// a small export then does not skip step 1.
	RecordFilter string
}

// Progress reports how far a Fetch has come, for progress bars.
type Progress struct {
	Records int   // records whose rows have arrived
	Total   int   // records to fetch (known after the id step)
	Calls   int   // API calls made so far
	Bytes   int64 // response bytes read so far
}

// FetchStats describes what a Fetch did, for explain analyze.
type FetchStats struct {
	Calls       int           // API calls, the id step and retried halves included
	Batches     int           // record batches (before splits)
	Splits      int           // batches split in half after the server ran out of memory or time
	Retries     int           // calls made again after a body arrived cut short
	IDs         int           // record ids found by the id step (or sent in the single call)
	Rows        int           // rows received
	Bytes       int64         // response bytes read
	BatchSize   int           // ids per batch at the end (learnt)
	Planned     int           // batches planned after the id step (the batch plan)
	CellsPer    int           // estimated cells per batch in that plan
	Concurrency int           // batches in flight at once
	TwoStep     bool          // true when ids were fetched first
	ServerTime  time.Duration // summed wait for response headers
	WireTime    time.Duration // summed time reading response bodies
}

// MarshalJSON writes the stats with snake_case keys and times in
// milliseconds, as explain analyze's JSON reports them: calls, batches,
// splits, retries, ids, rows, bytes, batch_size, planned_batches,
// cells_per_batch, concurrency, two_step, server_ms, wire_ms.
func (s FetchStats) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return json.Marshal(struct {
		Calls     int     `json:"calls"`
		Batches   int     `json:"batches"`
		Splits    int     `json:"splits"`
		Retries   int     `json:"retries"`
		IDs       int     `json:"ids"`
		Rows      int     `json:"rows"`
		Bytes     int64   `json:"bytes"`
		BatchSize int     `json:"batch_size"`
		Planned   int     `json:"planned_batches"`
		CellsPer  int     `json:"cells_per_batch"`
		Conc      int     `json:"concurrency"`
		TwoStep   bool    `json:"two_step"`
		ServerMS  float64 `json:"server_ms"`
		WireMS    float64 `json:"wire_ms"`
	}{s.Calls, s.Batches, s.Splits, s.Retries, s.IDs, s.Rows, s.Bytes, s.BatchSize, s.Planned, s.CellsPer, s.Concurrency, s.TwoStep, ms(s.ServerTime), ms(s.WireTime)})
}

// exportStream is the part of *client.RecordStream that Fetch uses.
type exportStream interface {
	RawRows
	BytesRead() int64
}

// exportFunc makes one record export; tests substitute fakes.
type exportFunc func(ctx context.Context, p client.ExportRecordsParams) (exportStream, error)

// clientExporter adapts a *client.Client.
func clientExporter(c *client.Client) exportFunc {
	return func(ctx context.Context, p client.ExportRecordsParams) (exportStream, error) {
		rs, err := c.ExportRecordsStream(ctx, p)
		if err != nil {
			return nil, err
		}
		return rs, nil
	}
}

// Fetch exports the records p selects and streams their rows in REDCap's
// record order.
//
// The plan is the batching recipe of REDCap's R clients made parallel:
//
//  1. Ids first: export only the record-id field with p's Events,
//     FilterLogic (or FetchOptions.RecordFilter when set) and Records; keep
//     each id once, in REDCap's order.
//  2. Batches of those ids, sized by cells (see FetchOptions), are exported
//     in parallel with p's Fields, Forms and Events but WITHOUT FilterLogic:
//     the filter is row-level and the local residual re-checks every row
//     anyway, so this returns a superset, and a record found in step 1 is
//     certain to have rows in step 2, which makes the completeness check
//     sound. A batch the server cannot handle (client.ErrTooLarge, or a
//     time-out) is split in half and retried, down to one record, and the
//     batch size is halved for the rest of the query. Every id must come
//     back or Fetch fails naming the missing ids.
//
// Small exports skip step 1: when p.Records is pushed and its estimated
// size fits in a single call (ids ≤ MaxIDsPerBatch, cells ≤ CellsPerBatch),
// Fetch makes that one call with every parameter, FilterLogic included.
// Ids that do not exist or do not pass the filter are then simply absent,
// as in REDCap; if that call is too large, Fetch falls back to two steps.
//
// Fetch returns after the first batch has arrived, so errors of the id step
// and of the first call are returned here; later ones come from Err. Close
// stops every call in flight.
func Fetch(ctx context.Context, c *client.Client, p client.ExportRecordsParams, opts FetchOptions) (*FetchRows, error) {
	if c == nil {
		return nil, errors.New("fetch.Fetch: nil client")
	}
	return fetch(ctx, clientExporter(c), p, opts)
}

func (o *FetchOptions) SetDefaults(p client.ExportRecordsParams) error {
	if o.RecordIDField == "" {
		return errors.New("fetch.Fetch: FetchOptions.RecordIDField is required")
	}
	if o.Format == "" {
		o.Format = "json"
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.CellsPerBatch <= 0 {
		o.CellsPerBatch = DefaultCellsPerBatch
	}
	if o.MinCellsPerCall <= 0 {
		o.MinCellsPerCall = DefaultMinCellsPerCall
	}
	o.MinCellsPerCall = min(o.MinCellsPerCall, o.CellsPerBatch)
	if o.MaxIDsPerBatch <= 0 {
		o.MaxIDsPerBatch = DefaultMaxIDsPerBatch
	}
	if o.Columns <= 0 {
		o.Columns = estimateColumns(o.Dictionary, p)
	}
	if o.RowsPerRecord <= 0 {
		switch {
		case len(p.Events) > 0:
			o.RowsPerRecord = len(p.Events)
		case o.Events > 0:
			o.RowsPerRecord = o.Events
		default:
			o.RowsPerRecord = 1
		}
	}
	return nil
}

// estimateColumns guesses the flat-export width of p from the dictionary:
// one column per field, one per checkbox choice (and missing code), plus the
// plumbing columns.
func estimateColumns(d *client.Dictionary, p client.ExportRecordsParams) int {
	const plumbing = 4
	if d == nil {
		return 50
	}
	width := func(f *client.Field) int {
		if f.Kind == client.KindCodeSet {
			return len(f.Choices) + len(d.MissingCodes())
		}
		return 1
	}
	n := 0
	if len(p.Fields) == 0 && len(p.Forms) == 0 {
		for _, f := range d.Fields() {
			n += width(f)
		}
		return n + plumbing
	}
	seen := map[string]bool{}
	for _, name := range p.Fields {
		if f, ok := d.Field(name); ok && !seen[name] {
			seen[name] = true
			n += width(f)
		} else if !ok {
			n++
		}
	}
	for _, form := range p.Forms {
		for _, f := range d.Fields() {
			if f.Form == form && !seen[f.Name] {
				seen[f.Name] = true
				n += width(f)
			}
		}
		n++ // <form>_complete, when the dictionary does not list it
	}
	return n + plumbing
}

// fetch is Fetch over any exporter.
func fetch(ctx context.Context, export exportFunc, p client.ExportRecordsParams, opts FetchOptions) (*FetchRows, error) {
	if err := opts.SetDefaults(p); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	f := newFetchRows(ctx, cancel, export, p, opts)
	if p.Records != nil && len(p.Records) == 0 {
		// an empty records list selects nothing (REDCap would read it as all)
		f.nbatches = 0
		return f, nil
	}

	calls := PlanCalls(p, opts)
	if calls.OneCall {
		ok, err := f.singleCall(calls.Single)
		if err != nil {
			cancel()
			return nil, err
		}
		if ok {
			return f, nil
		}
		// too large for one call: two steps after all.
	}

	ids, err := f.fetchIDs(calls)
	if err != nil {
		cancel()
		return nil, err
	}
	f.start(ids, calls.Batch)
	if err := f.waitFirst(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fetchIDs is step 1: the record ids, once each, in REDCap's order.
func (f *FetchRows) fetchIDs(calls Calls) (*idList, error) {
	idp := calls.IDs
	f.filterFields = calls.filterFields
	f.idFiltered = idp.FilterLogic != ""
	var chunks [][]string
	if len(idp.Records) == 0 {
		chunks = [][]string{nil}
	} else {
		// More ids than one call can carry: ask in chunks of ids sorted the
		// way REDCap sorts records, so the chunks' results concatenate in
		// REDCap's order.
		recs := slices.Clone(idp.Records)
		if len(recs) > f.opts.MaxIDsPerBatch {
			slices.SortStableFunc(recs, CompareRecordIDs)
		}
		chunks = idChunks(recs, f.opts.MaxIDsPerBatch) // by request size (requestsize.go)
	}
	var b idBuilder
	if len(calls.IDEvents) > 0 {
		// PlanCalls: the whole id list of a longitudinal project, event by
		// event in parallel, merged in REDCap's record order.
		if err := f.idsPerEvent(idp, calls.IDEvents, &b); err != nil {
			return nil, fmt.Errorf("fetching record ids: %w", err)
		}
		chunks = nil
	}
	for _, chunk := range chunks {
		idp.Records = chunk
		if err := f.idsOf(idp, &b); err != nil {
			return nil, fmt.Errorf("fetching record ids: %w", err)
		}
	}
	ids := b.list()
	if !ids.ordered() {
		// not REDCap's order: a record may come twice, keep its first place
		var d idBuilder
		for _, id := range dedupe(ids.slice(0, ids.len())) {
			d.add(id)
		}
		ids = d.list()
	}
	f.mu.Lock()
	f.stats.IDs = ids.len()
	f.stats.TwoStep = true
	f.total = ids.len()
	f.mu.Unlock()
	return ids, nil
}

// idsPerEvent asks the ids of p event by event, up to 2 × Concurrency
// calls at once (the step is short and every batch waits for it), and
// adds them to out once each in REDCap's record order.
func (f *FetchRows) idsPerEvent(p client.ExportRecordsParams, events []string, out *idBuilder) error {
	parts := make([]idBuilder, len(events))
	errs := make([]error, len(events))
	sem := make(chan struct{}, 2*f.opts.Concurrency)
	var wg sync.WaitGroup
	for i, ev := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			q := p
			q.Events = []string{ev}
			errs[i] = f.idsOf(q, &parts[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	mergeIDs(parts, out)
	return nil
}

// mergeIDs adds the ids of parts to out once each, in REDCap's record
// order (the parts are separate exports: per event, or halves of a list).
func mergeIDs(parts []idBuilder, out *idBuilder) {
	seen := map[string]bool{}
	var ids []string
	for i := range parts {
		l := parts[i].list()
		for _, id := range l.slice(0, l.len()) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.SortStableFunc(ids, CompareRecordIDs)
	for _, id := range ids {
		out.add(id)
	}
}

// idsOf makes one id export and adds its ids to out. When even that is too
// large for the server (it happens: PyCap issue #80), it asks again per
// half of the records, else per event, and merges the answers in REDCap's
// record order.
func (f *FetchRows) idsOf(p client.ExportRecordsParams, out *idBuilder) error {
	// The rows stream by and only the ids stay, copied into out, so memory
	// grows by an id's bytes and 4 more per record, not by the export.
	// REDCap sends a record's rows together: a repeated id is the last one.
	var header []string
	start := out.len()
	col, rows := -1, 0
	err := f.callEach(p, func(cols []string) {
		out.truncate(start) // a retried call starts over
		rows, header = 0, cols
		col = slices.Index(cols, f.opts.RecordIDField)
	}, func(row []string) {
		rows++
		if col >= 0 && !out.isLast(row[col]) {
			out.add(row[col])
		}
	})
	if err == nil {
		if col < 0 && rows > 0 {
			return fmt.Errorf("the export has no column %q (columns: %s)", f.opts.RecordIDField, strings.Join(header, ", "))
		}
		f.mu.Lock()
		f.idRows += rows
		f.mu.Unlock()
		return nil
	}
	out.truncate(start)
	if !f.tooLarge(err) {
		return err
	}
	var parts []client.ExportRecordsParams
	events := p.Events
	if len(events) == 0 {
		events = f.opts.EventNames
	}
	switch {
	case len(p.Records) > 1:
		h := len(p.Records) / 2
		a, b := p, p
		a.Records, b.Records = p.Records[:h], p.Records[h:]
		parts = append(parts, a, b)
	case len(events) > 1:
		for _, ev := range events {
			q := p
			q.Events = []string{ev}
			parts = append(parts, q)
		}
	default:
		return fmt.Errorf("even the list of record ids is too large for the server to export: %w", err)
	}
	f.mu.Lock()
	f.stats.Splits++
	f.mu.Unlock()
	got := make([]idBuilder, len(parts))
	for i, q := range parts {
		if err := f.idsOf(q, &got[i]); err != nil {
			return err
		}
	}
	mergeIDs(got, out)
	return nil
}

// singleCall makes the one call of a small export. It reports false when
// the server found it too large (the caller then uses two steps).
func (f *FetchRows) singleCall(p client.ExportRecordsParams) (bool, error) {
	ids := p.Records
	f.mu.Lock()
	f.total = len(ids)
	f.stats.IDs = len(ids)
	f.stats.Batches = 1
	f.mu.Unlock()
	res, err := f.call(p, 0)
	if err != nil {
		if f.tooLarge(err) {
			f.mu.Lock()
			f.stats.Splits++
			f.stats.Batches = 0
			f.mu.Unlock()
			return false, nil
		}
		return false, err
	}
	f.finishSingle(res, len(ids))
	return true, nil
}

// tooLarge reports whether err means "make the request smaller": REDCap's
// out-of-memory and TIMEOUT errors, or a time-out while the query is alive.
func (f *FetchRows) tooLarge(err error) bool {
	if errors.Is(err, client.ErrTooLarge) {
		return true
	}
	if f.ctx.Err() != nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// logicRef matches a name in brackets in REDCap logic: [field], [event],
// [field(code)].
var logicRef = regexp.MustCompile(`\[([a-z][a-z0-9_]*)[\](]`)

// logicFields lists the fields a filterLogic reads, in order, once each:
// names that are dictionary fields (without a dictionary, names among
// known, the export's fields).
func logicFields(logic string, d *client.Dictionary, known []string) []string {
	var out []string
	for _, m := range logicRef.FindAllStringSubmatch(logic, -1) {
		name := m[1]
		isField := slices.Contains(known, name)
		if d != nil {
			_, isField = d.Field(name)
			isField = isField && name != d.RecordIDField()
		}
		if isField && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// idList holds record ids back to back in one string, with where each one
// ends: an id costs its bytes and 4 more, and nothing the garbage collector
// scans, where a []string of a million ids costs 24 MB of pointers and
// small strings.
type idList struct {
	text string
	ends []uint32 // id i is text[ends[i-1]:ends[i]] (from 0 for i = 0)
}

func (l *idList) len() int { return len(l.ends) }

func (l *idList) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.text[start:l.ends[i]]
}

// slice returns ids i to j-1 (strings share l's text).
func (l *idList) slice(i, j int) []string {
	out := make([]string, j-i)
	for k := range out {
		out[k] = l.at(i + k)
	}
	return out
}

// ordered reports whether the ids are in CompareRecordIDs order, each once.
func (l *idList) ordered() bool {
	for i := 1; i < l.len(); i++ {
		if CompareRecordIDs(l.at(i-1), l.at(i)) >= 0 {
			return false
		}
	}
	return true
}

// idBuilder collects the ids of an idList. Its text is a strings.Builder,
// so that the list's text is not a second copy of the ids.
type idBuilder struct {
	text strings.Builder
	ends []uint32
}

func (b *idBuilder) len() int { return len(b.ends) }

func (b *idBuilder) add(id string) {
	b.text.WriteString(id)
	b.ends = append(b.ends, uint32(b.text.Len()))
}

// isLast reports whether id is the last id added.
func (b *idBuilder) isLast(id string) bool {
	n := len(b.ends)
	if n == 0 {
		return false
	}
	start := uint32(0)
	if n > 1 {
		start = b.ends[n-2]
	}
	return b.text.String()[start:] == id
}

// truncate keeps the first n ids (a builder cannot shrink: the ids kept
// are copied into a new one, which only a retried call needs).
func (b *idBuilder) truncate(n int) {
	if n >= len(b.ends) {
		return
	}
	end := uint32(0)
	if n > 0 {
		end = b.ends[n-1]
	}
	kept := b.text.String()[:end]
	b.text = strings.Builder{}
	b.text.WriteString(kept)
	b.ends = b.ends[:n]
}

func (b *idBuilder) list() *idList {
	return &idList{text: b.text.String(), ends: slices.Clip(b.ends)}
}

// dedupe keeps the first occurrence of each id, in order.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// CompareRecordIDs orders record names the way REDCap lists records:
// natural order, where runs of digits compare by their value ("2" < "10"),
// digits sort before other characters, and the rest compares bytewise.
func CompareRecordIDs(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		da, db := isDigit(ca), isDigit(cb)
		switch {
		case da && db:
			ei, ej := i, j
			for ei < len(a) && isDigit(a[ei]) {
				ei++
			}
			for ej < len(b) && isDigit(b[ej]) {
				ej++
			}
			ra, rb := strings.TrimLeft(a[i:ei], "0"), strings.TrimLeft(b[j:ej], "0")
			if len(ra) != len(rb) {
				return cmp.Compare(len(ra), len(rb))
			}
			if c := strings.Compare(ra, rb); c != 0 {
				return c
			}
			if c := cmp.Compare(ei-i, ej-j); c != 0 { // "1" before "01"
				return c
			}
			i, j = ei, ej
		case da:
			return -1
		case db:
			return 1
		default:
			if ca != cb {
				return cmp.Compare(ca, cb)
			}
			i++
			j++
		}
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
