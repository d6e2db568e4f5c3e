package rq_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner/fetch"
)

// TestHugeFilterEvaluatedLocally: a 3,000-term `or` and a huge `in` list
// on a field are never sent as filterLogic (REDCap fails such a request
// with a 500); rq evaluates them itself, explain says so, and the answer
// equals the same condition written small.
func TestHugeFilterEvaluatedLocally(t *testing.T) {
	srv := startDemo(300)
	defer srv.Close()
	var longest atomic.Int64
	u, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		if v, err := url.ParseQuery(string(b)); err == nil {
			if n := int64(len(v.Get("filterLogic"))); n > longest.Load() {
				longest.Store(n)
			}
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	p, err := rq.Open(proxy.URL+u.Path, srv.Token("rq demo study"), rq.WithClientOptions(client.WithRateLimit(0)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var ors, ins []string
	for i := 0; i < 3000; i++ {
		ors = append(ors, fmt.Sprintf("age = %d", 1000+i))
		ins = append(ins, fmt.Sprint(1000+i))
	}
	ors = append(ors, "age = 40", "age = 41")
	ins = append(ins, "40", "41")
	small := "select record_id, age from records where age in (40, 41) order by record_id"
	for _, q := range []string{
		"select record_id, age from records where " + strings.Join(ors, " or ") + " order by record_id",
		"select record_id, age from records where age in (" + strings.Join(ins, ", ") + ") order by record_id",
	} {
		want := queryAll(t, p, small)
		got := queryAll(t, p, q)
		if got != want || want == "" {
			t.Errorf("huge filter: %d bytes of rows, the small one %d", len(got), len(want))
		}
		ex, err := p.Explain(ctx, q, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ex.Text, "kept local: a filterLogic of") {
			t.Errorf("explain does not say the filter stays local:\n%.600s", ex.Text)
		}
	}
	if n := longest.Load(); n > fetch.MaxFilterLogicBytes {
		t.Errorf("a request carried a filterLogic of %d bytes", n)
	}
}

func queryAll(t *testing.T, p *rq.Project, q string) string {
	t.Helper()
	rows, err := p.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		for i := range rows.Columns() {
			b.WriteString(rows.Value(i).String() + "\t")
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
