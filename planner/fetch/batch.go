package fetch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redcapql/rq/client"
)

// FetchRows streams the rows of a Fetch in REDCap's record order. It
// satisfies RawRows. Batches arrive in parallel and wait in a reorder
// buffer: batch k's rows are handed out only after every batch before k.
type FetchRows struct {
	ctx    context.Context
	cancel context.CancelFunc
	export exportFunc
	params client.ExportRecordsParams
	opts   FetchOptions
	size   *sizer

	filterFields []string                   // fields the id step's filter reads (also exported in step 2)
	idRows       int                        // rows the id step returned (step 1 only)
	idFiltered   bool                       // the id step had a filter, so idRows undercounts step 2's rows
	batchParams  client.ExportRecordsParams // step 2's parameters but Records; read-only once workers run

	mu      sync.Mutex // guards stats, total, fetched, failed
	failed  error      // first batch error, which cancelled the fetch
	stats   FetchStats
	total   int
	fetched int

	progressMu sync.Mutex   // serialises Progress callbacks
	dataHint   atomic.Int64 // most values one call has returned so far
	// spare holds the value slices of batches the reader has finished, for
	// the next calls to fill again: a batch is megabytes of string headers,
	// and a fresh one per call cost page faults and zeroing (a fifth of
	// rq's CPU in a profile of `select *`, docs/performance.md).
	spare chan []string

	wg     sync.WaitGroup
	window chan struct{}    // one token per batch dispatched and not yet consumed
	done   chan batchResult // finished batches, any order
	count  chan int         // number of batches, once all are dispatched
	// consumed counts the batches the reader is done with; consumedSig
	// wakes a dispatcher waiting on it (row-limit ramp).
	consumed    atomic.Int64
	consumedSig chan struct{}
	closed      bool
	started     bool

	// consumer side (Next's goroutine only)
	cols     []string
	pending  map[int]batchResult
	nbatches int // -1 until known
	next     int // next batch to hand out
	cur      *result
	curRow   int
	err      error
}

// batchResult is one batch's rows or its failure.
type batchResult struct {
	k   int
	res *result
	err error
}

// result holds the rows of one call, flattened: row i is
// data[i*len(cols):(i+1)*len(cols)].
type result struct {
	cols []string
	data []string
}

func (r *result) rows() int {
	if len(r.cols) == 0 {
		return 0
	}
	return len(r.data) / len(r.cols)
}

func (r *result) row(i int) []string {
	n := len(r.cols)
	return r.data[i*n : (i+1)*n : (i+1)*n]
}

func newFetchRows(ctx context.Context, cancel context.CancelFunc, export exportFunc, p client.ExportRecordsParams, opts FetchOptions) *FetchRows {
	f := &FetchRows{
		ctx:      ctx,
		cancel:   cancel,
		export:   export,
		params:   p,
		opts:     opts,
		pending:  map[int]batchResult{},
		nbatches: -1,
		curRow:   -1,
	}
	f.size = &sizer{
		target:         float64(opts.CellsPerBatch),
		ceiling:        float64(opts.CellsPerBatch) * MaxGrowth,
		limit:          opts.MaxIDsPerBatch,
		cellsPerRecord: float64(max(1, opts.Columns*opts.RowsPerRecord)),
	}
	if opts.RowLimit > 0 {
		// Enough records for the rows wanted if every row were kept, then
		// doubling: a query that stops early does not wait for (or cost the
		// server) full batches it will never read.
		f.size.ramp = max(1, opts.RowLimit/max(1, opts.RowsPerRecord))
	}
	return f
}

// finishSingle installs the result of a single-call export.
func (f *FetchRows) finishSingle(res *result, ids int) {
	f.mu.Lock()
	f.fetched = ids
	f.mu.Unlock()
	f.report()
	f.cols = res.cols
	f.pending[0] = batchResult{k: 0, res: res}
	f.nbatches = 1
}

