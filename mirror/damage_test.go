package mirror_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/mirror"
)

// TestMirrorRepairsDamage: a mirror damaged on disk (a part overwritten,
// cut short or gone, the ids file or state.json unreadable) is not built
// on: the next sync is a full export whose reason names the damage, and
// its answers are the online ones. An incremental sync would otherwise
// keep (hard-link) a damaged part that no change touches, for ever.
func TestMirrorRepairsDamage(t *testing.T) {
	e := newEnv(t, 90) // PartRecords 40: three parts
	e.sync()
	st, err := mirror.ReadState(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(e.dir, st.Generation)
	part := filepath.Join(gen, st.Parts[0].File)
	good, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		damage func() error
		reason string
	}{
		{"part overwritten", func() error { return os.WriteFile(part, []byte("garbage"), 0o600) }, "a previous part is unreadable"},
		{"part cut short", func() error { return os.WriteFile(part, good[:len(good)/2], 0o600) }, "a previous part is unreadable"},
		{"part gone", func() error { return os.Remove(part) }, "a previous part is unreadable"},
		{"ids unreadable", func() error { return os.WriteFile(filepath.Join(gen, mirror.IDsFile), []byte("[\"1\","), 0o600) }, "the previous record ids are unreadable"},
		{"state unreadable", func() error { return os.WriteFile(filepath.Join(e.dir, mirror.StateFile), []byte("{"), 0o600) }, "the previous state is unreadable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := mirror.ReadState(e.dir)
			if err != nil {
				t.Fatal(err)
			}
			gen = filepath.Join(e.dir, st.Generation)
			part = filepath.Join(gen, st.Parts[0].File)
			if good, err = os.ReadFile(part); err != nil {
				t.Fatal(err)
			}
			if err := c.damage(); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Hour)
			rep := e.sync()
			if rep.Kind != "full" || !strings.HasPrefix(rep.Reason, c.reason) {
				t.Errorf("after damage: %s sync (%s), want a full one because %s", rep.Kind, rep.Reason, c.reason)
			}
			sameAnswers(t, "after "+c.name, e.online(), e.offline())
		})
	}
}
