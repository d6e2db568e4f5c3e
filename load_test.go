package rq_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// loadQueries are the kinds of query the load test mixes.
var loadQueries = []string{
	"select * from records",
	"select record_id, age, score from records where score > 5 and form = 'baseline'",
	"select sex, count(*), avg(age) from records where form = 'baseline' group by sex order by sex",
	"select record_id, [week_4_arm_1][sbp] from records where [enrollment_arm_1][age] >= 40 order by record_id",
}

// countingProxy forwards to the API and counts requests in flight. Its
// first `burst` requests wait until all of them have arrived and then go
// to the server together, so the server surely meets a burst of
// concurrent requests; released is closed then.
type countingProxy struct {
	*jitterProxy
	inFlight atomic.Int64
	burst    int64
	arrived  atomic.Int64
	armed    atomic.Bool // the burst applies from now on
	released chan struct{}
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	if !p.armed.Load() {
		p.jitterProxy.ServeHTTP(w, r)
		return
	}
	switch n := p.arrived.Add(1); {
	case n < p.burst:
		<-p.released
	case n == p.burst:
		close(p.released)
	}
	p.jitterProxy.ServeHTTP(w, r)
}

// TestLoad: 32 concurrent queries on one project against one emulator all
// return their sequential answers, and the emulator answers a version
// call made while they run.
func TestLoad(t *testing.T) {
	const concurrent = 32
	n := min(*fmRecords, 2000)
	srv := startServer(t, redcaptest.Faults{}, demoProject(n))
	tok := srv.Token(demoTitle)

	seq := openDemo(t, srv.URL, tok)
	want := map[string]result{}
	for _, q := range loadQueries {
		r, _, err := runQuery(context.Background(), seq, q)
		if err != nil {
			t.Fatalf("sequential %q: %v", q, err)
		}
		want[q] = r
	}

	jp := newJitterProxy(t, srv.URL, 0, 1)
	cp := &countingProxy{jitterProxy: jp, burst: concurrent / 2, released: make(chan struct{})}
	jp.srv.Config.Handler = cp
	p := openDemo(t, jp.URL(), tok)
	if _, err := p.Planner(context.Background()); err != nil { // structure loaded once, outside the race
		t.Fatal(err)
	}
	cp.armed.Store(true)
	direct, err := client.New(srv.URL, tok, client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, concurrent)
	got := make([]result, concurrent)
	for i := range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], _, errs[i] = runQuery(context.Background(), p, loadQueries[i%len(loadQueries)])
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	close(start)

	// Once the burst is on its way to the server, ask for the version
	// directly (not through the proxy) until the queries end: every call
	// must answer.
	<-cp.released
	var versions, duringLoad int
	for stop := false; !stop; {
		busy := cp.inFlight.Load()
		v, err := direct.ExportVersion(context.Background())
		if err != nil || v == "" {
			t.Fatalf("version call during the load: %q, %v", v, err)
		}
		versions++
		if busy >= concurrent/2 {
			duringLoad++
		}
		select {
		case <-done:
			stop = true
		case <-time.After(20 * time.Millisecond):
		}
	}
	for i := range concurrent {
		q := loadQueries[i%len(loadQueries)]
		if errs[i] != nil {
			t.Errorf("query %d %q: %v", i, q, errs[i])
			continue
		}
		if got[i] != want[q] {
			t.Errorf("query %d %q: %d rows, sequential %d rows (checksums differ)", i, q, got[i].rows, want[q].rows)
		}
	}
	t.Logf("%d concurrent queries on %d records; %d version calls answered, %d with at least %d requests in flight; %d API requests",
		concurrent, n, versions, duringLoad, concurrent/2, jp.requests.Load())
}
