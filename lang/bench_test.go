package lang

import "testing"

const headline = "select age, score from records where score > 5 and form = 'baseline'"

// BenchmarkParseHeadline measures parsing the headline query; participle is the only parser; with planning the target is ≤ 100 µs (planner.BenchmarkParsePlanHeadline).
func BenchmarkParseHeadline(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(headline); err != nil {
			b.Fatal(err)
		}
	}
}