// start launches the dispatcher and the workers over ids (step 2).
func (f *FetchRows) start(ids *idList, batch client.ExportRecordsParams) {
	f.started = true
	f.batchParams = batch // PlanCalls: without FilterLogic, with the id and filter fields
	conc := f.opts.Concurrency
	if strings.Contains(ids.text, ",") {
		f.size.capIDs(commaIDsPerBatch) // sent as records[i]: one POST variable each
	}
	if f.idRows > 0 && ids.len() > 0 && !f.idFiltered {
		// Without a filter the id step returned every row step 2 will: the
		// rows per record are known, not guessed.
		f.size.setRowsPerRecord(f.opts.Columns, float64(f.idRows)/float64(ids.len()))
	}
	planned, cells := f.size.plan(ids.len(), conc, float64(f.opts.MinCellsPerCall))
	f.mu.Lock()
	f.stats.Planned, f.stats.CellsPer, f.stats.Concurrency = planned, int(cells), conc
	f.mu.Unlock()
	// One batch beyond those in flight may wait, read, for the reader: a
	// batch is held whole in memory until it is read, so the window, not
	// the project, sets the memory of a query.
	f.window = make(chan struct{}, conc+1)
	f.spare = make(chan []string, conc+1)
	f.done = make(chan batchResult, conc+1)
	f.count = make(chan int, 1)
	f.consumedSig = make(chan struct{}, 1)
	type job struct {
		k   int
		ids []string
	}
	jobq := make(chan job)

	f.wg.Add(1)
	go func() { // dispatcher: cuts batches with the size learnt so far
		defer f.wg.Done()
		defer close(jobq)
		k := 0
		for i := 0; i < ids.len(); k++ {
			select {
			case f.window <- struct{}{}:
			case <-f.ctx.Done():
				return
			}
			n, ramped := f.size.take()
			if !ramped && k >= conc {
				n = f.size.balance(n, ids.len()-i, conc, float64(f.opts.MinCellsPerCall))
			}
			n = min(n, ids.len()-i)
			for ramped && k > 0 && f.consumed.Load() < int64(k) {
				select { // wait until the reader has taken every batch so far
				case <-f.consumedSig:
				case <-f.ctx.Done():
					return
				}
			}
			select {
			case jobq <- job{k, ids.slice(i, i+n)}:
			case <-f.ctx.Done():
				return
			}
			i += n
		}
		f.mu.Lock()
		f.stats.Batches = k
		f.mu.Unlock()
		f.count <- k
	}()
	for range conc {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for j := range jobq {
				res, err := f.fetchBatch(j.ids)
				if err != nil && f.ctx.Err() == nil {
					// fail fast: stop the other calls and cut no new batch
					// now, not when the reader gets to this batch
					f.setFailure(err)
					f.cancel()
				}
				select {
				case f.done <- batchResult{k: j.k, res: res, err: err}:
				case <-f.ctx.Done():
					return
				}
			}
		}()
	}
}

// fetchBatch exports the rows of ids, halving on "too large" errors, and
// checks that every id came back.
func (f *FetchRows) fetchBatch(ids []string) (*result, error) {
	t0 := time.Now()
	p := f.batchParams
	p.Records = ids
	res, err := f.call(p, f.size.cellsFor(len(ids)))
	if err != nil {
		if !f.tooLarge(err) {
			return nil, err
		}
		if len(ids) == 1 {
			return nil, fmt.Errorf("record %q is too large for the server to export even on its own: %w", ids[0], err)
		}
		f.mu.Lock()
		f.stats.Splits++
		f.mu.Unlock()
		f.size.halve(len(ids))
		h := len(ids) / 2
		a, err := f.fetchBatch(ids[:h])
		if err != nil {
			return nil, err
		}
		b, err := f.fetchBatch(ids[h:])
		if err != nil {
			return nil, err
		}
		return concatResults(a, b)
	}
	if err := checkComplete(res, ids, f.opts.RecordIDField); err != nil {
		return nil, err
	}
	f.size.observe(len(ids), res.rows(), len(res.cols), time.Since(t0))
	f.mu.Lock()
	f.fetched += len(ids)
	f.mu.Unlock()
	f.report()
	return res, nil
}

