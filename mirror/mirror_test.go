package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/mirror"
)

// queries cover the demo's shapes: every event, event-pinned references,
// repeating instruments, checkboxes, DAGs, aggregates, record lists.
var queries = []string{
	"select count(*) from records",
	"select * from records",
	"select record_id, event, age, score from records where score > 5 and form = 'baseline'",
	"select record_id, [enrollment_arm_1][sex], event, sbp from records where form = 'visit' and sbp > 120",
	"select record_id, instance, med_name, med_dose from records where form = 'medications'",
	"select sex, count(*), avg(weight), min(dob) from records group by sex order by sex",
	"select * from records where record_id in ('3', '7', '12', '149', '150', '151')",
	"select record_id, event from records where event = 'week_4_arm_1'",
	"select record_id, race from records where race has '2'",
	"select record_id, dag, age from records where dag = 'site_a'",
	"select record_id, label(sex), weight from records where missing(weight) or weight is null",
}

// answers runs every query and returns the results as text.
func answers(t *testing.T, p *rq.Project) []string {
	t.Helper()
	var out []string
	for _, q := range queries {
		rows, err := p.Query(context.Background(), q, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var b strings.Builder
		fmt.Fprintln(&b, strings.Join(rows.Columns(), "|"))
		for rows.Next() {
			fmt.Fprintln(&b, strings.Join(rows.Strings(), "|"))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		rows.Close()
		out = append(out, b.String())
	}
	return out
}

func sameAnswers(t *testing.T, when string, online, offline []string) {
	t.Helper()
	for i := range queries {
		if online[i] != offline[i] {
			t.Errorf("%s: %s\nonline:\n%.800s\noffline:\n%.800s", when, queries[i], online[i], offline[i])
		}
	}
}

type env struct {
	t     *testing.T
	clock *redcaptest.ManualClock
	srv   *redcaptest.Server
	c     *client.Client
	dir   string
	opts  mirror.Options
	calls atomic.Int64
	fail  atomic.Int64 // fail the call with this number (0: none)
}

func (e *env) RoundTrip(r *http.Request) (*http.Response, error) {
	n := e.calls.Add(1)
	if n == e.fail.Load() {
		return nil, errors.New("injected network failure")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func newEnv(t *testing.T, records int) *env {
	return newEnvAt(t, records, time.Date(2026, 5, 4, 8, 0, 0, 0, time.Local))
}

// newEnvAt is newEnv with the server's clock starting at start (the demo's
// records were created the day before).
func newEnvAt(t *testing.T, records int, start time.Time) *env {
	e := &env{t: t, clock: redcaptest.NewManualClock(start), dir: filepath.Join(t.TempDir(), "m")}
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 2})
	proj.Clock = e.clock.Now
	proj.Created = start.Add(-24 * time.Hour)
	e.srv = redcaptest.NewServer(t, proj)
	c, err := client.New(e.srv.URL, e.srv.Token("rq demo study"),
		client.WithHTTPClient(&http.Client{Transport: e}), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	e.c = c
	// no Options.Now: the sync takes the server's time from its Date header
	e.opts = mirror.Options{PartRecords: 40}
	return e
}

func (e *env) sync() *mirror.Report {
	e.t.Helper()
	rep, err := mirror.Sync(context.Background(), e.c, e.dir, e.opts)
	if err != nil {
		e.t.Fatalf("sync: %v", err)
	}
	return rep
}

func (e *env) online() []string {
	p, err := rq.Open(e.srv.URL, e.srv.Token("rq demo study"))
	if err != nil {
		e.t.Fatal(err)
	}
	return answers(e.t, p)
}

func (e *env) offline() []string {
	p, err := rq.OpenMirror(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	return answers(e.t, p)
}

func (e *env) importCSV(csv string) {
	e.t.Helper()
	if _, err := e.c.ImportRecords(context.Background(), client.ImportRecordsParams{Data: []byte(csv)}); err != nil {
		e.t.Fatal(err)
	}
}

// TestMirrorSyncs: full sync, changes, incremental sync fetching only the
// changed records, deletions from the log, offline answers equal online
// answers at each sync.
func TestMirrorSyncs(t *testing.T) {
	e := newEnv(t, 150)
	full := e.sync()
	if full.Kind != "full" || full.Reason != "first sync" || full.Added != 150 {
		t.Fatalf("first sync: %+v", full)
	}
	sameAnswers(t, "after the full sync", e.online(), e.offline())

	e.clock.Advance(time.Hour)
	e.importCSV("record_id,redcap_event_name,age,weight\n5,enrollment_arm_1,77,81.5\n40,enrollment_arm_2,19,\n")
	e.importCSV("record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,med_name\n7,enrollment_arm_1,medications,9,newdrug\n")
	e.importCSV("record_id,redcap_event_name,sex,age\n151,enrollment_arm_1,1,33\n")
	if _, err := e.c.DeleteRecords(context.Background(), client.DeleteRecordsParams{Records: []string{"12", "100"}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	var log []string
	e.opts.Log = func(msg string) { log = append(log, msg) }
	inc := e.sync()
	e.opts.Log = nil
	// -v: the one record export asks for the changes only, and gets the 4
	// changed records' rows
	var exports []string
	for _, l := range log {
		if strings.HasPrefix(l, "export records") {
			exports = append(exports, l)
		}
	}
	if len(exports) != 2 || !strings.HasPrefix(exports[0], "export records changed since 2026-05-04 07:50:00: ") ||
		!strings.HasPrefix(exports[1], "export records 2 deleted in the log: 0 rows") {
		t.Errorf("sync log:\n%s", strings.Join(log, "\n"))
	}
	if inc.Kind != "incremental" || inc.Changed != 4 || inc.Deleted != 2 || inc.Added != 1 || inc.Deletes != "log" {
		t.Errorf("incremental: %+v", inc)
	}
	if inc.Bytes*5 > full.Bytes {
		t.Errorf("incremental sync moved %d bytes, full %d: more than a fifth", inc.Bytes, full.Bytes)
	}
	if inc.Kept == 0 || inc.Rewrote == 0 {
		t.Errorf("parts: %d rewritten, %d kept: want some of each", inc.Rewrote, inc.Kept)
	}
	sameAnswers(t, "after the incremental sync", e.online(), e.offline())

	// nothing changed: nothing fetched but the structure
	e.clock.Advance(time.Hour)
	none := e.sync()
	if none.Changed != 0 || none.Deleted != 0 || none.Rewrote != 0 {
		t.Errorf("idle sync: %+v", none)
	}
	st, err := mirror.ReadState(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReadIDs(e.dir); err != nil {
		t.Fatal(err)
	}
	if st.Records != 149 || len(st.IDs) != 149 {
		t.Errorf("state: %d records, %d ids", st.Records, len(st.IDs))
	}
	gens, _ := filepath.Glob(filepath.Join(e.dir, "gen-*"))
	if len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}

	// a dictionary change: a full refresh that says why
	meta, err := e.c.ExportMetadata(context.Background(), client.ExportMetadataParams{})
	if err != nil {
		t.Fatal(err)
	}
	meta = append(meta, client.MetadataField{FieldName: "extra_note", FormName: meta[len(meta)-1].FormName, FieldType: "text", FieldLabel: "Extra"})
	if _, err := e.c.ImportMetadata(context.Background(), meta); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	ref := e.sync()
	if ref.Kind != "full" || !strings.Contains(ref.Reason, "data dictionary or project design changed") {
		t.Errorf("after a dictionary change: %+v", ref)
	}
	sameAnswers(t, "after the dictionary change", e.online(), e.offline())
}

// TestMirrorIDListDeletions: without the log right, deletions come from
// comparing the id list.
func TestMirrorIDListDeletions(t *testing.T) {
	e := newEnv(t, 60)
	e.sync()
	e.clock.Advance(time.Hour)
	if _, err := e.c.DeleteRecords(context.Background(), client.DeleteRecordsParams{Records: []string{"3"}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	e.fail.Store(-1)
	// a client whose log export fails with a permission error
	noLog := &logless{next: http.DefaultTransport}
	c, _ := client.New(e.srv.URL, e.srv.Token("rq demo study"), client.WithHTTPClient(&http.Client{Transport: noLog}))
	rep, err := mirror.Sync(context.Background(), c, e.dir, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deletes != "id list" || rep.Deleted != 1 {
		t.Errorf("report %+v", rep)
	}
	sameAnswers(t, "after an id-list sync", e.online(), e.offline())
}

// logless answers content=log with REDCap's 403.
type logless struct{ next http.RoundTripper }

func (l *logless) RoundTrip(r *http.Request) (*http.Response, error) {
	body, _ := readBody(r)
	if strings.Contains(body, "content=log") {
		return &http.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
			Body: ioNop(`{"error":"You do not have API Export privileges"}`)}, nil
	}
	return l.next.RoundTrip(r)
}

// TestMirrorSurvivesFailures fails the sync at every call in turn (and
// cancels it at every call): the previous mirror stays whole and gives the
// previous answers; the next sync completes.
func TestMirrorSurvivesFailures(t *testing.T) {
	e := newEnv(t, 80)
	e.sync()
	before := e.offline()
	state, _ := os.ReadFile(filepath.Join(e.dir, mirror.StateFile))
	e.clock.Advance(time.Hour)
	e.importCSV("record_id,redcap_event_name,age\n9,enrollment_arm_1,55\n81,enrollment_arm_1,44\n")
	if _, err := e.c.DeleteRecords(context.Background(), client.DeleteRecordsParams{Records: []string{"20"}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	// count the calls of a clean incremental sync on a copy
	probeDir := filepath.Join(t.TempDir(), "probe")
	copyDir(t, e.dir, probeDir)
	e.calls.Store(0)
	if _, err := mirror.Sync(context.Background(), e.c, probeDir, e.opts); err != nil {
		t.Fatal(err)
	}
	n := int(e.calls.Load())
	if n < 3 {
		t.Fatalf("a sync made %d calls", n)
	}
	for i := 1; i <= n; i++ {
		for _, cancel := range []bool{false, true} {
			e.calls.Store(0)
			ctx, stop := context.WithCancel(context.Background())
			if cancel {
				e.fail.Store(-1)
				hook := &cancelAt{at: int64(i), calls: &e.calls, stop: stop, next: e}
				c, _ := client.New(e.srv.URL, e.srv.Token("rq demo study"), client.WithHTTPClient(&http.Client{Transport: hook}))
				_, err := mirror.Sync(ctx, c, e.dir, e.opts)
				if err == nil {
					t.Fatalf("cancel at call %d: no error", i)
				}
			} else {
				e.fail.Store(int64(i))
				if _, err := mirror.Sync(ctx, e.c, e.dir, e.opts); err == nil {
					t.Fatalf("failure at call %d: no error", i)
				}
			}
			stop()
			got, _ := os.ReadFile(filepath.Join(e.dir, mirror.StateFile))
			if !bytes.Equal(got, state) {
				t.Fatalf("call %d (cancel %v): state.json changed", i, cancel)
			}
			e.fail.Store(0)
			sameAnswers(t, fmt.Sprintf("after a failure at call %d", i), before, e.offline())
		}
	}
	e.fail.Store(0)
	e.sync()
	sameAnswers(t, "after the sync that completed", e.online(), e.offline())
	gens, _ := filepath.Glob(filepath.Join(e.dir, "gen-*"))
	if len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}
}

// cancelAt cancels the sync's context when call number at starts.
type cancelAt struct {
	at    int64
	calls *atomic.Int64
	stop  func()
	next  http.RoundTripper
}

func (c *cancelAt) RoundTrip(r *http.Request) (*http.Response, error) {
	if c.calls.Load()+1 == c.at {
		c.stop()
	}
	return c.next.RoundTrip(r)
}
