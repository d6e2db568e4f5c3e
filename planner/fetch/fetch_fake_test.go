package fetch

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redcapql/rq/client"
)

// fakeServer is a minimal in-memory record exporter for the fetch engine's
// unit tests: records with a few rows each, a row-level filter, a cell
// limit, dropped ids and an optional rendezvous that proves overlap.
type fakeServer struct {
	ids       []string // REDCap order
	rowsPer   func(id string) int
	cols      []string // record_id first
	maxCells  int      // 0: unlimited
	maxIDRows int      // id exports (the record-id field only) with more rows fail; 0: unlimited
	drop      map[string]bool
	filter    func(id string, row int) bool // for FilterLogic != ""
	rendezvou int                           // when > 0, calls wait until this many are in flight
	delay     func(p client.ExportRecordsParams) time.Duration

	mu       sync.Mutex
	calls    []client.ExportRecordsParams
	inFlight atomic.Int32
	maxIn    atomic.Int32
	arrive   chan struct{}
}

type fakeStream struct {
	cols  []string
	rows  [][]string
	i     int
	bytes int64
	ctx   context.Context
}

func (s *fakeStream) Columns() []string { return s.cols }
func (s *fakeStream) Next() bool {
	if s.ctx.Err() != nil || s.i >= len(s.rows) {
		return false
	}
	s.i++
	return true
}
func (s *fakeStream) Row() []string    { return s.rows[s.i-1] }
func (s *fakeStream) Err() error       { return s.ctx.Err() }
func (s *fakeStream) Close() error     { return nil }
func (s *fakeStream) BytesRead() int64 { return s.bytes }

func (fs *fakeServer) export(ctx context.Context, p client.ExportRecordsParams) (exportStream, error) {
	fs.mu.Lock()
	fs.calls = append(fs.calls, p)
	fs.mu.Unlock()
	n := fs.inFlight.Add(1)
	defer fs.inFlight.Add(-1)
	for {
		m := fs.maxIn.Load()
		if n <= m || fs.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if fs.rendezvou > 0 && len(p.Records) > 0 && len(p.Fields) != 1 {
		// wait until enough batches are in flight at once (or give up
		// when the context ends: the test then sees maxIn too low).
		for fs.inFlight.Load() < int32(fs.rendezvou) && fs.maxIn.Load() < int32(fs.rendezvou) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-fs.arrive:
			}
		}
		select {
		case fs.arrive <- struct{}{}:
		default:
		}
	}
	if fs.delay != nil {
		select {
		case <-time.After(fs.delay(p)):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	want := map[string]bool{}
	for _, r := range p.Records {
		want[r] = true
	}
	cols := fs.cols
	if len(p.Fields) > 0 {
		cols = p.Fields
	}
	var rows [][]string
	var bytes int64
	for _, id := range fs.ids {
		if len(p.Records) > 0 && !want[id] {
			continue
		}
		if fs.drop[id] && len(cols) > 1 {
			continue
		}
		for r := range fs.rowsPer(id) {
			if p.FilterLogic != "" && !fs.filter(id, r) {
				continue
			}
			row := make([]string, len(cols))
			row[0] = id
			for j := 1; j < len(cols); j++ {
				row[j] = fmt.Sprintf("%s.%d.%s", id, r, cols[j])
			}
			rows = append(rows, row)
			bytes += int64(len(strings.Join(row, ",")) + 1)
		}
	}
	if fs.maxIDRows > 0 && len(cols) == 1 && len(rows) > fs.maxIDRows {
		return nil, fmt.Errorf("fake: %d id rows: %w", len(rows), client.ErrTooLarge)
	}
	if fs.maxCells > 0 && len(cols) > 1 && len(rows)*len(cols) > fs.maxCells {
		return nil, fmt.Errorf("fake: %d cells: %w", len(rows)*len(cols), client.ErrTooLarge)
	}
	return &fakeStream{cols: slices.Clone(cols), rows: rows, bytes: bytes, ctx: ctx}, nil
}

func (fs *fakeServer) recordCalls() (n int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, c := range fs.calls {
		if len(c.Fields) != 1 {
			n++
		}
	}
	return n
}

func newFake(nrec int, rowsPer int, cols ...string) *fakeServer {
	fs := &fakeServer{
		rowsPer: func(string) int { return rowsPer },
		cols:    append([]string{"record_id"}, cols...),
		arrive:  make(chan struct{}, 1),
		filter:  func(string, int) bool { return true },
	}
	for i := 1; i <= nrec; i++ {
		fs.ids = append(fs.ids, fmt.Sprint(i))
	}
	return fs
}
