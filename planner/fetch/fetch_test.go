package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
)

// drain reads every row of f, copying them.
func drain(t *testing.T, f *FetchRows) [][]string {
	t.Helper()
	var out [][]string
	for f.Next() {
		out = append(out, slices.Clone(f.Row()))
	}
	return out
}

// wantRows lists what fs holds for ids (all columns), in server order.
func wantRows(fs *fakeServer, ids map[string]bool, filter bool) [][]string {
	var out [][]string
	for _, id := range fs.ids {
		if ids != nil && !ids[id] {
			continue
		}
		for r := range fs.rowsPer(id) {
			if filter && !fs.filter(id, r) {
				continue
			}
			row := []string{id}
			for _, c := range fs.cols[1:] {
				row = append(row, fmt.Sprintf("%s.%d.%s", id, r, c))
			}
			out = append(out, row)
		}
	}
	return out
}

func TestFetchBatches(t *testing.T) {
	tests := []struct {
		name      string
		nrec      int
		rowsPer   int
		opts      FetchOptions
		maxCells  int
		wantSplit bool
		minCalls  int
		maxCalls  int // 0: no bound
	}{
		{name: "one batch", nrec: 10, rowsPer: 2, opts: FetchOptions{Columns: 3}, minCalls: 1, maxCalls: 1},
		{name: "small project is one call", nrec: 2000, rowsPer: 3, opts: FetchOptions{Columns: 3}, minCalls: 1, maxCalls: 1},
		{name: "within the budget: one call per slot", nrec: 20000, rowsPer: 3, opts: FetchOptions{Concurrency: 4, Columns: 3}, minCalls: 4, maxCalls: 4},
		{name: "within the budget, concurrency 1", nrec: 20000, rowsPer: 3, opts: FetchOptions{Concurrency: 1, Columns: 3}, minCalls: 1, maxCalls: 1},
		// 2700 cells in calls of 90 cells, growing to 360 while fast
		{name: "cells cut batches", nrec: 300, rowsPer: 3, opts: FetchOptions{CellsPerBatch: 90, Columns: 3, RowsPerRecord: 3}, minCalls: 8, maxCalls: 32},
		{name: "id cap", nrec: 1200, rowsPer: 1, opts: FetchOptions{MaxIDsPerBatch: 100}, minCalls: 12},
		{name: "server cell limit halves", nrec: 500, rowsPer: 3, opts: FetchOptions{}, maxCells: 200, wantSplit: true, minCalls: 25},
		// batches grow while calls are fast, and how much depends on which
		// calls finished first: at most 2 × 50 cells a call is certain
		{name: "uneven records", nrec: 97, rowsPer: 0, opts: FetchOptions{CellsPerBatch: 50}, minCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFake(tt.nrec, tt.rowsPer, "a", "b")
			if tt.rowsPer == 0 {
				fs.rowsPer = func(id string) int { return len(id)*2 - 1 }
			}
			fs.maxCells = tt.maxCells
			opts := tt.opts
			opts.RecordIDField = "record_id"
			f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := drain(t, f)
			if err := f.Err(); err != nil {
				t.Fatal(err)
			}
			want := wantRows(fs, nil, false)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("got %d rows, want %d (first diff at %d)", len(got), len(want), firstDiff(got, want))
			}
			if !slices.Equal(f.Columns(), fs.cols) {
				t.Errorf("columns %v, want %v", f.Columns(), fs.cols)
			}
			st := f.Stats()
			if (st.Splits > 0) != tt.wantSplit {
				t.Errorf("splits = %d, want split %v", st.Splits, tt.wantSplit)
			}
			if st.Rows != len(want) || st.IDs != tt.nrec || !st.TwoStep {
				t.Errorf("stats %+v: want rows %d ids %d two-step", st, len(want), tt.nrec)
			}
			if n := fs.recordCalls(); n < tt.minCalls || tt.maxCalls > 0 && n > tt.maxCalls {
				t.Errorf("%d record calls, want %d to %d", n, tt.minCalls, tt.maxCalls)
			}
			if cap := opts.CellsPerBatch * MaxGrowth; cap > 0 && tt.rowsPer > 0 && !tt.wantSplit {
				for _, c := range fs.calls {
					if cells := len(c.Records) * tt.rowsPer * 3; len(c.Fields) != 1 && cells > cap {
						t.Errorf("a call carried %d cells, more than %d", cells, cap)
					}
				}
			}
			if st.Calls != len(fs.calls) {
				t.Errorf("stats count %d calls, server saw %d", st.Calls, len(fs.calls))
			}
			for _, c := range fs.calls {
				if len(c.Records) > max(opts.MaxIDsPerBatch, DefaultMaxIDsPerBatch*boolInt(opts.MaxIDsPerBatch == 0)) {
					t.Errorf("a call sent %d ids", len(c.Records))
				}
			}
			if tt.wantSplit {
				if st.BatchSize*tt.rowsPer*3 > tt.maxCells {
					t.Errorf("learnt batch size %d still exceeds the server's cell limit", st.BatchSize)
				}
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstDiff(a, b [][]string) int {
	for i := range min(len(a), len(b)) {
		if !slices.Equal(a[i], b[i]) {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestFetchFilterOnlyInIDStep(t *testing.T) {
	fs := newFake(200, 2, "a")
	fs.filter = func(id string, row int) bool { return row == 1 && strings.HasSuffix(id, "7") }
	p := client.ExportRecordsParams{FilterLogic: "[a] = 'x'", Fields: []string{"record_id", "a"}}
	f, err := fetch(context.Background(), fs.export, p, FetchOptions{RecordIDField: "record_id", CellsPerBatch: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	ids := map[string]bool{}
	for _, id := range fs.ids {
		if strings.HasSuffix(id, "7") {
			ids[id] = true
		}
	}
	// whole records of the ids that passed (the local residual re-checks rows)
	if want := wantRows(fs, ids, false); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	// the id step reads the filter's fields too (instance rows store no record id)
	if fs.calls[0].FilterLogic == "" || !slices.Equal(fs.calls[0].Fields, []string{"record_id", "a"}) {
		t.Errorf("id step sent %+v", fs.calls[0])
	}
	for _, c := range fs.calls[1:] {
		if c.FilterLogic != "" {
			t.Errorf("a batch re-sent the filter: %+v", c)
		}
	}
}

func TestFetchSingleCall(t *testing.T) {
	fs := newFake(50, 2, "a")
	fs.filter = func(id string, row int) bool { return row == 0 }
	p := client.ExportRecordsParams{Records: []string{"9", "3", "3", "404"}, FilterLogic: "[a] <> ''"}
	f, err := fetch(context.Background(), fs.export, p, FetchOptions{RecordIDField: "record_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	want := wantRows(fs, map[string]bool{"3": true, "9": true}, true)
	if f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %v (err %v), want %v", got, f.Err(), want)
	}
	if len(fs.calls) != 1 || f.Stats().TwoStep {
		t.Errorf("%d calls, stats %+v: want one call", len(fs.calls), f.Stats())
	}
	if !slices.Equal(fs.calls[0].Records, []string{"9", "3", "404"}) || fs.calls[0].FilterLogic == "" {
		t.Errorf("call %+v", fs.calls[0])
	}
}

func TestFetchSingleCallTooLargeFallsBack(t *testing.T) {
	fs := newFake(50, 4, "a", "b")
	fs.maxCells = 30
	p := client.ExportRecordsParams{Records: []string{"1", "2", "3", "4", "5", "6"}}
	f, err := fetch(context.Background(), fs.export, p, FetchOptions{RecordIDField: "record_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	ids := map[string]bool{"1": true, "2": true, "3": true, "4": true, "5": true, "6": true}
	if want := wantRows(fs, ids, false); f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %d rows (err %v), want %d", len(got), f.Err(), len(want))
	}
	if st := f.Stats(); !st.TwoStep || st.Splits == 0 {
		t.Errorf("stats %+v: want two steps and splits", st)
	}
}

func TestFetchManyPushedRecords(t *testing.T) {
	fs := newFake(1500, 1, "a")
	var recs []string
	for i := 1500; i >= 1; i -= 2 { // 750 ids, reversed
		recs = append(recs, fmt.Sprint(i))
	}
	p := client.ExportRecordsParams{Records: recs}
	f, err := fetch(context.Background(), fs.export, p, FetchOptions{RecordIDField: "record_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r] = true
	}
	if want := wantRows(fs, ids, false); f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %d rows (err %v), want %d in server order", len(got), f.Err(), len(want))
	}
	// the id step comes first: one call, its list comma-joined and sized
	// by bytes; the batches after it keep to MaxIDsPerBatch
	if len(fs.calls) == 0 || len(fs.calls[0].Records) != 750 {
		t.Fatalf("the id step did not ask for the 750 ids in one call (%d calls)", len(fs.calls))
	}
	for _, c := range fs.calls[1:] {
		if len(c.Records) > DefaultMaxIDsPerBatch {
			t.Errorf("a batch sent %d ids", len(c.Records))
		}
	}
}

func TestIDChunksByRequestSize(t *testing.T) {
	ids := make([]string, 200000)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	chunks := idChunks(ids, DefaultMaxIDsPerBatch)
	n := 0
	for _, c := range chunks {
		if b := len(strings.Join(c, ",")); b > maxIDListBytes {
			t.Errorf("a chunk of %d bytes", b)
		}
		n += len(c)
	}
	if n != len(ids) || len(chunks) != 2 {
		t.Errorf("%d chunks holding %d ids; want 2 holding %d", len(chunks), n, len(ids))
	}
	// an id with a comma: the list goes as one POST variable per id
	if c := idChunks([]string{"a,b", "c", "d"}, 2); len(c) != 2 {
		t.Errorf("comma ids: %d chunks, want 2", len(c))
	}
}

func TestFetchMissingIDs(t *testing.T) {
	fs := newFake(300, 2, "a")
	fs.drop = map[string]bool{"17": true, "250": true}
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 100})
	if err == nil {
		drain(t, f)
		err = f.Err()
		f.Close()
	}
	var inc *IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("err = %v, want *IncompleteError", err)
	}
	if !slices.Contains(inc.Missing, "17") && !slices.Contains(inc.Missing, "250") {
		t.Errorf("missing %v does not name a dropped id", inc.Missing)
	}
	if !strings.Contains(err.Error(), "no rows") {
		t.Errorf("message %q", err)
	}
}

func TestFetchRecordTooLargeAlone(t *testing.T) {
	fs := newFake(20, 10, "a", "b")
	fs.maxCells = 20 // one record is 30 cells
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id"})
	if err == nil {
		drain(t, f)
		err = f.Err()
		f.Close()
	}
	if !errors.Is(err, client.ErrTooLarge) || !strings.Contains(err.Error(), "even on its own") {
		t.Fatalf("err = %v, want a too-large error naming the record", err)
	}
}

func TestFetchOverlaps(t *testing.T) {
	fs := newFake(400, 1, "a")
	fs.rendezvou = 3
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f, err := fetch(ctx, fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 10, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	if len(got) != 400 {
		t.Fatalf("%d rows", len(got))
	}
	if m := fs.maxIn.Load(); m < 3 {
		t.Errorf("at most %d calls in flight, want 3", m)
	}
	if m := fs.maxIn.Load(); m > 3 {
		t.Errorf("%d calls in flight, above the cap of 3", m)
	}
}

func TestFetchProgress(t *testing.T) {
	fs := newFake(120, 2, "a")
	var last Progress
	n := 0
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{
		RecordIDField: "record_id", MaxIDsPerBatch: 25,
		Progress: func(p Progress) { n++; last = p },
	})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, f)
	f.Close()
	if last.Records != 120 || last.Total != 120 || last.Calls != len(fs.calls) || last.Bytes == 0 {
		t.Errorf("last progress %+v after %d calls", last, len(fs.calls))
	}
	if n < len(fs.calls) {
		t.Errorf("%d progress reports for %d calls", n, len(fs.calls))
	}
}

func TestFetchCancel(t *testing.T) {
	base := runtime.NumGoroutine()
	t.Run("before", func(t *testing.T) {
		fs := newFake(100, 1, "a")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := fetch(ctx, fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("midway", func(t *testing.T) {
		fs := newFake(2000, 1, "a")
		ctx, cancel := context.WithCancel(context.Background())
		f, err := fetch(ctx, fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 10})
		if err != nil {
			t.Fatal(err)
		}
		for range 15 {
			f.Next()
		}
		cancel()
		for f.Next() {
		}
		if !errors.Is(f.Err(), context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", f.Err())
		}
		f.Close()
		if n := fs.recordCalls(); n >= 200 {
			t.Errorf("%d calls: cancellation did not stop the fetch", n)
		}
	})
	t.Run("close early", func(t *testing.T) {
		fs := newFake(2000, 1, "a")
		f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 10})
		if err != nil {
			t.Fatal(err)
		}
		f.Next()
		f.Close()
	})
	// every goroutine the engine started has ended (Close waits for them)
	for i := 0; runtime.NumGoroutine() > base && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines left over (started with %d)", n, base)
	}
}

func TestCompareRecordIDs(t *testing.T) {
	ids := []string{"10", "b", "2", "a-1", "1", "010", "10-1", "a-10", "a-9"}
	slices.SortStableFunc(ids, CompareRecordIDs)
	if want := []string{"1", "2", "10", "10-1", "010", "a-1", "a-9", "a-10", "b"}; !slices.Equal(ids, want) {
		t.Errorf("sorted %v, want %v", ids, want)
	}
}

func TestFetchRecordFilter(t *testing.T) {
	fs := newFake(30, 2, "a")
	fs.filter = func(id string, row int) bool { return id == "4" || id == "21" }
	p := client.ExportRecordsParams{Records: []string{"4", "5"}, FilterLogic: "[a] <> ''"}
	f, err := fetch(context.Background(), fs.export, p, FetchOptions{RecordIDField: "record_id", RecordFilter: "[e][a] = '1'"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	if want := wantRows(fs, map[string]bool{"4": true}, false); f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %v (err %v), want %v", got, f.Err(), want)
	}
	if len(fs.calls) != 2 || fs.calls[0].FilterLogic != "[e][a] = '1'" || fs.calls[1].FilterLogic != "" {
		t.Errorf("calls %+v: want the record filter in the id step only", fs.calls)
	}
}

func TestLogicFields(t *testing.T) {
	got := logicFields("[week_4_arm_1][sbp] > 5 and [race(2)] = '1' or [sbp] <> '' and [x] = 1", nil, []string{"sbp", "race", "record_id"})
	if want := []string{"sbp", "race"}; !slices.Equal(got, want) {
		t.Errorf("logicFields = %v, want %v", got, want)
	}
}

func TestFetchIDStepTooLarge(t *testing.T) {
	fs := newFake(900, 1, "a")
	fs.maxIDRows = 100
	var recs []string
	for i := 900; i > 0; i -= 3 { // 300 pushed ids, in no particular order
		recs = append(recs, fmt.Sprint(i))
	}
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{Records: recs, FilterLogic: "[a] <> ''"},
		FetchOptions{RecordIDField: "record_id", RecordFilter: "[x][a] <> ''"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r] = true
	}
	if want := wantRows(fs, ids, false); f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %d rows (err %v), want %d in record order", len(got), f.Err(), len(want))
	}
	if f.Stats().Splits == 0 {
		t.Errorf("stats %+v: want the id step split", f.Stats())
	}
	// without records or events to split on, the failure says what failed
	fs2 := newFake(300, 1, "a")
	fs2.maxIDRows = 100
	_, err = fetch(context.Background(), fs2.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id"})
	if !errors.Is(err, client.ErrTooLarge) || !strings.Contains(err.Error(), "record ids") {
		t.Errorf("err = %v", err)
	}
}

func TestFetchOutOfOrder(t *testing.T) {
	fs := newFake(300, 2, "a")
	// early batches are slow, later ones fast: they finish out of order
	fs.delay = func(p client.ExportRecordsParams) time.Duration {
		if len(p.Records) == 0 {
			return 0
		}
		n, _ := strconv.Atoi(p.Records[0])
		return time.Duration(300-n) * 20 * time.Microsecond
	}
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 7, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	if want := wantRows(fs, nil, false); f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %d rows (err %v), want %d in record order (first difference at %d)", len(got), f.Err(), len(want), firstDiff(got, want))
	}
}

func TestFetchRowLimitRamp(t *testing.T) {
	requested := func(opts FetchOptions) (int, [][]string) {
		fs := newFake(1000, 1, "a")
		opts.RecordIDField = "record_id"
		f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var got [][]string
		for len(got) < 10 && f.Next() {
			got = append(got, slices.Clone(f.Row()))
		}
		f.Close() // the reader stops early, as a limit does
		fs.mu.Lock()
		defer fs.mu.Unlock()
		n := 0
		for _, c := range fs.calls[1:] {
			n += len(c.Records)
		}
		return n, got
	}
	full, rowsFull := requested(FetchOptions{})
	ramp, rowsRamp := requested(FetchOptions{RowLimit: 10})
	if !slices.EqualFunc(rowsFull, rowsRamp, slices.Equal) || len(rowsRamp) != 10 || rowsRamp[9][0] != "10" {
		t.Fatalf("rows differ: %v vs %v", rowsFull, rowsRamp)
	}
	if ramp > 40 || full < 500 {
		t.Errorf("records requested: %d with the ramp (want few), %d without", ramp, full)
	}
	// the ramp changes nothing when everything is read
	fs := newFake(300, 2, "a")
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", RowLimit: 3, MaxIDsPerBatch: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := drain(t, f), wantRows(fs, nil, false); f.Err() != nil || !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("%d rows (err %v), want %d", len(got), f.Err(), len(want))
	}
}

func TestFetchStatsJSON(t *testing.T) {
	b, err := json.Marshal(FetchStats{Calls: 3, Splits: 1, ServerTime: 1500 * time.Microsecond, TwoStep: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"calls":3`, `"splits":1`, `"server_ms":1.5`, `"two_step":true`, `"wire_ms":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}
