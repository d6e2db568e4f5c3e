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
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/mirror"
)

// mfKinds are the emulator's faults a sync meets in the mirror's fault
// matrix, one kind at a time.
var mfKinds = []struct {
	name   string
	faults redcaptest.Faults
}{
	{"5xx", redcaptest.Faults{FailRate: 0.3}},
	{"cut mid-row", redcaptest.Faults{TruncateRate: 0.4}},
	{"cut at row end", redcaptest.Faults{TruncateRate: 0.4, TruncateAtLineEnd: true}},
	{"HTML page", redcaptest.Faults{HTMLErrorRate: 0.3}},
}

// TestMirrorFaultMatrix syncs a mirror (first sync, incremental with the
// log, incremental from the id list when the log is refused) through a
// server answering with 5xx, truncated bodies and HTML error pages, over
// several seeds. Every sync either succeeds with offline answers equal to
// the online ones, or fails with an error that does not hold the token and
// leaves state.json and the previous answers as they were. The version
// call (client.ServerTime), the log export and the id export (ids.json)
// are among the calls the faults hit.
func TestMirrorFaultMatrix(t *testing.T) {
	e := newEnv(t, 60)
	proj := e.srv.Project("rq demo study")
	token := e.srv.Token("rq demo study")
	base := filepath.Join(t.TempDir(), "base")
	if _, err := mirror.Sync(context.Background(), e.c, base, e.opts); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	e.importCSV("record_id,redcap_event_name,age\n9,enrollment_arm_1,55\n61,enrollment_arm_1,44\n")
	if _, err := e.c.DeleteRecords(context.Background(), client.DeleteRecordsParams{Records: []string{"20"}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	online := e.online()
	e.dir = base
	before := e.offline()

	type path struct {
		name  string
		first bool // sync into an empty folder
		noLog bool // the log export is refused: deletions from the id list
	}
	paths := []path{{"first sync", true, false}, {"incremental, log", false, false}, {"incremental, id list", false, true}}
	var ok, loud int
	for _, k := range mfKinds {
		for seed := int64(1); seed <= 4; seed++ {
			f := k.faults
			f.Seed = seed
			fsrv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: f}, proj)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths {
				dir := filepath.Join(t.TempDir(), "m")
				var state []byte
				if !p.first {
					copyDir(t, base, dir)
					state, _ = os.ReadFile(filepath.Join(dir, mirror.StateFile))
				}
				var rt http.RoundTripper = http.DefaultTransport
				if p.noLog {
					rt = &logless{next: rt}
				}
				c, err := client.New(fsrv.URL, token, client.WithHTTPClient(&http.Client{Transport: rt}),
					client.WithRetry(client.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}))
				if err != nil {
					t.Fatal(err)
				}
				rep, err := mirror.Sync(context.Background(), c, dir, e.opts)
				e.dir = dir
				where := fmt.Sprintf("%s seed %d, %s", k.name, seed, p.name)
				if err != nil {
					loud++
					if strings.Contains(err.Error(), token) {
						t.Errorf("%s: the token is in the error: %v", where, err)
					}
					var ce *client.Error
					if !errors.As(err, &ce) && !strings.Contains(err.Error(), "redcap") {
						t.Errorf("%s: the error does not say REDCap failed: %T %v", where, err, err)
					}
					if p.first {
						if _, serr := os.Stat(filepath.Join(dir, mirror.StateFile)); serr == nil {
							t.Errorf("%s: a failed first sync wrote %s", where, mirror.StateFile)
						}
						continue
					}
					got, _ := os.ReadFile(filepath.Join(dir, mirror.StateFile))
					if !bytes.Equal(got, state) {
						t.Errorf("%s: a failed sync changed state.json", where)
					}
					sameAnswers(t, where+" (failed)", before, e.offline())
					continue
				}
				ok++
				if p.noLog && !p.first && rep.Deletes != "id list" {
					t.Errorf("%s: deletions from %q", where, rep.Deletes)
				}
				sameAnswers(t, where, online, e.offline())
			}
			fsrv.Close()
		}
	}
	if ok == 0 || loud == 0 {
		t.Errorf("mirror fault matrix: %d syncs succeeded, %d failed: want some of each (faults too rare or too common)", ok, loud)
	}
	t.Logf("mirror fault matrix: %d syncs succeeded with the online answers, %d failed loudly with the mirror intact", ok, loud)
}
