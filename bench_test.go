package rq_test

import (
	"context"
	"testing"

	"github.com/redcapql/rq/client/redcaptest"
)

// BenchmarkQueryDemo runs the headline query end to end over the demo
// server with 10,000 records: project structure cached, ids first, parallel
// batches over loopback HTTP, typing and the residual. It reports rows
// returned per second and raw rows fetched per second.
func BenchmarkQueryDemo(b *testing.B) {
	c := serveClient(b, redcaptest.Demo(redcaptest.DemoOptions{Records: 10_000, Seed: 1}), redcaptest.Faults{})
	for _, bc := range []struct {
		name string
		src  string
	}{
		{"headline", headline},
		{"whole", "select * from records"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := open(b, c)
			ctx := context.Background()
			if _, err := p.Planner(ctx); err != nil { // load the structure once
				b.Fatal(err)
			}
			var out, fetched int64
			b.ResetTimer()
			for b.Loop() {
				rows, err := p.Query(ctx, bc.src, nil)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					out++
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
				fetched += int64(rows.Stats().Fetch.Rows)
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(float64(out)/s, "rows/s")
			b.ReportMetric(float64(fetched)/s, "fetched-rows/s")
		})
	}
}
