package planner

import (
	"bytes"
	"github.com/redcapql/rq/planner/fetch"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// wireCall is the part of one record export that explain describes, as
// read off the wire.
type wireCall struct {
	Records, Fields, Forms, Events []string
	FilterLogic                    string
	DAGs, Gray                     bool
}

// recorder records the record exports a client sends.
type recorder struct {
	mu    sync.Mutex
	calls []wireCall
	next  http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	v, err := url.ParseQuery(string(body))
	if err == nil && v.Get("content") == "record" && v.Get("action") != "import" {
		list := func(k string) []string {
			if s := v.Get(k); s != "" {
				return strings.Split(s, ",")
			}
			var out []string
			for i := 0; v.Has(k + "[" + strconv.Itoa(i) + "]"); i++ {
				out = append(out, v.Get(k+"["+strconv.Itoa(i)+"]"))
			}
			return out
		}
		c := wireCall{Records: list("records"), Fields: list("fields"), Forms: list("forms"), Events: list("events"),
			FilterLogic: v.Get("filterLogic"), DAGs: v.Get("exportDataAccessGroups") == "true",
			Gray: v.Get("exportBlankForGrayFormStatus") == "true"}
		r.mu.Lock()
		r.calls = append(r.calls, c)
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func explained(c ExplainCall) wireCall {
	p := c.Params
	return wireCall{Records: p.Records, Fields: p.Fields, Forms: p.Forms, Events: p.Events, FilterLogic: p.FilterLogic,
		DAGs: p.ExportDataAccessGroups, Gray: p.ExportBlankForGrayFormStatus}
}

func sameWire(a, b wireCall) bool {
	return slices.Equal(a.Records, b.Records) && slices.Equal(a.Fields, b.Fields) && slices.Equal(a.Forms, b.Forms) &&
		slices.Equal(a.Events, b.Events) && a.FilterLogic == b.FilterLogic && a.DAGs == b.DAGs && a.Gray == b.Gray
}

// TestExplainShowsCallsSent runs plans through Fetch against the demo
// server and compares the record exports on the wire with the calls
// explain lists: the id step with its filter, then batches of the ids it
// found without filter, or the single call of a small pushed record list.
func TestExplainShowsCallsSent(t *testing.T) {
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 40, Seed: 7})
	srv := redcaptest.NewServer(t, proj)
	rec := &recorder{next: http.DefaultTransport}
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0), client.WithHTTPClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	_, pl, _ := demoClient(t, 1) // the demo dictionary and structure
	tests := []struct {
		query string
		steps []string
	}{
		{"select record, score from records where score <> 5 and form = 'baseline' and notes ~ 'a'", []string{"ids", "batches"}},
		{"select age, score from records where score > 5 and form = 'baseline'", []string{"ids", "batches"}},
		{"select record, sbp from records where [enrollment_arm_1][age] > 50 and form = 'visit'", []string{"ids", "batches"}},
		{"select record, dag from records where dag = 'site_a'", []string{"ids", "batches"}},
		{"select * from records where record in ('1', '2', '2') and score > 1", []string{"single"}},
		{"select age from records where record = 3", []string{"single"}},
		{"select record from records where record in ('1', '2') and [enrollment_arm_1][age] > 20", []string{"ids", "batches"}},
	}
	for _, tt := range tests {
		p := mustPlan(t, pl, tt.query, nil)
		tune := Tuning{MaxIDsPerBatch: 7} // several batches
		calls := p.DescribeWith(ExplainOptions{Tuning: tune}).Calls
		var steps []string
		for _, c := range calls {
			steps = append(steps, c.Step)
		}
		if !slices.Equal(steps, tt.steps) {
			t.Errorf("%s: explain steps %v, want %v", tt.query, steps, tt.steps)
			continue
		}
		rec.mu.Lock()
		rec.calls = nil
		rec.mu.Unlock()
		raw, err := fetch.Fetch(t.Context(), c, p.Export, p.FetchOptions(tune))
		if err != nil {
			t.Fatalf("%s: %v", tt.query, err)
		}
		collect(t, runPlan(t.Context(), p, raw))
		sent := rec.calls
		if len(sent) == 0 {
			t.Fatalf("%s: no call recorded", tt.query)
		}
		if tt.steps[0] == "single" {
			if len(sent) != 1 || !sameWire(sent[0], explained(calls[0])) {
				t.Errorf("%s: sent %+v, explain shows %+v", tt.query, sent, explained(calls[0]))
			}
			continue
		}
		if calls[0].PerEvent {
			// one id call per event, in any order, then the batches
			events := calls[0].Params.Events
			var got []string
			for _, s := range sent[:len(events)] {
				want := explained(calls[0])
				want.Events = s.Events
				if len(s.Events) != 1 || !sameWire(s, want) {
					t.Errorf("%s: id step sent %+v, explain shows %+v", tt.query, s, explained(calls[0]))
				}
				got = append(got, s.Events...)
			}
			slices.Sort(got)
			if !slices.Equal(got, slices.Sorted(slices.Values(events))) {
				t.Errorf("%s: id calls per event %v, explain shows %v", tt.query, got, events)
			}
			sent = append([]wireCall{sent[0]}, sent[len(events):]...)
		} else if !sameWire(sent[0], explained(calls[0])) {
			t.Errorf("%s: id step sent %+v, explain shows %+v", tt.query, sent[0], explained(calls[0]))
		}
		if calls[1].RecordsFrom != "ids" || len(calls[1].Params.Records) != 0 || calls[1].Params.FilterLogic != "" {
			t.Errorf("%s: batch step %+v", tt.query, calls[1])
		}
		for _, s := range sent[1:] {
			want := explained(calls[1])
			want.Records = s.Records
			if len(s.Records) == 0 || len(s.Records) > 7 || !sameWire(s, want) {
				t.Errorf("%s: batch sent %+v, explain shows %+v", tt.query, s, want)
			}
		}
	}
}