// withRecordID makes sure that, when fields or forms narrow the export,
// the record-id field and the fields the id step's filter read are
// exported too: REDCap does not add the id, and a row appears only when it
// stores a value among the fields asked for, so without them a record found
// by the id step might come back with no row.
func withRecordID(fields, forms []string, id string, filterFields []string) []string {
	if len(fields) == 0 && len(forms) == 0 {
		return fields
	}
	out := make([]string, 0, len(fields)+len(filterFields)+1) // never the caller's array: batches share it
	if !slices.Contains(fields, id) {
		out = append(out, id)
	}
	out = append(out, fields...)
	for _, f := range filterFields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// checkComplete fails when some id has no row in res.
func checkComplete(res *result, ids []string, idField string) error {
	col := slices.Index(res.cols, idField)
	got := make(map[string]bool, len(ids))
	if col >= 0 {
		for i := range res.rows() {
			got[res.row(i)[col]] = true
		}
	}
	var missing []string
	for _, id := range ids {
		if !got[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	const show = 20
	list := missing
	more := ""
	if len(list) > show {
		list = list[:show]
		more = fmt.Sprintf(" and %d more", len(missing)-show)
	}
	return &IncompleteError{Missing: missing, msg: fmt.Sprintf(
		"incomplete export: the server returned no rows for %d of %d requested records (%s%s); the result would be partial, so the query fails (a smaller batch size may help)",
		len(missing), len(ids), strings.Join(list, ", "), more)}
}

// IncompleteError reports record ids that the id step found but the
// record export did not return.
type IncompleteError struct {
	Missing []string // the missing record ids
	msg     string
}

func (e *IncompleteError) Error() string { return e.msg }

// concatResults appends b's rows to a's, matching columns by name.
func concatResults(a, b *result) (*result, error) {
	if a.rows() == 0 && len(a.cols) == 0 {
		return b, nil
	}
	bd, err := remap(b, a.cols)
	if err != nil {
		return nil, err
	}
	return &result{cols: a.cols, data: append(a.data, bd...)}, nil
}

// remap returns r's data laid out in cols' order.
func remap(r *result, cols []string) ([]string, error) {
	if slices.Equal(r.cols, cols) || r.rows() == 0 {
		return r.data, nil
	}
	idx := make([]int, len(r.cols))
	for i, c := range r.cols {
		idx[i] = slices.Index(cols, c)
		if idx[i] < 0 {
			return nil, fmt.Errorf("the server's batches disagree on columns: %q is new (first batch had %s)", c, strings.Join(cols, ", "))
		}
	}
	out := make([]string, r.rows()*len(cols))
	for i := range r.rows() {
		row := r.row(i)
		for j, v := range row {
			out[i*len(cols)+idx[j]] = v
		}
	}
	return out, nil
}

// maxTruncatedRetries bounds the calls made again after a cut body. The
// client retries failures before a body arrives; a body cut while it is
// read can only be retried here, where the whole call is kept in memory.
const maxTruncatedRetries = 3

// call makes one export and reads it whole, again when the body was cut.
// hint is the cells expected (0: unknown), to size the first slice.
func (f *FetchRows) call(p client.ExportRecordsParams, hint int) (*result, error) {
	var res *result
	begin := func(cols []string) {
		// Batches are alike: start at the largest size seen so far, or at
		// the cells expected, rather than growing (and copying) the slice
		// a few rows at a time: the first round of batches has no spare
		// slice, and growing theirs was a third of rq's CPU in a profile of
		// `select *` (docs/performance.md).
		res = &result{cols: cols, data: f.spareSlice(hint)}
	}
	err := f.callEach(p, begin, func(row []string) {
		res.data = append(res.data, row...) // the strings are immutable; only the slice is reused
	})
	if err != nil {
		return nil, err
	}
	if n := int64(len(res.data)); n > f.dataHint.Load() {
		f.dataHint.Store(n) // batches racing here only cost a regrowth
	}
	return res, nil
}

// callEach makes one export and hands its rows to each as they are read
// (row is valid during the call only), again when the body was cut: begin
// is then called again and the rows start over.
func (f *FetchRows) callEach(p client.ExportRecordsParams, begin func(cols []string), each func(row []string)) error {
	if p.Format == "" {
		p.Format = f.opts.Format
	}
	for attempt := 0; ; attempt++ {
		err := f.callOnce(p, begin, each)
		if err == nil || !errors.Is(err, client.ErrTruncated) || attempt == maxTruncatedRetries || f.ctx.Err() != nil {
			return err
		}
		f.mu.Lock()
		f.stats.Retries++
		f.mu.Unlock()
	}
}

// callOnce makes one export and streams its rows to each.
func (f *FetchRows) callOnce(p client.ExportRecordsParams, begin func(cols []string), each func(row []string)) error {
	t0 := time.Now()
	s, err := f.export(f.ctx, p)
	server := time.Since(t0)
	if err != nil {
		f.mu.Lock()
		f.stats.Calls++
		f.stats.ServerTime += server
		f.mu.Unlock()
		f.report()
		return err
	}
	t1 := time.Now()
	cols := slices.Clone(s.Columns())
	begin(cols)
	n := 0
	for s.Next() {
		row := s.Row()
		n++
		if len(row) != len(cols) {
			s.Close()
			return fmt.Errorf("export row %d has %d values for %d columns", n, len(row), len(cols))
		}
		each(row)
		if n&1023 == 0 && f.ctx.Err() != nil {
			break
		}
	}
	err = s.Err()
	cerr := s.Close()
	wire := time.Since(t1)
	f.mu.Lock()
	f.stats.Calls++
	f.stats.ServerTime += server
	f.stats.WireTime += wire
	f.stats.Bytes += s.BytesRead()
	f.mu.Unlock()
	f.report()
	if err == nil {
		err = cerr
	}
	if err == nil {
		err = f.ctx.Err()
	}
	return err
}

// report calls the Progress callback with a snapshot.
func (f *FetchRows) report() {
	if f.opts.Progress == nil {
		return
	}
	f.progressMu.Lock()
	defer f.progressMu.Unlock()
	f.mu.Lock()
	p := Progress{Records: f.fetched, Total: f.total, Calls: f.stats.Calls, Bytes: f.stats.Bytes}
	f.mu.Unlock()
	f.opts.Progress(p)
}

// waitFirst blocks until batch 0 has arrived (its columns become the
// stream's), all batches are known to be none, or something failed.
func (f *FetchRows) waitFirst() error {
	for {
		if _, ok := f.pending[0]; ok {
			f.cols = f.pending[0].res.cols
			return nil
		}
		if f.nbatches == 0 {
			return nil
		}
		if err := f.receive(); err != nil {
			return err
		}
	}
}

// receive waits for the next finished batch or the batch count.
func (f *FetchRows) receive() error {
	select {
	case r := <-f.done:
		if r.err != nil {
			f.cancel()
			// A worker records its failure before cancelling the others, so
			// a sibling's "cancelled" may reach us first: report the cause.
			if err := f.failure(); err != nil {
				return err
			}
			return r.err
		}
		f.pending[r.k] = r
	case n := <-f.count:
		f.nbatches = n
	case <-f.ctx.Done():
		if err := f.failure(); err != nil {
			return err
		}
		return f.ctx.Err()
	}
	return nil
}

// setFailure keeps the first error of a batch (the reason the fetch was
// cancelled).
func (f *FetchRows) setFailure(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed == nil {
		f.failed = err
	}
}

func (f *FetchRows) failure() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// Columns returns the export's column names.
func (f *FetchRows) Columns() []string { return f.cols }

// Next advances to the next row; false at the end or on error (see Err).
func (f *FetchRows) Next() bool {
	if f.err != nil {
		return false
	}
	for {
		if f.cur != nil && f.curRow+1 < f.cur.rows() {
			f.curRow++
			return true
		}
		if f.cur != nil {
			f.recycle(f.cur.data) // Row's rows are valid until Next only
			f.cur = nil
			if f.started {
				<-f.window // the batch is consumed: let the dispatcher cut another
				f.consumed.Add(1)
				select {
				case f.consumedSig <- struct{}{}:
				default:
				}
			}
		}
		if f.nbatches >= 0 && f.next >= f.nbatches {
			return false
		}
		if r, ok := f.pending[f.next]; ok {
			delete(f.pending, f.next)
			f.next++
			data, err := remap(r.res, f.cols)
			if err != nil {
				f.fail(err)
				return false
			}
			f.cur = &result{cols: f.cols, data: data}
			f.curRow = -1
			f.mu.Lock()
			f.stats.Rows += f.cur.rows()
			f.mu.Unlock()
			continue
		}
		if err := f.receive(); err != nil {
			f.fail(err)
			return false
		}
	}
}

// spareSlice returns an empty value slice for a call: a finished batch's
// if one is free, else a new one of the largest size seen so far.
func (f *FetchRows) spareSlice(hint int) []string {
	select {
	case d := <-f.spare:
		if cap(d) >= hint {
			return d[:0]
		}
		// Too small for this batch: growing it would copy it; let it go.
	default:
	}
	return make([]string, 0, max(int(f.dataHint.Load()), hint))
}

// recycle keeps a finished batch's value slice for a later call; its
// strings are cleared so that they do not outlive the batch.
func (f *FetchRows) recycle(d []string) {
	if f.spare == nil || cap(d) == 0 {
		return
	}
	clear(d)
	select {
	case f.spare <- d:
	default:
	}
}

func (f *FetchRows) fail(err error) {
	f.err = err
	f.cancel()
}

// Row returns the current row; valid until the next call to Next.
func (f *FetchRows) Row() []string { return f.cur.row(f.curRow) }

// Err returns the error that ended the stream, if any.
func (f *FetchRows) Err() error { return f.err }

// Close stops every call in flight and waits for them to end.
func (f *FetchRows) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.cancel()
	f.wg.Wait()
	return nil
}

// Stats returns what the fetch has done so far.
func (f *FetchRows) Stats() FetchStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.BatchSize = f.size.next()
	return s
}

// MaxGrowth bounds how far calls that come back fast may grow the cells
// per call beyond CellsPerBatch: the batches in flight are held in memory.
const MaxGrowth = 2

// fastCall is how long a call may take and still count as fast: below it
// the next batches double their cells (up to MaxGrowth × CellsPerBatch),
// since the server handles them easily and every call saved is a round
// trip and a hit on the rate limiter saved.
const fastCall = 2 * time.Second

// sizer chooses batch sizes: a target in cells per call over the cells one
// record costs (estimated, then learnt from the batches so far), capped by
// the id limit. After the id step, plan balances the target over the
// concurrency; calls that come back fast grow it, and the server running
// out of memory or time halves the id limit for good.
type sizer struct {
	ramp           int // with a row limit: the next batch's cap, doubling (0: none)
	mu             sync.Mutex
	target         float64 // cells per call now
	ceiling        float64 // most cells per call growth may reach
	limit          int     // most ids per call (learnt: only ever shrinks)
	halved         bool    // the server refused a batch: never grow again
	cellsPerRecord float64
	cells, records float64 // observed so far
}

// plan sets the target for n records over conc calls in flight and
// returns the batches planned and the cells of each: an export within
// target × conc cells goes in as few calls as the concurrency can use
// (none smaller than minCells, so a small export is one call); a larger
// one in calls of at most target cells, a multiple of conc of them so that
// the last round keeps every slot busy.
func (s *sizer) plan(n, conc int, minCells float64) (int, float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n == 0 {
		return 0, 0
	}
	total := float64(n) * s.cellsPerRecord
	var k int
	if total <= s.target*float64(conc) {
		k = min(conc, max(1, int(total/max(1, minCells))))
	} else {
		k = int(math.Ceil(total / s.target))
		k = (k + conc - 1) / conc * conc
	}
	k = min(k, n)
	per := (n + k - 1) / k // records per call, so that k calls take them all
	k = (n + per - 1) / per
	if per > s.limit {
		per = s.limit
		k = (n + per - 1) / per
	}
	s.target = float64(per) * s.cellsPerRecord
	return k, s.target
}

// balance shrinks a batch of n records near the end of the fetch so that
// the rest records left are shared by the conc calls in flight (guided
// self-scheduling): without it the last round is one or two full batches
// while the other slots idle, which on a server that takes seconds a call
// costs a whole call's time. The dispatcher asks only after the first
// round (those batches start together, and plan already sized them), and
// no batch goes under minCells or a quarter of n, so the tail costs a few
// calls more, not many.
func (s *sizer) balance(n, rest, conc int, minCells float64) int {
	if conc <= 1 || rest >= n*conc {
		return n
	}
	s.mu.Lock()
	floor := max(int(math.Ceil(minCells/s.cellsPerRecord)), n/4)
	s.mu.Unlock()
	share := (rest + conc - 1) / conc
	return max(1, min(n, max(share, floor)))
}

// cellsFor estimates the cells of a batch of n records, to size the slice
// that will hold it. Before any batch has come back the estimate comes
// from the id step and the dictionary's columns, which miss the columns
// REDCap adds (form status, checkbox options): twice the estimate is
// closer (the demo: 1.55 times), and a slice too large costs only its
// headers.
func (s *sizer) cellsFor(n int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	room := 1.05
	if s.records == 0 {
		room = 2
	}
	return int(float64(n)*s.cellsPerRecord*room) + 64
}

func (s *sizer) next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int(math.Round(s.target / s.cellsPerRecord))
	return max(1, min(n, s.limit))
}

