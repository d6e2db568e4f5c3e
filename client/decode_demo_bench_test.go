package client_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// BenchmarkDecodeDemo decodes the same demo export (20,000 records, 40
// columns, mostly blank cells as in a longitudinal project) in both wire
// formats, for the wire-format choice: the body sizes differ (JSON repeats
// every key in every row), so compare ns/row, not MB/s.
func BenchmarkDecodeDemo(b *testing.B) {
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 20_000, Seed: 1})
	srv := redcaptest.NewServer(b, proj)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{"csv", "json"} {
		body, err := c.ExportRecordsRaw(context.Background(), client.ExportRecordsParams{Format: format})
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(body)
		body.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(format, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			rows := 0
			for b.Loop() {
				rs, err := client.NewRecordStream(bytes.NewReader(data), format, "")
				if err != nil {
					b.Fatal(err)
				}
				for rs.Next() {
					rows++
				}
				if rs.Err() != nil {
					b.Fatal(rs.Err())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
			b.ReportMetric(float64(len(data))/1e6, "MB-body")
		})
	}
}
