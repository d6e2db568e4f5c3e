package redcaptest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
)

// BenchmarkExportDemo exports the whole demo project as flat CSV over
// loopback and reports the throughput (MB/s). The size defaults to the
// 1,000,000-record target; RQ_BENCH_RECORDS overrides it for quick runs.
//
//	go test ./client/redcaptest -run '^$' -bench ExportDemo -benchtime 1x
func BenchmarkExportDemo(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("RQ_BENCH_RECORDS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for _, format := range []string{"csv", "json"} {
		b.Run(format, func(b *testing.B) {
			p := Demo(DemoOptions{Records: n, Seed: 1})
			srv := NewServer(b, p)
			form := url.Values{"token": {srv.Token(p.Name)}, "content": {"record"}, "format": {format}}
			var bytes int64
			for b.Loop() {
				resp, err := http.PostForm(srv.URL, form)
				if err != nil {
					b.Fatal(err)
				}
				bytes, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("status %d, %v", resp.StatusCode, err)
				}
			}
			b.SetBytes(bytes)
			if b.N == 1 {
				fmt.Printf("export %s of %d demo records: %d bytes\n", format, n, bytes)
			}
		})
	}
}
