package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/fixtures"
	"github.com/redcapql/rq/planner/catalog"
)

// serveFixture serves a fixture project with faults and returns a client
// without a rate cap (the test server is loopback).
func serveFixture(t *testing.T, faults redcaptest.Faults, path ...string) (*client.Client, *redcaptest.Project) {
	t.Helper()
	proj, err := redcaptest.LoadODM(fixtures.Path(t, path...))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: faults}, proj)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	return c, proj
}

// exportAll is the reference: one unbatched export.
func exportAll(t *testing.T, c *client.Client, p client.ExportRecordsParams) *client.Records {
	t.Helper()
	recs, err := c.ExportRecords(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestFetchServerCellLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		path []string
	}{
		{"classic", []string{"redcapr", "projects", "clinical-trial-1", "project.xml"}},
		{"repeating", []string{"redcapr", "projects", "repeating-instruments", "project.xml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, _ := serveFixture(t, redcaptest.Faults{}, tc.path...)
			want := exportAll(t, ref, client.ExportRecordsParams{})
			perRecord := map[string]int{}
			for _, r := range want.Rows {
				perRecord[r[0]] += len(r)
			}
			// the id step and every single record fit; the whole export does not
			total := len(want.Rows) * len(want.Columns)
			maxCells := max(len(perRecord)+1, total/6)
			for _, n := range perRecord {
				maxCells = max(maxCells, n)
			}
			if maxCells >= total {
				t.Fatalf("fixture unsuitable: a limit of %d cells does not bite on %d", maxCells, total)
			}
			c, _ := serveFixture(t, redcaptest.Faults{MaxCells: maxCells}, tc.path...)
			p, err := c.Project(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// a whole-project query that the server cannot answer in one call
			if _, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{}); !errors.Is(err, client.ErrTooLarge) {
				t.Fatalf("one call: err = %v, want ErrTooLarge (the test needs a limit that bites)", err)
			}
			f, err := Fetch(context.Background(), c, client.ExportRecordsParams{}, FetchOptions{
				RecordIDField: p.DefField(), CellsPerBatch: 1_000_000, Concurrency: 3,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got [][]string
			for f.Next() {
				got = append(got, slices.Clone(f.Row()))
			}
			if err := f.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.Columns(), want.Columns) {
				t.Fatalf("columns %v\nwant %v", f.Columns(), want.Columns)
			}
			if !slices.EqualFunc(got, want.Rows, slices.Equal) {
				t.Fatalf("%d rows, want %d (first difference at row %d)", len(got), len(want.Rows), firstDiff(got, want.Rows))
			}
			st := f.Stats()
			if st.Splits == 0 || st.Rows != len(want.Rows) || st.Calls < 3 {
				t.Errorf("stats %+v: want splits, %d rows", st, len(want.Rows))
			}
			t.Logf("%d rows in %d calls, %d splits, final batch %d ids", st.Rows, st.Calls, st.Splits, st.BatchSize)
		})
	}
}

func TestFetchServerFilterAndFields(t *testing.T) {
	c, _ := serveFixture(t, redcaptest.Faults{}, "redcapr", "projects", "repeating-instruments", "project.xml")
	p, err := c.Project(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := p.DefField()
	params := client.ExportRecordsParams{FilterLogic: "[" + id + "] <> ''", Forms: []string{p.Forms()[0]}}
	f, err := Fetch(context.Background(), c, params, FetchOptions{RecordIDField: id, MaxIDsPerBatch: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for f.Next() {
		n++
	}
	if f.Err() != nil || n == 0 {
		t.Fatalf("%d rows, err %v", n, f.Err())
	}
	if !slices.Contains(f.Columns(), id) {
		t.Errorf("columns %v lack the record id", f.Columns())
	}
	if st := f.Stats(); !st.TwoStep || st.Calls != st.IDs+1 {
		t.Errorf("stats %+v: want one call per record plus the id step", st)
	}
}

// serveDemo serves the demo project.
func serveDemo(t *testing.T, faults redcaptest.Faults, records int) (*client.Client, *redcaptest.Project) {
	t.Helper()
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1})
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: faults}, proj)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	return c, proj
}

