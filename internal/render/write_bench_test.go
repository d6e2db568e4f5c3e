package render

import (
	"io"
	"testing"
)

// BenchmarkWrite writes 100,000 generated rows (text, a number, a null, a
// datetime) in the streaming formats, output discarded.
func BenchmarkWrite(b *testing.B) {
	for _, f := range []Format{CSV, JSON, JSONL} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Write(io.Discard, f, &genRows{n: 100_000}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
