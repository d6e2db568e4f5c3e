package mirror_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redcapql/rq/mirror"
)

// TestMirrorStateVersions: state.json (version 2) leaves the record ids to
// the generation's ids.json, so opening a mirror reads no ids; a version 1
// mirror (ids in state.json) still opens and syncs incrementally.
func TestMirrorStateVersions(t *testing.T) {
	e := newEnv(t, 50)
	e.sync()
	b, err := os.ReadFile(filepath.Join(e.dir, mirror.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["version"] != 2.0 || raw["ids"] != nil {
		t.Fatalf("state.json: version %v, ids %v", raw["version"], raw["ids"])
	}
	st, err := mirror.ReadState(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.IDs != nil {
		t.Errorf("ReadState read %d ids", len(st.IDs))
	}
	if err := st.ReadIDs(e.dir); err != nil || len(st.IDs) != 50 || st.IDs[0] != "1" {
		t.Fatalf("ReadIDs: %v, %d ids", err, len(st.IDs))
	}

	// the same mirror as version 1 wrote it
	raw["version"], raw["ids"] = 1, st.IDs
	b, _ = json.Marshal(raw)
	if err := os.WriteFile(filepath.Join(e.dir, mirror.StateFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(e.dir, st.Generation, mirror.IDsFile)); err != nil {
		t.Fatal(err)
	}
	v1, err := mirror.ReadState(e.dir)
	if err != nil || len(v1.IDs) != 50 {
		t.Fatalf("version 1: %v, %d ids", err, len(v1.IDs))
	}
	sameAnswers(t, "version 1 mirror", e.online(), e.offline())
	e.clock.Advance(2 * time.Hour)
	e.importCSV("record_id,redcap_event_name,age\n7,enrollment_arm_1,66\n")
	e.clock.Advance(2 * time.Hour)
	if rep := e.sync(); rep.Kind != "incremental" || rep.Changed != 1 {
		t.Errorf("sync of a version 1 mirror: %+v", rep)
	}
	sameAnswers(t, "after syncing a version 1 mirror", e.online(), e.offline())
	if st, err := mirror.ReadState(e.dir); err != nil || st.Version != 2 {
		t.Errorf("after the sync: %v, %+v", err, st)
	}
}
