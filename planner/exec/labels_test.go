package exec

import (
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
)

func TestLabels(t *testing.T) {
	d, err := client.NewDictionary([]client.MetadataField{
		{FieldName: "record_id", FormName: "enrollment", FieldType: "text"},
		{FieldName: "sex", FormName: "enrollment", FieldType: "radio", SelectChoicesOrCalculations: "1, Female | 2, Male | 3, Other"},
		{FieldName: "site", FormName: "enrollment", FieldType: "dropdown", SelectChoicesOrCalculations: "nyc, New York | bos, Boston"},
		{FieldName: "age", FormName: "enrollment", FieldType: "text", TextValidationTypeOrShowSliderNumber: "integer"},
		{FieldName: "race", FormName: "baseline", FieldType: "checkbox", SelectChoicesOrCalculations: "1, White | 2, Black | oth, Other"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if LabelFields(d, []string{"age", "score"}) != nil {
		t.Error("labels for columns that are no choice field")
	}
	fields := LabelFields(d, []string{"record", "sex", "race", "site", "age"})
	var names []string
	for _, f := range fields {
		if f == nil {
			names = append(names, "")
		} else {
			names = append(names, f.Name)
		}
	}
	if !slices.Equal(names, []string{"", "sex", "race", "site", ""}) {
		t.Fatalf("LabelFields = %v", names)
	}
	row := []client.Value{
		{Kind: client.KindText, Str: "1"},
		{Kind: client.KindText, Str: "2"},
		{Kind: client.KindCodeSet, Codes: []string{"1", "oth", "zz"}},
		{Kind: client.KindNull},
		{Kind: client.KindNumber, Num: 40, Str: "40"},
	}
	got := ApplyLabels(row, fields)
	want := []string{"1", "Male", "White, Other, zz", "", "40"}
	for i, v := range got {
		if v.String() != want[i] {
			t.Errorf("column %d: %q, want %q", i, v.String(), want[i])
		}
	}
	if row[1].Str != "2" {
		t.Error("ApplyLabels changed its input row")
	}
}
