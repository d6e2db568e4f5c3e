package client_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/redcapql/rq/client"
)

// benchExport builds a realistic flat export of about size bytes: plumbing
// columns, dates, numbers, codes, checkboxes and some free text with
// commas, quotes and newlines, in REDCap's CSV and JSON shapes.
func benchExport(size int) (csvBody, jsonBody []byte) {
	cols := []string{"record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
		"dob", "sex", "site", "consent_dt", "email", "enrollment_complete", "age", "weight", "height", "bmi", "score",
		"race___1", "race___2", "race___3", "race____1", "race___oth", "smoker", "notes", "baseline_complete"}
	rng := rand.New(rand.NewPCG(1, 2))
	notes := []string{"", "", "stable", "said \"fine\", no complaints", "line one\nline two", "follow up in 4 weeks, call first"}
	var cb, jb bytes.Buffer
	cw := csv.NewWriter(&cb)
	cw.Write(cols)
	jb.WriteByte('[')
	row := make([]string, len(cols))
	for i := 1; cb.Len() < size; i++ {
		row[0] = fmt.Sprint(i)
		row[1] = "enrollment_arm_1"
		row[2], row[3] = "", ""
		row[4] = fmt.Sprintf("19%02d-%02d-%02d", 30+rng.IntN(70), 1+rng.IntN(12), 1+rng.IntN(28))
		row[5] = fmt.Sprint(1 + rng.IntN(3))
		row[6] = []string{"nyc", "bos", "chi"}[rng.IntN(3)]
		row[7] = fmt.Sprintf("2024-%02d-%02d %02d:%02d", 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60))
		row[8] = fmt.Sprintf("person%d@example.org", i)
		row[9] = "2"
		row[10] = fmt.Sprint(18 + rng.IntN(72))
		row[11] = fmt.Sprintf("%.1f", 50+rng.Float64()*60)
		row[12] = fmt.Sprintf("%.1f", 150+rng.Float64()*40)
		row[13] = fmt.Sprintf("%.2f", 18+rng.Float64()*15)
		row[14] = fmt.Sprintf("%.1f", rng.Float64()*10)
		for k := 15; k < 20; k++ {
			row[k] = fmt.Sprint(rng.IntN(2))
		}
		row[20] = fmt.Sprint(rng.IntN(2))
		row[21] = notes[rng.IntN(len(notes))]
		row[22] = fmt.Sprint(rng.IntN(3))
		cw.Write(row)
		if i > 1 {
			jb.WriteByte(',')
		}
		jb.WriteByte('{')
		for k, c := range cols {
			if k > 0 {
				jb.WriteByte(',')
			}
			kb, _ := json.Marshal(c)
			vb, _ := json.Marshal(row[k])
			jb.Write(kb)
			jb.WriteByte(':')
			jb.Write(vb)
		}
		jb.WriteByte('}')
	}
	cw.Flush()
	jb.WriteByte(']')
	return cb.Bytes(), jb.Bytes()
}

func benchDecode(b *testing.B, body []byte, format string) {
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		rs, err := client.NewRecordStream(bytes.NewReader(body), format, "")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rs.Next() {
			n += len(rs.Row())
		}
		if rs.Err() != nil || n == 0 {
			b.Fatal(rs.Err())
		}
	}
}

// BenchmarkDecodeRecordsCSV measures the CSV record decoder the stream
// uses (target ≥ 150 MB/s on one core).
func BenchmarkDecodeRecordsCSV(b *testing.B) {
	csvBody, _ := benchExport(16 << 20)
	benchDecode(b, csvBody, "csv")
}

// BenchmarkDecodeRecordsJSON measures the JSON record decoder the stream
// uses (target ≥ 100 MB/s on one core).
func BenchmarkDecodeRecordsJSON(b *testing.B) {
	_, jsonBody := benchExport(16 << 20)
	benchDecode(b, jsonBody, "json")
}

func TestBenchExportDecodesAlike(t *testing.T) {
	csvBody, jsonBody := benchExport(64 << 10)
	c, err := client.NewRecordStream(bytes.NewReader(csvBody), "csv", "")
	if err != nil {
		t.Fatal(err)
	}
	j, err := client.NewRecordStream(bytes.NewReader(jsonBody), "json", "")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(c.Columns()) != fmt.Sprint(j.Columns()) {
		t.Fatalf("columns differ:\n%v\n%v", c.Columns(), j.Columns())
	}
	rows := 0
	for c.Next() {
		if !j.Next() {
			t.Fatalf("json ended early at row %d: %v", rows, j.Err())
		}
		if fmt.Sprintf("%q", c.Row()) != fmt.Sprintf("%q", j.Row()) {
			t.Fatalf("row %d differs:\n%q\n%q", rows, c.Row(), j.Row())
		}
		rows++
	}
	if j.Next() || c.Err() != nil || j.Err() != nil || rows < 100 {
		t.Fatalf("rows %d, errs %v %v", rows, c.Err(), j.Err())
	}
	if c.BytesRead() != int64(len(csvBody)) || j.BytesRead() != int64(len(jsonBody)) {
		t.Fatalf("BytesRead %d/%d %d/%d", c.BytesRead(), len(csvBody), j.BytesRead(), len(jsonBody))
	}
}
