package mirror_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq"
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
