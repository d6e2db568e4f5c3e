package logic

import "testing"

// BenchmarkEval evaluates a typical pushed-down filter against one row.
func BenchmarkEval(b *testing.B) {
	e, err := Parse("[score] > 5 and [age] <> '' and ([race(2)] = '1' or contains([notes], 'diab')) and datediff([dob], '2024-01-01', 'y') >= 18")
	if err != nil {
		b.Fatal(err)
	}
	r := demoRow()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse parses the same filter.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("[score] > 5 and [age] <> '' and ([race(2)] = '1' or contains([notes], 'diab'))"); err != nil {
			b.Fatal(err)
		}
	}
}
