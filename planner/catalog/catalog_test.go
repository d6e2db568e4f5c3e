package catalog

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// The grammar's list of source names is the one list: every name has its
// entry in the table and no entry is left over.
func TestSourcesFollowTheGrammar(t *testing.T) {
	if len(sourceSpecs) != len(lang.Sources) {
		t.Errorf("%d source entries for %d names in lang.Sources", len(sourceSpecs), len(lang.Sources))
	}
	var names []string
	for _, s := range Sources() {
		names = append(names, s.Name)
		if s.Help == "" || s.Export == "" {
			t.Errorf("%s: no help or export", s.Name)
		}
		if s.IsRecords() != (s.Name == "records") {
			t.Errorf("%s: IsRecords %v", s.Name, s.IsRecords())
		}
		if !s.IsRecords() && len(s.Columns()) == 0 {
			t.Errorf("%s: no columns", s.Name)
		}
	}
	if !slices.Equal(names, lang.Sources) {
		t.Errorf("Sources() %v, want %v", names, lang.Sources)
	}
	if _, ok := LookupSource("recods"); ok {
		t.Error("LookupSource found a misspelt name")
	}
}

func TestColumnsKinds(t *testing.T) {
	for _, tc := range []struct{ source, column string }{
		{"events", "arm_num"}, {"dags", "data_access_group_id"}, {"project", "project_id"},
	} {
		s, _ := LookupSource(tc.source)
		i := slices.IndexFunc(s.Columns(), func(c Column) bool { return c.Name == tc.column })
		if i < 0 || s.Columns()[i].Kind != client.KindNumber {
			t.Errorf("%s.%s is not a number column: %v", tc.source, tc.column, s.Columns())
		}
	}
	s, _ := LookupSource("metadata")
	if c := s.Columns()[0]; c.Name != "field_name" || c.Kind != client.KindText {
		t.Errorf("metadata's first column is %+v", c)
	}
}

// Mirrors and Parquet files store the design as JSON, and a mirror's
// checksum covers it: its keys must stay what they were.
func TestDesignJSONIsStable(t *testing.T) {
	d := Design{Longitudinal: true, Events: []Event{{Name: "e1", Label: "E", Arm: 1}}, Arms: []Arm{{Num: 1, Name: "A"}},
		FEM: []FormEvent{{Arm: 1, Event: "e1", Form: "f"}}, Repeating: []Repeating{{Event: "e1", Form: "f"}},
		Instruments: []Instrument{{Name: "f", Label: "F"}}, DAGs: []string{"g"}}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Longitudinal":true,"Events":[{"Name":"e1","Label":"E","Arm":1}],"Arms":[{"Num":1,"Name":"A"}],` +
		`"FEM":[{"Arm":1,"Event":"e1","Form":"f"}],"Repeating":[{"Event":"e1","Form":"f"}],` +
		`"Instruments":[{"Name":"f","Label":"F"}],"DAGs":["g"]}`
	if string(b) != want {
		t.Errorf("design JSON\n got %s\nwant %s", b, want)
	}
}

func TestCatalogLookups(t *testing.T) {
	dict, err := client.NewDictionary([]client.MetadataField{
		{FieldName: "id", FormName: "enrol", FieldType: "text"},
		{FieldName: "dose", FormName: "meds", FieldType: "text"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	c := New(dict, Design{Longitudinal: true,
		Events:    []Event{{Name: "base_arm_1", Arm: 1}, {Name: "base_arm_2", Arm: 2}},
		Arms:      []Arm{{Num: 1, Name: "One"}},
		FEM:       []FormEvent{{Arm: 1, Event: "base_arm_1", Form: "meds"}, {Arm: 2, Event: "base_arm_2", Form: "meds"}},
		Repeating: []Repeating{{Event: "base_arm_1", Form: "meds"}, {Event: "base_arm_2"}},
	})
	if got := c.FormEvents("meds"); !slices.Equal(got, []string{"base_arm_1", "base_arm_2"}) {
		t.Errorf("FormEvents(meds) = %v", got)
	}
	if c.FormEvents("enrol") != nil {
		t.Errorf("FormEvents(enrol) = %v", c.FormEvents("enrol"))
	}
	if _, ok := c.Arm(2); !ok {
		t.Error("arm 2, named only by an event, is unknown")
	}
	if c.EventArm("base_arm_2") != 2 || c.EventArm("nope") != 0 {
		t.Error("EventArm")
	}
	if !c.RepeatingForm("meds") || c.RepeatingForm("enrol") || !c.RepeatingEvent("base_arm_2") || !c.Repeats() {
		t.Error("repeating look-ups")
	}
	if !c.IsForm("enrol") || c.IsForm("visit") || c.RecordID() != "id" {
		t.Error("form and record id look-ups")
	}
}
