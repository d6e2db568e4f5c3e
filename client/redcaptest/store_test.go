package redcaptest

import (
	"strings"
	"testing"
)

func ids(s RecordStore) string {
	var out []string
	for r := range s.All() {
		out = append(out, r.ID)
	}
	return strings.Join(out, ",")
}

// TestOverlay: writes over a base store merge in REDCap order, deletions
// hide base records, re-adding a deleted record works, the base is untouched.
func TestOverlay(t *testing.T) {
	base := NewMemStore()
	for _, id := range []string{"1", "2", "10", "a"} {
		base.Put(&Record{ID: id})
	}
	o := NewOverlay(base)
	o.Put(&Record{ID: "3"})
	o.Edit("2").DAG = "x"
	o.Delete("10")
	o.Put(&Record{ID: "0"})
	if got := ids(o); got != "0,1,2,3,a" {
		t.Errorf("order %s", got)
	}
	if o.Len() != 5 {
		t.Errorf("Len %d", o.Len())
	}
	if r, _ := o.Get("2"); r.DAG != "x" {
		t.Error("edit lost")
	}
	if r, _ := base.Get("2"); r.DAG != "" {
		t.Error("base modified")
	}
	if o.Delete("10") {
		t.Error("deleted twice")
	}
	o.Put(&Record{ID: "10"})
	o.Delete("2")
	if got := ids(o); got != "0,1,3,10,a" || o.Len() != 5 {
		t.Errorf("after re-add and delete: %s (%d)", got, o.Len())
	}
	if !o.Delete("3") || o.Len() != 4 {
		t.Errorf("delete of an added record: Len %d", o.Len())
	}
	if ids(base) != "1,2,10,a" {
		t.Errorf("base now %s", ids(base))
	}
}

func TestCompareIDs(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"2", "10"}, {"10", "10-1"}, {"10-1", "10-2"}, {"9", "a"}, {"331-1", "332-3"}, {"A", "a"},
	} {
		if CompareIDs(tt.a, tt.b) >= 0 || CompareIDs(tt.b, tt.a) <= 0 {
			t.Errorf("%q should sort before %q", tt.a, tt.b)
		}
	}
}
