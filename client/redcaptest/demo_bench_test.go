package redcaptest

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkDemoRecord measures generating one demo record on demand.
func BenchmarkDemoRecord(b *testing.B) {
	d := &demoStore{n: 1_000_000, seed: 1}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.record(1 + i%1_000_000)
	}
}

// BenchmarkDemoExport measures a full CSV export of a 20,000-record demo
// over loopback and reports MB/s.
func BenchmarkDemoExport(b *testing.B) {
	p := Demo(DemoOptions{Records: 20_000, Seed: 1})
	srv := NewServer(b, p)
	form := url.Values{"token": {srv.Token(p.Name)}, "content": {"record"}, "format": {"csv"}}
	var n int64
	for b.Loop() {
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			b.Fatal(err)
		}
		n, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	b.SetBytes(n)
}
