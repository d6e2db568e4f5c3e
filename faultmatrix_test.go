package rq_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// The fault matrix runs in CI at 5,000 records and 20 seeds. Its long form:
//
//	go test -run FaultMatrix -args -records=100000
var (
	fmRecords = flag.Int("records", 5000, "fault matrix and load tests: demo project size (long form: 100000)")
	fmSeeds   = flag.Int("seeds", 20, "fault matrix: number of seeded runs")
)

const fmQuery = "select * from records"

const demoTitle = "rq demo study"

// startServer serves p with faults; the server stops when the test ends.
func startServer(t testing.TB, f redcaptest.Faults, p *redcaptest.Project) *redcaptest.Server {
	t.Helper()
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: f}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// jitterProxy forwards to the API at upstream after a random delay of
// 0..max (seeded), like a proxy on a busy network; it counts requests
// and 429 answers.
type jitterProxy struct {
	srv      *httptest.Server
	path     string
	rp       *httputil.ReverseProxy
	max      time.Duration
	mu       sync.Mutex
	rng      *rand.Rand
	requests atomic.Int64
	banned   atomic.Int64 // 429 answers passed on
	after429 atomic.Int64 // requests that arrived after the first 429 was sent
}

func newJitterProxy(t testing.TB, upstream string, max time.Duration, seed uint64) *jitterProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &jitterProxy{path: u.Path, max: max, rng: rand.New(rand.NewPCG(seed, seed+1))}
	p.rp = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	p.rp.ModifyResponse = func(r *http.Response) error {
		if r.StatusCode == http.StatusTooManyRequests {
			p.banned.Add(1)
		}
		return nil
	}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *jitterProxy) URL() string { return p.srv.URL + p.path }

func (p *jitterProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	if p.banned.Load() > 0 {
		p.after429.Add(1)
	}
	if p.max > 0 {
		p.mu.Lock()
		d := time.Duration(p.rng.Int64N(int64(p.max) + 1))
		p.mu.Unlock()
		time.Sleep(d)
	}
	p.rp.ServeHTTP(w, r)
}

// fastRetries keeps the matrix quick: five attempts, 10–50 ms apart.
var fastRetries = client.WithRetry(client.RetryPolicy{MaxAttempts: 5, BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond})

