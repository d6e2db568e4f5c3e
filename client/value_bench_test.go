package client

import "testing"

func benchParse(b *testing.B, field string, raws ...string) {
	d := demoDict(b)
	f, _ := d.Field(field)
	for _, r := range raws {
		if _, err := f.Parse(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = f.Parse(raws[i%len(raws)])
	}
}

func BenchmarkParseInteger(b *testing.B)     { benchParse(b, "age", "42", "-7", "100", "65") }
func BenchmarkParseNumber(b *testing.B)      { benchParse(b, "weight", "70.25", "81.5", "1e3", "64") }
func BenchmarkParseCommaNumber(b *testing.B) { benchParse(b, "dose", "1,25", "3,5", "12") }
func BenchmarkParseDate(b *testing.B)        { benchParse(b, "dob", "2024-02-29", "1970-01-01") }
func BenchmarkParseDatetime(b *testing.B) {
	benchParse(b, "consent_dt", "2024-01-31 08:05", "2024-01-31 08:05:09")
}
func BenchmarkParseTime(b *testing.B)    { benchParse(b, "visit_time", "23:59", "07:08:09") }
func BenchmarkParseChoice(b *testing.B)  { benchParse(b, "sex", "1", "2", "3") }
func BenchmarkParseText(b *testing.B)    { benchParse(b, "notes", "some free text") }
func BenchmarkParseMissing(b *testing.B) { benchParse(b, "age", "NA", "UNK") }
func BenchmarkParseBlank(b *testing.B)   { benchParse(b, "age", "") }

// BenchmarkParseRow types one demo-shaped export row (17 columns, a checkbox of 7).
func BenchmarkParseRow(b *testing.B) {
	d := demoDict(b)
	header := []string{"record_id", "redcap_event_name", "dob", "sex", "site", "age", "weight", "bmi",
		"race___1", "race___2", "race___3", "race____1", "race___oth", "race___na", "race___unk", "smoker", "baseline_complete"}
	row := []string{"17", "enrollment_arm_1", "1980-04-12", "2", "bos", "44", "81.25", "24.1",
		"1", "0", "0", "1", "0", "0", "0", "0", "2"}
	p, err := d.NewRowParser(header)
	if err != nil {
		b.Fatal(err)
	}
	var vals []Value
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if vals, err = p.Parse(row, vals); err != nil {
			b.Fatal(err)
		}
	}
}