func TestFetchSourceServer(t *testing.T) {
	c, proj := serveDemo(t, redcaptest.Faults{}, 20)
	ctx := context.Background()
	for _, source := range catalog.Sources() {
		if source.IsRecords() {
			continue
		}
		src := source.Name
		t.Run(src, func(t *testing.T) {
			rows, err := FetchSource(ctx, c, src)
			if err != nil {
				t.Fatal(err)
			}
			cols := source.ColumnNames()
			if !slices.Equal(rows.Columns()[:len(cols)], cols) {
				t.Errorf("columns %v, want %v first", rows.Columns(), cols)
			}
			n := 0
			for rows.Next() {
				if len(rows.Row()) != len(rows.Columns()) {
					t.Fatalf("row %d has %d values for %d columns", n, len(rows.Row()), len(rows.Columns()))
				}
				n++
			}
			switch src {
			case "metadata":
				if n != len(proj.Metadata) && n == 0 {
					t.Errorf("%d metadata rows", n)
				}
			case "project":
				if n != 1 {
					t.Errorf("%d project rows", n)
				}
			case "events":
				if n != len(proj.Events) {
					t.Errorf("%d events, want %d", n, len(proj.Events))
				}
			case "fem":
				if n != len(proj.FormEventMapping) {
					t.Errorf("%d mappings, want %d", n, len(proj.FormEventMapping))
				}
			case "dags":
				if n != len(proj.DAGs) {
					t.Errorf("%d DAGs, want %d", n, len(proj.DAGs))
				}
			case "users":
				if n != len(proj.Users) {
					t.Errorf("%d users, want %d", n, len(proj.Users))
				}
			case "instruments", "fields", "arms":
				if n == 0 {
					t.Errorf("no %s rows", src)
				}
			}
		})
	}
	if _, err := FetchSource(ctx, c, "nope"); err == nil || !strings.Contains(err.Error(), "no local source") {
		t.Errorf("unknown source: %v", err)
	}
}

func TestFetchDemoWholeProjectCellLimit(t *testing.T) {
	ref, _ := serveDemo(t, redcaptest.Faults{}, 300)
	want := exportAll(t, ref, client.ExportRecordsParams{})
	c, _ := serveDemo(t, redcaptest.Faults{MaxCells: 4000}, 300)
	if _, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{}); !errors.Is(err, client.ErrTooLarge) {
		t.Fatalf("one call: err = %v, want ErrTooLarge", err)
	}
	p, err := c.Project(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dict, _ := p.Dictionary()
	f, err := Fetch(context.Background(), c, client.ExportRecordsParams{}, FetchOptions{
		RecordIDField: p.DefField(), Dictionary: dict, Events: len(p.Events()),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got [][]string
	for f.Next() {
		got = append(got, slices.Clone(f.Row()))
	}
	if err := f.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Columns(), want.Columns) || !slices.EqualFunc(got, want.Rows, slices.Equal) {
		t.Fatalf("%d rows, want %d (first difference at row %d)", len(got), len(want.Rows), firstDiff(got, want.Rows))
	}
	st := f.Stats()
	if st.Splits == 0 {
		t.Errorf("stats %+v: want splits", st)
	}
	t.Logf("demo: %d rows, %d records in %d calls, %d splits, batch size learnt %d", st.Rows, st.IDs, st.Calls, st.Splits, st.BatchSize)
}

// dropRecordProxy forwards to target but removes the rows of record id
// from record exports that ask for more than the record-id field.
func dropRecordProxy(t *testing.T, target, id string) string {
	t.Helper()
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // cancelled calls after the failure are expected
	rp.ModifyResponse = func(resp *http.Response) error {
		req := resp.Request
		if req.PostForm.Get("content") != "record" || req.PostForm.Get("fields[1]") == "" && req.PostForm.Get("fields[0]") != "" {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var kept []string
		for _, line := range strings.SplitAfter(string(body), "\n") {
			if !strings.HasPrefix(line, id+",") {
				kept = append(kept, line)
			}
		}
		out := strings.Join(kept, "")
		resp.Body = io.NopCloser(strings.NewReader(out))
		resp.ContentLength = int64(len(out))
		resp.Header.Set("Content-Length", fmt.Sprint(len(out)))
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.PostForm, _ = url.ParseQuery(string(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

func TestFetchServerDropsRecord(t *testing.T) {
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 40, Seed: 1})
	srv := redcaptest.NewServer(t, proj)
	c, err := client.New(dropRecordProxy(t, srv.URL, "17"), srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Fetch(context.Background(), c, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", MaxIDsPerBatch: 7, Format: "csv"}) // the proxy edits CSV
	if err == nil {
		for f.Next() {
		}
		err = f.Err()
		f.Close()
	}
	var inc *IncompleteError
	if !errors.As(err, &inc) || !slices.Equal(inc.Missing, []string{"17"}) {
		t.Fatalf("err = %v, want an IncompleteError naming record 17", err)
	}
	if !strings.Contains(err.Error(), "17") {
		t.Errorf("message does not name the record: %v", err)
	}
}

func TestFetchServerFaults(t *testing.T) {
	ref, _ := serveDemo(t, redcaptest.Faults{}, 120)
	want := exportAll(t, ref, client.ExportRecordsParams{Format: "json"})
	for _, format := range []string{"json"} { // the default; see FetchOptions.Format for why not csv
		t.Run(format, func(t *testing.T) {
			proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 120, Seed: 1})
			srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: redcaptest.Faults{
				FailRate: 0.2, TruncateRate: 0.25, Seed: 5}}, proj)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0),
				client.WithLogger(slog.New(slog.DiscardHandler)),
				client.WithRetry(client.RetryPolicy{MaxAttempts: 8, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}))
			if err != nil {
				t.Fatal(err)
			}
			for run := range 6 {
				f, err := Fetch(context.Background(), c, client.ExportRecordsParams{}, FetchOptions{
					RecordIDField: "record_id", MaxIDsPerBatch: 10, Format: format,
				})
				var got [][]string
				if err == nil {
					for f.Next() {
						got = append(got, slices.Clone(f.Row()))
					}
					err = f.Err()
					f.Close()
				}
				if err != nil {
					// a failure is allowed (and must say what failed); a partial result is not
					t.Logf("run %d (%s): failed cleanly: %v", run, format, err)
					continue
				}
				if !slices.EqualFunc(got, want.Rows, slices.Equal) {
					t.Fatalf("run %d: %d rows, want %d: a partial or wrong result passed as complete", run, len(got), len(want.Rows))
				}
				t.Logf("run %d: complete after %d retries of cut bodies", run, f.Stats().Retries)
			}
		})
	}
}