// openDemo opens an rq project on url with a fresh client (its structure
// is loaded through the same faults).
func openDemo(t testing.TB, url, token string, opts ...rq.Option) *rq.Project {
	t.Helper()
	c, err := client.New(url, token, client.WithRateLimit(0), fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	p, err := rq.OpenClient(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// result is a query's answer reduced to a checksum.
type result struct {
	rows int
	sum  string
}

// runQuery runs src and checksums every row of the answer, in order.
func runQuery(ctx context.Context, p *rq.Project, src string) (result, rq.Stats, error) {
	rows, err := p.Query(ctx, src, nil)
	if err != nil {
		return result{}, rq.Stats{}, err
	}
	defer rows.Close()
	h := sha256.New()
	h.Write([]byte(strings.Join(rows.Columns(), "\x1f") + "\n"))
	n := 0
	for rows.Next() {
		h.Write([]byte(strings.Join(rows.Strings(), "\x1f") + "\n"))
		n++
	}
	st := rows.Stats()
	if err := rows.Err(); err != nil {
		return result{}, st, err
	}
	return result{rows: n, sum: hex.EncodeToString(h.Sum(nil))}, st, nil
}

// demoProject builds the demo once per size; servers share it (read-only).
var demoProjects sync.Map // records -> *redcaptest.Project

func demoProject(records int) *redcaptest.Project {
	if p, ok := demoProjects.Load(records); ok {
		return p.(*redcaptest.Project)
	}
	p, _ := demoProjects.LoadOrStore(records, redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1}))
	return p.(*redcaptest.Project)
}

// baseline is the fault-free answer.
func baseline(t testing.TB, records int, src string) result {
	t.Helper()
	srv := startServer(t, redcaptest.Faults{}, demoProject(records))
	want, _, err := runQuery(context.Background(), openDemo(t, srv.URL, srv.Token(demoTitle)), src)
	if err != nil {
		t.Fatalf("fault-free run: %v", err)
	}
	return want
}

// TestFaultMatrix: under 10% 502/503/504, 5% truncated bodies, 5% HTML
// error pages and 0–2 ms jitter, every seeded run returns exactly the
// fault-free answer or fails with a clear error — never a partial answer
// reported as success.
func TestFaultMatrix(t *testing.T) {
	n := *fmRecords
	want := baseline(t, n, fmQuery)
	if want.rows < n {
		t.Fatalf("fault-free run has %d rows for %d records", want.rows, n)
	}
	var ok, failed int
	var calls int
	for seed := 1; seed <= *fmSeeds; seed++ {
		f := redcaptest.Faults{FailRate: 0.10, TruncateRate: 0.05, HTMLErrorRate: 0.05, Seed: int64(seed)}
		srv := startServer(t, f, demoProject(n))
		px := newJitterProxy(t, srv.URL, 2*time.Millisecond, uint64(seed))
		got, st, err := runQuery(context.Background(), openDemo(t, px.URL(), srv.Token(demoTitle)), fmQuery)
		calls += int(px.requests.Load())
		if err != nil {
			failed++
			var ce *client.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "redcap") {
				t.Errorf("seed %d: the error is not a clear REDCap error: %T %v", seed, err, err)
			}
			t.Logf("seed %d: failed after %d requests: %v", seed, px.requests.Load(), err)
			continue
		}
		if got != want {
			t.Errorf("seed %d: SUCCESS WITH A WRONG ANSWER: %d rows sum %s, fault-free %d rows sum %s (calls %d, splits %d)",
				seed, got.rows, got.sum[:12], want.rows, want.sum[:12], st.Fetch.Calls, st.Fetch.Splits)
			continue
		}
		ok++
	}
	t.Logf("fault matrix, %d records, %d rows: %d runs returned the exact answer, %d failed with an error (%d requests in all)",
		n, want.rows, ok, failed, calls)
}

// TestFaultMatrixCellLimit: a server that runs out of memory above a low
// cell count makes the batches halve; the answer is still complete.
func TestFaultMatrixCellLimit(t *testing.T) {
	n := min(*fmRecords, 2000)
	want := baseline(t, n, fmQuery)
	srv := startServer(t, redcaptest.Faults{MaxCells: 40000}, demoProject(n))
	got, st, err := runQuery(context.Background(), openDemo(t, srv.URL, srv.Token(demoTitle)), fmQuery)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("cell-limited answer %d rows differs from the fault-free %d rows", got.rows, want.rows)
	}
	if st.Fetch.Splits == 0 {
		t.Fatalf("no batch was split under MaxCells=40000: %+v", st.Fetch)
	}
	t.Logf("cell limit 40000: %d calls, %d splits, final batch size %d", st.Fetch.Calls, st.Fetch.Splits, st.Fetch.BatchSize)
}

// TestFaultMatrixBan: a 429 (REDCap's permanent IP ban) stops the query at
// once, with an explanation, and is never retried.
func TestFaultMatrixBan(t *testing.T) {
	srv := startServer(t, redcaptest.Faults{RateLimitPerMinute: 12}, demoProject(2000))
	px := newJitterProxy(t, srv.URL, 0, 1)
	p := openDemo(t, px.URL(), srv.Token(demoTitle), rq.WithConcurrency(4), rq.WithCellsPerBatch(2000))
	_, _, err := runQuery(context.Background(), p, fmQuery)
	if !errors.Is(err, client.ErrBanned) {
		t.Fatalf("err = %v, want client.ErrBanned", err)
	}
	for _, s := range []string{"429", "banned", "administrator"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the error does not explain the ban (lacks %q): %v", s, err)
		}
	}
	// Calls already in flight may meet the ban too; nothing new is sent.
	if a := px.after429.Load(); a > 3 {
		t.Errorf("%d requests were sent after the first 429 (concurrency 4)", a)
	}
}
