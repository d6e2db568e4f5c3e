package redcaptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestServerModelCharges: every call is charged RequestCost, and a record
// export CellCost per exported cell (rows × columns of the answer), over
// HTTP. The sleep is swapped for a recorder: what is checked is what the
// server charges, never how long a call took.
func TestServerModelCharges(t *testing.T) {
	var mu sync.Mutex
	var charged []time.Duration
	old := modelSleep
	modelSleep = func(_ *http.Request, d, _ time.Duration) {
		mu.Lock()
		charged = append(charged, d)
		mu.Unlock()
	}
	t.Cleanup(func() { modelSleep = old })

	const requestCost, cellCost = 100 * time.Millisecond, 5 * time.Microsecond
	srv, err := Start("", Options{Model: ServerModel{RequestCost: requestCost, CellCost: cellCost, Workers: 8}}, Demo(DemoOptions{Records: 30, Seed: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	post := func(form url.Values) []byte {
		form.Set("token", srv.Token("rq demo study"))
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
		}
		return b
	}
	tests := []struct {
		name  string
		form  url.Values
		cells func(body []byte) int // 0: no cell charge
	}{
		{"version", url.Values{"content": {"version"}}, nil},
		{"metadata", url.Values{"content": {"metadata"}, "format": {"json"}}, nil},
		{"flat export", url.Values{"content": {"record"}, "format": {"json"}, "type": {"flat"}}, flatCells},
		{"narrow export", url.Values{"content": {"record"}, "format": {"json"}, "fields[0]": {"record_id"}, "records[0]": {"3"}, "records[1]": {"7"}}, flatCells},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			charged = nil
			mu.Unlock()
			body := post(tt.form)
			want := []time.Duration{requestCost}
			if tt.cells != nil {
				want = append(want, time.Duration(tt.cells(body))*cellCost)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(charged) != len(want) || charged[0] != want[0] || len(want) > 1 && charged[1] != want[1] {
				t.Errorf("charged %v, want %v", charged, want)
			}
		})
	}
}

// flatCells is rows × columns of a flat JSON export.
func flatCells(body []byte) int {
	var rows []map[string]any
	if json.Unmarshal(body, &rows) != nil || len(rows) == 0 {
		return -1
	}
	return len(rows) * len(rows[0])
}

// TestServerModelWorkers: with Workers 2, no more than two calls are served
// at once and the others wait their turn; all are served in the end.
func TestServerModelWorkers(t *testing.T) {
	const workers, calls = 2, 6
	var in, peak atomic.Int64
	entered := make(chan struct{}, calls)
	release := make(chan struct{})
	h := wrapModel(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := in.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		entered <- struct{}{}
		<-release
		in.Add(-1)
	}), ServerModel{Workers: workers})
	ts := httptest.NewServer(h)
	defer ts.Close()
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(ts.URL)
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	for i := range calls {
		<-entered // the next call gets in only when one is released
		if i >= workers-1 {
			release <- struct{}{}
		}
	}
	for range workers - 1 {
		release <- struct{}{}
	}
	wg.Wait()
	if p := peak.Load(); p != workers {
		t.Errorf("%d calls were served at once, want %d", p, workers)
	}
}

// TestModelWait: a charge is waited out less the time the emulator already
// spent building the answer, never below zero.
func TestModelWait(t *testing.T) {
	tests := []struct{ charge, spent, want time.Duration }{
		{time.Second, 0, time.Second},
		{time.Second, 300 * time.Millisecond, 700 * time.Millisecond},
		{time.Second, time.Second, 0},
		{time.Second, 2 * time.Second, 0},
		{0, 0, 0},
	}
	for _, tt := range tests {
		if got := modelWait(tt.charge, tt.spent); got != tt.want {
			t.Errorf("modelWait(%v, %v) = %v, want %v", tt.charge, tt.spent, got, tt.want)
		}
	}
}
