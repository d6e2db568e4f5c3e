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
