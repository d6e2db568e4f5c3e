package render

import (
	"context"
	"io"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/parquetio"
)

// typedSlice is a Slice that types its columns like rq.Rows.
type typedSlice struct {
	*Slice
	opts parquetio.Options
}

func (t *typedSlice) ParquetOptions() parquetio.Options { return t.opts }

// BenchmarkParquetVsCSV renders the same query result (select * over a
// demo project) as CSV and as Parquet: the Parquet output target is
// within 1.5x of CSV's throughput.
func BenchmarkParquetVsCSV(b *testing.B) {
	srv := redcaptest.NewServer(b, redcaptest.Demo(redcaptest.DemoOptions{Records: 5000, Seed: 1}))
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		b.Fatal(err)
	}
	rows, err := p.Query(context.Background(), "select * from records", nil)
	if err != nil {
		b.Fatal(err)
	}
	s := &Slice{Cols: rows.Columns()}
	for rows.Next() {
		s.Vals = append(s.Vals, append([]client.Value(nil), rows.Row()...))
	}
	opts := rows.ParquetOptions()
	rows.Close()
	for _, f := range []Format{CSV, Parquet} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				s.i = 0
				if _, err := Write(io.Discard, f, &typedSlice{s, opts}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(s.Vals)*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
