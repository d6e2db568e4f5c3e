package mirror_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/mirror"
)

// TestMirrorServerClock: the state records the server's time of the
// export, not rq's clock, and the next sync's dateRangeBegin is that time
// minus the overlap. The server's clock is years from the local one (and
// the local clock given to the sync is years off the other way): a sync
// that used the local clock would ask for every record, or none.
func TestMirrorServerClock(t *testing.T) {
	for _, far := range []time.Time{
		time.Date(2033, 9, 1, 12, 0, 0, 0, time.Local), // server ahead of the local clock
		time.Date(2011, 3, 1, 12, 0, 0, 0, time.Local), // server behind it
	} {
		t.Run(far.Format("2006"), func(t *testing.T) {
			e := newEnvAt(t, 60, far)
			e.opts.Now = func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) } // used only without a Date header
			e.sync()
			st, err := mirror.ReadState(e.dir)
			if err != nil {
				t.Fatal(err)
			}
			if !st.SyncedAt.Equal(far) {
				t.Fatalf("state.json synced_at = %v, want the server's %v", st.SyncedAt, far)
			}
			e.clock.Advance(time.Hour)
			e.importCSV("record_id,redcap_event_name,age\n8,enrollment_arm_1,61\n")
			e.clock.Advance(time.Hour)
			var log []string
			e.opts.Log = func(msg string) { log = append(log, msg) }
			rep := e.sync()
			since := far.Add(-10 * time.Minute).Format("2006-01-02 15:04:05")
			if rep.Kind != "incremental" || rep.Changed != 1 || !strings.Contains(strings.Join(log, "\n"), "export records changed since "+since+": ") {
				t.Errorf("incremental sync: %+v\n%s", rep, strings.Join(log, "\n"))
			}
			st, err = mirror.ReadState(e.dir)
			if err != nil {
				t.Fatal(err)
			}
			if want := far.Add(2 * time.Hour); !st.SyncedAt.Equal(want) {
				t.Errorf("second sync: synced_at = %v, want %v", st.SyncedAt, want)
			}
			p, err := rq.OpenMirror(e.dir)
			if err != nil {
				t.Fatal(err)
			}
			if ex, err := p.Explain(context.Background(), "select age from records", nil, false); err != nil ||
				!strings.Contains(ex.Text, "mirror synced "+far.Add(2*time.Hour).UTC().Format("2006-01-02 15:04:05")) {
				t.Errorf("explain: %v\n%v", err, ex)
			}
			sameAnswers(t, "after the incremental sync", e.online(), e.offline())
		})
	}
}

// dateless sets (or, when date is "", removes) the Date header of every
// answer, as a server or proxy that sends none or a broken one would.
type dateless struct {
	next http.RoundTripper
	date string
}

func (d *dateless) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil {
		resp.Header.Del("Date")
		if d.date != "" {
			resp.Header.Set("Date", d.date)
		}
	}
	return resp, err
}

// TestMirrorNoServerDate: a server whose answers carry no Date header, or
// one that does not parse, makes the sync fall back on Options.Now (the
// local clock), and the sync's log says so; the next sync asks for the
// changes since that time.
func TestMirrorNoServerDate(t *testing.T) {
	for _, date := range []string{"", "yesterday-ish"} {
		t.Run("Date="+date, func(t *testing.T) {
			e := newEnv(t, 30)
			local := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
			e.opts.Now = func() time.Time { return local }
			c, err := client.New(e.srv.URL, e.srv.Token("rq demo study"),
				client.WithHTTPClient(&http.Client{Transport: &dateless{next: http.DefaultTransport, date: date}}))
			if err != nil {
				t.Fatal(err)
			}
			var log []string
			e.opts.Log = func(msg string) { log = append(log, msg) }
			if _, err := mirror.Sync(context.Background(), c, e.dir, e.opts); err != nil {
				t.Fatal(err)
			}
			want := "the server's answer has no Date header: the local clock (2026-05-04T08:00:00Z) stands for the server's"
			if date != "" {
				want = `Date "` + date + `"`
			}
			if !strings.Contains(strings.Join(log, "\n"), want) {
				t.Errorf("the log does not say the local clock stands in:\n%s", strings.Join(log, "\n"))
			}
			st, err := mirror.ReadState(e.dir)
			if err != nil {
				t.Fatal(err)
			}
			if !st.SyncedAt.Equal(local) {
				t.Errorf("synced_at = %v, want the local clock's %v", st.SyncedAt, local)
			}
			sameAnswers(t, "after a sync without a server clock", e.online(), e.offline())
		})
	}
}
