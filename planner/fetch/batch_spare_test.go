package fetch

import (
	"context"
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestBatchSlicesRecycled checks that a finished batch's value slice goes
// to the next call, emptied and with its strings cleared, and that the
// rows stay right when every batch after the first reuses one (TestFetch*
// check the rows across many batches and orders as well).
func TestBatchSlicesRecycled(t *testing.T) {
	f := &FetchRows{spare: make(chan []string, 2)}
	d := append(make([]string, 0, 8), "a", "b", "c")
	f.recycle(d)
	if d[0] != "" || d[2] != "" {
		t.Errorf("recycled slice still holds %q: its strings would outlive the batch", d)
	}
	got := f.spareSlice(5)
	if len(got) != 0 || cap(got) != 8 || &got[:1][0] != &d[0] {
		t.Errorf("spareSlice = len %d cap %d, want the recycled slice emptied", len(got), cap(got))
	}
	if got := f.spareSlice(0); cap(got) != 0 {
		t.Errorf("with no spare left and no hint, spareSlice should make an empty slice, got cap %d", cap(got))
	}
	f.recycle(append(make([]string, 0, 8), "a"))
	if got := f.spareSlice(100); cap(got) != 100 {
		t.Errorf("with only a smaller spare, spareSlice should make a slice of the expected cells (100), got cap %d", cap(got))
	}

	fs := newFake(1200, 2, "a", "b")
	fr, err := fetch(context.Background(), fs.export, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 50, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	rows := drain(t, fr)
	if want := wantRows(fs, nil, false); fr.Err() != nil || !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("got %d rows (err %v), want %d (first difference at %d)", len(rows), fr.Err(), len(want), firstDiff(rows, want))
	}
	if len(fr.spare) == 0 {
		t.Errorf("after %d batches no slice was kept for reuse", fr.Stats().Batches)
	}
}