func TestFetchServerInputVarsLimit(t *testing.T) {
	ref, _ := serveDemo(t, redcaptest.Faults{}, 100)
	want := exportAll(t, ref, client.ExportRecordsParams{Format: "json"})
	c, _ := serveDemo(t, redcaptest.Faults{MaxInputVars: 40}, 100)
	f, err := Fetch(context.Background(), c, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got [][]string
	for f.Next() {
		got = append(got, slices.Clone(f.Row()))
	}
	if f.Err() != nil || !slices.EqualFunc(got, want.Rows, slices.Equal) {
		t.Fatalf("%d rows (err %v), want %d", len(got), f.Err(), len(want.Rows))
	}
	if st := f.Stats(); st.Splits == 0 || st.BatchSize > 40 {
		t.Errorf("stats %+v: want splits down to batches under the POST-variable limit", st)
	}
}

func TestFetchServerIDStepByEvent(t *testing.T) {
	ref, _ := serveDemo(t, redcaptest.Faults{}, 300)
	want := exportAll(t, ref, client.ExportRecordsParams{Format: "json"})
	c, _ := serveDemo(t, redcaptest.Faults{MaxCells: 2000}, 300)
	if _, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{Fields: []string{"record_id"}}); !errors.Is(err, client.ErrTooLarge) {
		t.Fatalf("id export: %v, want ErrTooLarge (the limit must bite on the ids)", err)
	}
	p, err := c.Project(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range p.Events() {
		events = append(events, e.UniqueEventName)
	}
	f, err := Fetch(context.Background(), c, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id", EventNames: events})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got [][]string
	for f.Next() {
		got = append(got, slices.Clone(f.Row()))
	}
	if f.Err() != nil || !slices.EqualFunc(got, want.Rows, slices.Equal) {
		t.Fatalf("%d rows (err %v), want %d (first difference at %d)", len(got), f.Err(), len(want.Rows), firstDiff(got, want.Rows))
	}
}

// The engine's record order (used when it merges id lists) is the
// emulator's export order.
func TestCompareRecordIDsMatchesServer(t *testing.T) {
	parts := []string{"0", "1", "01", "2", "10", "a", "B", "-", "_", "x9", "007"}
	var ids []string
	for _, a := range parts {
		for _, b := range parts {
			ids = append(ids, a+b)
		}
	}
	for _, a := range ids {
		for _, b := range ids {
			if got, want := CompareRecordIDs(a, b), redcaptest.CompareIDs(a, b); got != want {
				t.Fatalf("compare(%q, %q) = %d, the server orders %d", a, b, got, want)
			}
		}
	}
}
