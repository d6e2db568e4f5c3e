package fetch

import (
	"context"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// BenchmarkFetchDemo exports the whole 10,000-record demo project through
// the engine (ids first, parallel batches, reorder buffer) over loopback and
// reports rows/s and MB/s of response body. Most of the time is the
// embedded server's and the decoder's; the engine's own share is the
// difference to one unbatched export (the "single" case).
func BenchmarkFetchDemo(b *testing.B) {
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: 10_000, Seed: 1})
	srv := redcaptest.NewServer(b, proj)
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("engine", func(b *testing.B) {
		var rows, bytes int64
		for b.Loop() {
			f, err := Fetch(ctx, c, client.ExportRecordsParams{}, FetchOptions{RecordIDField: "record_id"})
			if err != nil {
				b.Fatal(err)
			}
			for f.Next() {
				rows++
			}
			if err := f.Err(); err != nil {
				b.Fatal(err)
			}
			bytes += f.Stats().Bytes
			f.Close()
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(bytes)/1e6/b.Elapsed().Seconds(), "MB/s")
	})
	b.Run("single", func(b *testing.B) {
		var rows int64
		for b.Loop() {
			s, err := c.ExportRecordsStream(ctx, client.ExportRecordsParams{Format: "json"})
			if err != nil {
				b.Fatal(err)
			}
			for s.Next() {
				rows++
			}
			if err := s.Err(); err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}
