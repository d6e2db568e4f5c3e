package importer_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/importer"
	"github.com/redcapql/rq/client/redcaptest"
)

const demoName = "rq demo study"

// fastRetry keeps failing tests quick: two attempts, 10 ms apart.
var fastRetry = client.WithRetry(client.RetryPolicy{MaxAttempts: 2, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond})

// demo serves a demo project of n records and returns the server and a
// client for it.
func demo(t *testing.T, n int) (*redcaptest.Server, *client.Client) {
	t.Helper()
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: n, Seed: 7}))
	return srv, newClient(t, srv.URL, srv.Token(demoName))
}

func newClient(t *testing.T, url, token string) *client.Client {
	t.Helper()
	c, err := client.New(url, token, client.WithRateLimit(0), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func load(t *testing.T, c *client.Client, opts ...importer.Option) *importer.Importer {
	t.Helper()
	im, err := importer.Load(context.Background(), c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// proxy stands between the client and the emulator and can break record
// imports: fail(n) says what happens to the n-th import (1-based).
type proxy struct {
	srv     *httptest.Server
	target  *url.URL
	rp      *httputil.ReverseProxy
	mu      sync.Mutex
	imports int
	down    bool // after a failure, answer every request 502 (the server is gone)
	fail    func(n int) failure
}

type failure int

const (
	pass         failure = iota
	dropBefore           // 502 without forwarding: nothing stored
	dropAfter            // forward, then answer 502: stored, answer lost
	dropAndCrash         // 502 without forwarding, then everything 502
)

func newProxy(t *testing.T, upstream string, fail func(n int) failure) *proxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: u, fail: fail}
	p.rp = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the proxy's API endpoint.
func (p *proxy) URL() string { return p.srv.URL + p.target.Path }

func (p *proxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.imports
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	isImport := form.Get("content") == "record" && form.Get("action") == "import"
	p.mu.Lock()
	f := pass
	if p.down {
		f = dropBefore
	} else if isImport {
		p.imports++
		if p.fail != nil {
			f = p.fail(p.imports)
		}
		if f == dropAndCrash {
			p.down = true
		}
	}
	p.mu.Unlock()
	switch f {
	case dropBefore, dropAndCrash:
		http.Error(w, "<html><body><h1>502 Bad Gateway</h1></body></html>", http.StatusBadGateway)
	case dropAfter:
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		http.Error(w, "<html><body><h1>502 Bad Gateway</h1></body></html>", http.StatusBadGateway)
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// export returns the stored rows of records as "record|event|instrument|instance" -> column -> value.
func export(t *testing.T, c *client.Client, ids ...string) map[string]map[string]string {
	t.Helper()
	recs, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{Records: ids})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, r := range recs.Rows {
		m := map[string]string{}
		for i, col := range recs.Columns {
			m[col] = r[i]
		}
		key := strings.Join([]string{m["record_id"], m["redcap_event_name"], m["redcap_repeat_instrument"], m["redcap_repeat_instance"]}, "|")
		out[key] = m
	}
	return out
}

// storedIDs returns which of ids the server holds.
func storedIDs(t *testing.T, c *client.Client, ids []string) []string {
	t.Helper()
	rows := export(t, c, ids...)
	seen := map[string]bool{}
	for _, m := range rows {
		seen[m["record_id"]] = true
	}
	var out []string
	for _, id := range ids {
		if seen[id] {
			out = append(out, id)
		}
	}
	return out
}
