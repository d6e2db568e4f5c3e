package parquetio

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// demoExport is a demo project's full CSV export and its dictionary.
func demoExport(b *testing.B, records int) ([]byte, *client.Dictionary) {
	srv := redcaptest.NewServer(b, redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1}))
	c, err := client.New(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	body, err := c.ExportRecordsRaw(ctx, client.ExportRecordsParams{Format: "csv", ExportBlankForGrayFormStatus: true})
	if err != nil {
		b.Fatal(err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	proj, err := c.Project(ctx)
	if err != nil {
		b.Fatal(err)
	}
	d, _ := proj.Dictionary()
	return data, d
}

// BenchmarkWriteDemo decodes a demo export and writes it as Parquet
// (what rq export records -o x.parquet does after the network), against
// decoding it alone: MB/s of CSV input.
func BenchmarkWriteDemo(b *testing.B) {
	data, d := demoExport(b, 20000)
	for _, mode := range []string{"decode-only", "parquet"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				rs, err := client.NewRecordStream(bytes.NewReader(data), "csv", "")
				if err != nil {
					b.Fatal(err)
				}
				var w *Writer
				for rs.Next() {
					if mode == "parquet" {
						if w == nil {
							w = NewWriter(io.Discard, rs.Columns(), Options{Dict: d})
						}
						if err := w.WriteRaw(rs.Row()); err != nil {
							b.Fatal(err)
						}
					}
				}
				if w != nil {
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
