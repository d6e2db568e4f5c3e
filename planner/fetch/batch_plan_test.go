package fetch

import (
	"testing"
	"time"
)

// TestSizerPlan: the batch plan after the id step. Within the budget
// (CellsPerBatch × concurrency) an export goes in as few calls as the
// concurrency can use, none under the minimum; beyond it, in calls of at
// most CellsPerBatch, a multiple of the concurrency of them.
func TestSizerPlan(t *testing.T) {
	tests := []struct {
		name        string
		n           int     // records
		cpr         float64 // cells per record
		conc, limit int
		wantCalls   int
		wantPer     int // records per call
	}{
		{"tiny project: one call", 200, 150, 4, 50_000, 1, 200},
		{"under two minimum calls: one call", 300, 150, 4, 50_000, 1, 300},
		{"two minimum calls", 400, 150, 4, 50_000, 2, 200},
		{"within the budget: one per slot", 20_000, 150, 4, 50_000, 4, 5000},
		{"within the budget, concurrency 8", 20_000, 150, 8, 50_000, 8, 2500},
		{"within the budget, concurrency 1", 6000, 150, 1, 50_000, 1, 6000},
		{"beyond the budget: multiple of 4", 200_000, 150, 4, 50_000, 32, 6250},
		{"beyond the budget, concurrency 1", 200_000, 150, 1, 50_000, 30, 6667},
		{"id limit", 200_000, 1, 4, 10_000, 20, 10_000},
		{"fewer records than calls", 3, 1_000_000, 4, 50_000, 3, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sizer{target: 1e6, ceiling: 2e6, limit: tt.limit, cellsPerRecord: tt.cpr} // CellsPerBatch 1M
			calls, cells := s.plan(tt.n, tt.conc, 25_000)
			if calls != tt.wantCalls || s.next() != tt.wantPer {
				t.Fatalf("plan = %d calls of %d records (%.0f cells), want %d of %d", calls, s.next(), cells, tt.wantCalls, tt.wantPer)
			}
			if cut := (tt.n + s.next() - 1) / s.next(); cut != calls {
				t.Errorf("batches of %d records cut %d records into %d calls, plan says %d", s.next(), tt.n, cut, calls)
			}
		})
	}
}

// TestSizerAdapts: fast calls of the planned size grow the next batches up
// to the ceiling; slow ones do not; a refused batch halves the id limit and
// stops growth for good.
func TestSizerAdapts(t *testing.T) {
	s := &sizer{target: 1000, ceiling: 4000, limit: 1 << 30, cellsPerRecord: 10}
	if s.next() != 100 {
		t.Fatalf("next = %d", s.next())
	}
	s.observe(100, 100, 10, 3*time.Second) // slow: no growth
	if s.next() != 100 {
		t.Fatalf("after a slow call next = %d, want 100", s.next())
	}
	s.observe(100, 100, 10, time.Millisecond) // fast and full: double
	if s.next() != 200 {
		t.Fatalf("after a fast call next = %d, want 200", s.next())
	}
	s.observe(10, 10, 10, time.Millisecond) // fast but small: no growth
	if s.next() != 200 {
		t.Fatalf("after a small fast call next = %d, want 200", s.next())
	}
	for range 5 {
		s.observe(s.next(), s.next(), 10, time.Millisecond)
	}
	if s.next() != 400 {
		t.Fatalf("growth passed the ceiling: next = %d, want 400", s.next())
	}
	s.halve(400)
	if s.next() != 200 {
		t.Fatalf("after a refusal next = %d, want 200", s.next())
	}
	s.observe(200, 200, 10, time.Millisecond)
	if s.next() != 200 {
		t.Fatalf("grew after a refusal: next = %d", s.next())
	}
}