// take returns the size of the next batch to cut: next, under the ramp,
// and whether that batch is a ramp batch (cut only once the batches before
// it have been read).
func (s *sizer) take() (int, bool) {
	n := s.next()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ramp == 0 {
		return n, false
	}
	if s.ramp >= n {
		s.ramp = 0 // the ramp has reached the normal size
		return n, false
	}
	n = s.ramp
	s.ramp *= 2
	return n, true
}

// observe learns from a batch of records that returned rows × cols cells
// in took: the cells per record, and whether calls are fast.
func (s *sizer) observe(records, rows, cols int, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cells += float64(rows * cols)
	s.records += float64(records)
	if s.records > 0 {
		s.cellsPerRecord = max(1, s.cells/s.records)
	}
	// Grow only on a batch of about the current size: a small last batch
	// is fast because it is small.
	if !s.halved && took < fastCall && float64(rows*cols) >= s.target/2 {
		s.target = min(s.target*2, max(s.ceiling, s.target))
	}
}

func (s *sizer) halve(failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.halved = true
	s.limit = max(1, min(s.limit, failed/2))
}

// capIDs lowers the id limit to n.
func (s *sizer) capIDs(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = max(1, min(s.limit, n))
}

// setRowsPerRecord replaces the estimate of cells per record before any
// batch has been observed.
func (s *sizer) setRowsPerRecord(cols int, rows float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records == 0 {
		s.cellsPerRecord = max(1, float64(max(1, cols))*max(1, rows))
	}
}

var _ RawRows = (*FetchRows)(nil)
