package redcaptest

import (
	"slices"
	"strconv"
	"testing"
)

func allIDs(s RecordStore) []string {
	var out []string
	for r := range s.All() {
		out = append(out, r.ID)
	}
	return out
}

// TestStoreIDs checks that every store's IDs lists the names All yields,
// in the same order, after overlay writes and deletions.
func TestStoreIDs(t *testing.T) {
	type op struct {
		put string // record to put, or
		del string // record to delete
	}
	tests := []struct {
		name string
		base func() RecordStore
		ops  []op
	}{
		{"demo", func() RecordStore { return Demo(DemoOptions{Records: 25, Seed: 1}).Records }, nil},
		{"overlay on demo", func() RecordStore { return Demo(DemoOptions{Records: 25, Seed: 1}).Records },
			[]op{{put: "3"}, {put: "100"}, {put: "0"}, {put: "12-1"}, {put: "a"}, {del: "7"}, {del: "25"}, {del: "100"}, {put: "7"}, {del: "1"}}},
		{"overlay on memory", func() RecordStore {
			m := NewMemStore()
			for _, id := range []string{"10", "2", "b", "1-2"} {
				m.Put(&Record{ID: id})
			}
			return m
		}, []op{{put: "3"}, {del: "b"}, {put: "1-10"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s RecordStore = tc.base()
			if tc.ops != nil {
				o := NewOverlay(s)
				for _, op := range tc.ops {
					if op.put != "" {
						o.Put(&Record{ID: op.put})
					} else {
						o.Delete(op.del)
					}
				}
				s = o
			}
			l, ok := s.(idLister)
			if !ok {
				t.Fatalf("%T has no IDs", s)
			}
			got := slices.Collect(l.IDs())
			if want := allIDs(s); !slices.Equal(got, want) {
				t.Errorf("IDs %v, All %v", got, want)
			}
			if len(got) != s.Len() {
				t.Errorf("IDs lists %d, Len %d", len(got), s.Len())
			}
			// Stopping early stops.
			n := 0
			for range l.IDs() {
				if n++; n == 2 {
					break
				}
			}
		})
	}
}

// TestNextRecordNameDemoIsCheap checks that auto-numbering on the demo reads
// names only: far fewer allocations than building the records would take.
func TestNextRecordNameDemoIsCheap(t *testing.T) {
	const n = 20000
	p := Demo(DemoOptions{Records: n, Seed: 1})
	srv := NewServer(t, p)
	if st, body := api(t, srv, srv.Token(p.Name), "content", "generateNextRecordName"); st != 200 || body != strconv.Itoa(n+1) {
		t.Fatalf("generateNextRecordName: %d %q", st, body)
	}
	allocs := testing.AllocsPerRun(2, func() { p.nextRecordNumber("") })
	if allocs > 2*n {
		t.Errorf("nextRecordNumber on %d demo records: %.0f allocations (records are being built)", n, allocs)
	}
	// Through an overlay with writes on top.
	o := p.Writable()
	o.Put(&Record{ID: strconv.Itoa(n + 5)})
	o.Delete("1")
	if got := p.nextRecordNumber(""); got != n+6 {
		t.Errorf("after writes: next %d, want %d", got, n+6)
	}
	if allocs := testing.AllocsPerRun(2, func() { p.nextRecordNumber("") }); allocs > 2*n {
		t.Errorf("nextRecordNumber through the overlay: %.0f allocations", allocs)
	}
}
