package importer

import (
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
)

// fuzzImporter is an importer for a small longitudinal design with a
// repeating form, built without a server.
func fuzzImporter(t testing.TB) *Importer {
	meta := []client.MetadataField{
		{FieldName: "record_id", FormName: "enrollment", FieldType: "text"},
		{FieldName: "dob", FormName: "enrollment", FieldType: "text", TextValidationTypeOrShowSliderNumber: "date_ymd", TextValidationMin: "1900-01-01"},
		{FieldName: "sex", FormName: "enrollment", FieldType: "radio", SelectChoicesOrCalculations: "1, Female | 2, Male"},
		{FieldName: "email", FormName: "enrollment", FieldType: "text", TextValidationTypeOrShowSliderNumber: "email"},
		{FieldName: "age", FormName: "enrollment", FieldType: "text", TextValidationTypeOrShowSliderNumber: "integer", TextValidationMin: "18", TextValidationMax: "90"},
		{FieldName: "race", FormName: "enrollment", FieldType: "checkbox", SelectChoicesOrCalculations: "1, White | 2, Black | oth, Other"},
		{FieldName: "bmi", FormName: "enrollment", FieldType: "calc", SelectChoicesOrCalculations: "[age]"},
		{FieldName: "pain", FormName: "enrollment", FieldType: "slider"},
		{FieldName: "sbp", FormName: "visit", FieldType: "text", TextValidationTypeOrShowSliderNumber: "number_1dp"},
		{FieldName: "seen", FormName: "visit", FieldType: "text", TextValidationTypeOrShowSliderNumber: "datetime_seconds_mdy"},
		{FieldName: "med", FormName: "meds", FieldType: "notes"},
	}
	dict, err := client.NewDictionary(meta, "NA, Not applicable")
	if err != nil {
		t.Fatal(err)
	}
	return &Importer{dict: dict, st: &structure{
		longitudinal: true,
		events:       map[string]bool{"base_arm_1": true, "week_arm_1": true},
		designated: map[string]map[string]bool{
			"base_arm_1": {"enrollment": true, "meds": true},
			"week_arm_1": {"visit": true},
		},
		repeatForm:  map[string]map[string]bool{"base_arm_1": {"meds": true}},
		repeatEvent: map[string]bool{"week_arm_1": true},
	}}
}

// FuzzValidate reads arbitrary records files: no panic, every problem says
// something, and a file that passes re-encodes (as the chunks are sent) to
// the same rows.
func FuzzValidate(f *testing.F) {
	f.Add([]byte("record_id,redcap_event_name,age,sex,race___1\n1,base_arm_1,30,1,1\n"), false)
	f.Add([]byte("record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,med\n1,base_arm_1,meds,2,\"a,\nb\"\n"), false)
	f.Add([]byte("\xef\xbb\xbfrecord_id,redcap_event_name,redcap_repeat_instance,sbp,seen\n1,week_arm_1,3,120.5,12/31/2020 10:00:00\n"), false)
	f.Add([]byte(`[{"record_id":"1","redcap_event_name":"base_arm_1","age":42,"pain":null},{"record_id":"2","dob":"1899-12-31"}]`), true)
	f.Add([]byte(`[{"record_id":"1","record_id":"2"},{"x":[1]},3]`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		im := fuzzImporter(t)
		format := CSV
		if isJSON {
			format = JSON
		}
		chk, probs := im.check(data, format)
		for _, p := range probs {
			if p.Message == "" {
				t.Fatalf("problem without a message: %+v", p)
			}
		}
		if chk == nil || probs.Err() != nil {
			return
		}
		body, err := encodeChunk(chk.t, chk.records, format)
		if err != nil {
			t.Fatalf("encoding a valid file: %v", err)
		}
		again, probs2 := readTable(body, format)
		if again == nil || len(probs2) > 0 {
			t.Fatalf("re-reading the encoded chunk: %v\n%q", probs2, body)
		}
		var want [][]string
		for _, rec := range chk.records {
			for _, rw := range rec.rows {
				want = append(want, append(slices.Clone(rw.keys), rw.vals...))
			}
		}
		if len(again.rows) != len(want) {
			t.Fatalf("re-read %d rows, want %d", len(again.rows), len(want))
		}
		for i, rw := range again.rows {
			if got := append(slices.Clone(rw.keys), rw.vals...); !slices.Equal(got, want[i]) {
				t.Fatalf("row %d re-read as %q, want %q", i, got, want[i])
			}
		}
	})
}
