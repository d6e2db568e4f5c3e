package parquetio

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/redcapql/rq/client"
)

func testDict(t *testing.T) *client.Dictionary {
	t.Helper()
	mf := func(name, typ, choices, val string) client.MetadataField {
		return client.MetadataField{FieldName: name, FormName: "f", FieldType: typ, SelectChoicesOrCalculations: choices, TextValidationTypeOrShowSliderNumber: val}
	}
	d, err := client.NewDictionary([]client.MetadataField{
		mf("id", "text", "", ""),
		mf("age", "text", "", "integer"),
		mf("weight", "text", "", "number"),
		mf("dose", "text", "", "number_2dp"),
		mf("dob", "text", "", "date_ymd"),
		mf("seen", "text", "", "datetime_ymd"),
		mf("wake", "text", "", "time"),
		mf("smoker", "yesno", "", ""),
		mf("sex", "radio", "1, Female | 2, Male", ""),
		mf("color", "dropdown", "r, Red | g, Green", ""),
		mf("meds", "checkbox", "1, Aspirin | 2, Statin", ""),
		mf("notes", "notes", "", ""),
	}, "NA, Not asked | UNK, Unknown")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestWriteRawTypes writes a record export's raw rows and reads the file
// back with parquet-go: the column types, the values, the rq_raw column, and
// the raw text rebuilt exactly.
func TestWriteRawTypes(t *testing.T) {
	d := testDict(t)
	cols := []string{"id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "age", "weight", "dose", "dob", "seen", "wake", "smoker", "sex", "color", "meds___1", "meds___2", "meds___na", "notes", "f_complete"}
	rows := [][]string{
		{"1", "base_arm_1", "", "", "42", "70.5", "1.50", "1980-02-29", "2024-01-31 08:05", "07:30", "1", "2", "g", "1", "0", "0", "héllo, \"world\"", "2"},
		{"2", "base_arm_1", "f", "3", "abc", "1.50", "2.5", "NA", "", "", "0", "1", "r", "0", "1", "0", "", "0"},
		{"10", "fu_arm_1", "", "", "UNK", "-0.25", "", "", "2024-02-01 23:59", "", "", "", "", "0", "0", "1", "x", ""},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, cols, Options{Dict: d, Metadata: map[string]string{"rq.project": `{"x":1}`}})
	for _, r := range rows {
		if err := w.WriteRaw(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if pf.NumRows() != 3 {
		t.Fatalf("rows %d", pf.NumRows())
	}
	wantTypes := map[string]string{
		"id": "STRING", "redcap_event_name": "STRING", "redcap_repeat_instance": "INT(64,true)", "age": "INT(64,true)",
		"weight": "DOUBLE", "dose": "DECIMAL(18,2)", "dob": "DATE", "seen": "TIMESTAMP(isAdjustedToUTC=false,unit=MILLIS)",
		"wake": "TIME(isAdjustedToUTC=false,unit=MILLIS)", "smoker": "BOOLEAN", "sex": "INT(64,true)", "color": "STRING",
		"meds___1": "BOOLEAN", "meds___na": "BOOLEAN", "notes": "STRING", "f_complete": "INT(64,true)", RawColumn: "STRING",
	}
	var names []string
	for _, f := range pf.Schema().Fields() {
		names = append(names, f.Name())
		if want, ok := wantTypes[f.Name()]; ok {
			if got := f.Type().String(); got != want {
				t.Errorf("column %s: type %s, want %s", f.Name(), got, want)
			}
		}
		if !f.Optional() {
			t.Errorf("column %s is not optional", f.Name())
		}
	}
	if want := append(slices.Clone(cols), RawColumn); !slices.Equal(names, want) {
		t.Errorf("column order\n got %v\nwant %v", names, want)
	}
	// read back as generic rows with parquet-go
	r := parquet.NewReader(bytes.NewReader(buf.Bytes()))
	got := make([]parquet.Row, 3)
	if n, _ := r.ReadRows(got); n != 3 {
		t.Fatalf("read %d rows", n)
	}
	col := func(name string) int { return slices.Index(names, name) }
	if v := got[0][col("age")]; v.Int64() != 42 {
		t.Errorf("age %v", v)
	}
	if v := got[0][col("dose")]; v.Int64() != 150 {
		t.Errorf("dose %v (want 150 hundredths)", v)
	}
	if v := got[0][col("dob")]; epoch.AddDate(0, 0, int(v.Int32())).Format("2006-01-02") != "1980-02-29" {
		t.Errorf("dob %v", v)
	}
	if v := got[0][col("seen")]; time.UnixMilli(v.Int64()).UTC().Format("2006-01-02 15:04") != "2024-01-31 08:05" {
		t.Errorf("seen %v", v)
	}
	if v := got[0][col("smoker")]; !v.Boolean() {
		t.Errorf("smoker %v", v)
	}
	if v := got[1][col("age")]; !v.IsNull() {
		t.Errorf("invalid age should be null, got %v", v)
	}
	if v := got[1][col("dob")]; !v.IsNull() {
		t.Errorf("missing dob should be null, got %v", v)
	}
	if v := got[0][col(RawColumn)]; !v.IsNull() {
		t.Errorf("exact row has rq_raw %q", v)
	}
	if v := got[1][col(RawColumn)]; string(v.ByteArray()) != `{"age":"abc","weight":"1.50","dose":"2.5","dob":"NA"}` {
		t.Errorf("rq_raw %q", v.ByteArray())
	}
	if v := got[2][col(RawColumn)]; string(v.ByteArray()) != `{"age":"UNK"}` {
		t.Errorf("rq_raw %q", v.ByteArray())
	}
	if v, _ := pf.Lookup("rq.project"); v != `{"x":1}` {
		t.Errorf("metadata %q", v)
	}
	if v, _ := pf.Lookup("rq.columns"); !strings.Contains(v, `"label":"Female"`) {
		t.Errorf("labels not in rq.columns: %s", v)
	}

	// the raw text comes back exactly
	path := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var back [][]string
	if err := f.ReadRaw(cols, func(r []string) error { back = append(back, slices.Clone(r)); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if !slices.Equal(back[i], rows[i]) {
			t.Errorf("row %d\n got %q\nwant %q", i, back[i], rows[i])
		}
	}
}

// TestWriteValues writes typed values as a query returns them: a checkbox
// code set becomes one BOOLEAN per option, labels add a label column,
// computed columns are typed from their values.
func TestWriteValues(t *testing.T) {
	d := testDict(t)
	sex, _ := d.Field("sex")
	meds, _ := d.Field("meds")
	cols := []string{"record", "sex", "meds", "n", "avg", "flag", "day"}
	num := func(f float64) client.Value { return client.Value{Kind: client.KindNumber, Num: f} }
	rows := [][]client.Value{
		{{Kind: client.KindText, Str: "1"}, num(2), {Kind: client.KindCodeSet, Codes: []string{"2"}}, num(3), num(1.5), {Kind: client.KindBool, Num: 1}, {Kind: client.KindDate, Time: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}},
		{{Kind: client.KindText, Str: "2"}, {Missing: "UNK"}, {}, num(4), num(2), {Kind: client.KindBool, Num: 0}, {}},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, cols, Options{Dict: d, Fields: []*client.Field{nil, sex, meds, nil, nil, nil, nil}, Labels: true})
	for _, r := range rows {
		if err := w.Write(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range pf.Schema().Fields() {
		got = append(got, f.Name()+":"+f.Type().String())
	}
	want := []string{"record:STRING", "sex:INT(64,true)", "sex_label:STRING", "meds___1:BOOLEAN", "meds___2:BOOLEAN",
		"n:INT(64,true)", "avg:DOUBLE", "flag:BOOLEAN", "day:DATE", "rq_raw:STRING"}
	if !slices.Equal(got, want) {
		t.Errorf("schema\n got %v\nwant %v", got, want)
	}
	r := parquet.NewReader(bytes.NewReader(buf.Bytes()))
	out := make([]parquet.Row, 2)
	r.ReadRows(out)
	if s := string(out[0][2].ByteArray()); s != "Male" {
		t.Errorf("label %q", s)
	}
	if out[0][3].Boolean() || !out[0][4].Boolean() {
		t.Errorf("meds options %v %v", out[0][3], out[0][4])
	}
	if s := string(out[1][9].ByteArray()); s != `{"sex":"UNK"}` {
		t.Errorf("rq_raw %q", s)
	}
}

// TestRowGroups checks that a long stream is cut into row groups.
func TestRowGroups(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, []string{"record", "x"}, Options{RowGroupRows: 1000})
	for i := 0; i < 5500; i++ {
		w.Write([]client.Value{{Kind: client.KindText, Str: "r"}, {Kind: client.KindNumber, Num: float64(i) / 2}}, nil)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pf.RowGroups()); n < 5 {
		t.Errorf("%d row groups for 5,500 rows of 1,000", n)
	}
	if pf.NumRows() != 5500 {
		t.Errorf("rows %d", pf.NumRows())
	}
	if typ := pf.Schema().Fields()[1].Type().String(); typ != "DOUBLE" {
		t.Errorf("x: %s", typ)
	}
}

// TestDirWriter writes Hive partitions by event and by form and reads the
// files back.
func TestDirWriter(t *testing.T) {
	d := testDict(t)
	cols := []string{"id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "age", "sex", "f_complete"}
	rows := [][]string{
		{"1", "base_arm_1", "", "", "42", "2", "2"},
		{"1", "fu/arm=1", "", "", "43", "", "0"},
		{"2", "base_arm_1", "", "", "", "", "0"},
	}
	for _, tc := range []struct {
		key   string
		files map[string]int64 // partition folder -> rows
	}{
		{"event", map[string]int64{"redcap_event_name=base_arm_1": 2, "redcap_event_name=fu%2Farm%3D1": 1}},
		{"form", map[string]int64{"form=f": 2}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			os.MkdirAll(filepath.Join(dir, "stale"), 0o700) // replaced whole
			w, err := NewDirWriter(dir, tc.key, cols, Options{Dict: d})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := w.WriteRaw(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != len(tc.files) {
				t.Errorf("folders %v", ents)
			}
			for sub, n := range tc.files {
				_ = sub
				name := strings.Replace(sub, "redcap_event_name=", "event=", 1)
				f, err := Open(filepath.Join(dir, name, "part-0.parquet"))
				if err != nil {
					t.Fatal(err)
				}
				if f.NumRows() != n {
					t.Errorf("%s: %d rows, want %d", name, f.NumRows(), n)
				}
				for _, c := range f.Columns() {
					if c.Name == "redcap_event_name" && tc.key == "event" {
						t.Errorf("%s: partition column kept in the file", name)
					}
				}
				f.Close()
			}
			if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".out.*")); len(leftovers) > 0 {
				t.Errorf("temporary folders left: %v", leftovers)
			}
		})
	}
	if _, err := NewDirWriter(t.TempDir(), "dag", cols, Options{Dict: d}); err == nil || !strings.Contains(err.Error(), "no redcap_data_access_group") {
		t.Errorf("dag without a dag column: %v", err)
	}
}
