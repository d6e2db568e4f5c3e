package fetch

import (
	"context"
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestSizerBalance checks the guided tail: full batches while the rest
// fills every slot, then a share of the rest per slot, never under the
// floor (minCells, or a quarter of the batch).
func TestSizerBalance(t *testing.T) {
	tests := []struct {
		name           string
		n, rest, conc  int
		minCells       float64
		cellsPerRecord float64
		want           int
	}{
		{"rest fills every slot", 1000, 4000, 4, 0, 10, 1000},
		{"more than a round left", 1000, 9000, 4, 0, 10, 1000},
		{"last round shared", 1000, 2000, 4, 0, 10, 500},
		{"share rounds up", 1000, 2001, 4, 0, 10, 501},
		{"quarter floor", 1000, 400, 4, 0, 10, 250},
		{"min cells floor", 1000, 1200, 4, 5000, 10, 500},
		{"floor above n keeps n", 100, 150, 4, 1e6, 10, 100},
		{"concurrency 1 never shrinks", 1000, 10, 1, 0, 10, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sizer{cellsPerRecord: tt.cellsPerRecord}
			if got := s.balance(tt.n, tt.rest, tt.conc, tt.minCells); got != tt.want {
				t.Errorf("balance(%d, %d, %d) = %d, want %d", tt.n, tt.rest, tt.conc, got, tt.want)
			}
		})
	}
}

// TestFetchSharesTheTail runs a fetch of 1,050 records in batches of at
// most 100 over 4 slots: after the first round the batches stay full while
// the rest fills every slot, then shrink to share the rest, and every
// record arrives once, in order.
func TestFetchSharesTheTail(t *testing.T) {
	fs := newFake(1050, 1, "a")
	opts := FetchOptions{RecordIDField: "record_id", Concurrency: 4, MaxIDsPerBatch: 100, MinCellsPerCall: 1}
	f, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := drain(t, f)
	if err := f.Err(); err != nil {
		t.Fatal(err)
	}
	if want := wantRows(fs, nil, false); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	// The batches in the order they were cut (by their first record).
	index := map[string]int{}
	for i, id := range fs.ids {
		index[id] = i
	}
	var sizes []int
	var firsts []int
	for _, c := range fs.calls {
		if len(c.Records) == 0 {
			continue // the id step
		}
		firsts = append(firsts, index[c.Records[0]])
		sizes = append(sizes, len(c.Records))
	}
	order := make([]int, len(sizes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return firsts[a] - firsts[b] })
	var cut []int
	for _, i := range order {
		cut = append(cut, sizes[i])
	}
	// 1050 = 7 full batches (700), then the last 350 shared: 88, 66, 49,
	// 37, 28, then 25 (the quarter floor) and what is left.
	for i, n := range cut {
		switch {
		case i < 7 && n != 100:
			t.Fatalf("batch %d has %d records, want 100 (batches %v)", i, n, cut)
		case i >= 7 && (n > cut[i-1] || n > 100):
			t.Fatalf("batch %d has %d records, more than the one before (batches %v)", i, n, cut)
		}
	}
	if len(cut) <= 11 {
		t.Fatalf("batches %v: the last 350 records were not shared out", cut)
	}
}
