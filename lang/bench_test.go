package lang

import "testing"

const headline = "select age, score from records where score > 5 and form = 'baseline'"

// BenchmarkParseHeadline measures parsing the headline query; the target is ≤ 20 µs.
func BenchmarkParseHeadline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(headline); err != nil {
			b.Fatal(err)
		}
	}
}
