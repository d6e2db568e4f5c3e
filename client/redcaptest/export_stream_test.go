package redcaptest

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"testing"
)

// TestExportStreams: a large export is written as it is produced. The heap
// sampled while the client reads an 80 MB answer stays far below the size
// of the answer, which a server building the whole body could not do.
func TestExportStreams(t *testing.T) {
	p := Demo(DemoOptions{Records: 200_000, Seed: 2})
	srv := NewServer(t, p)
	resp, err := http.PostForm(srv.URL, url.Values{"token": {srv.Token(p.Name)}, "content": {"record"}, "format": {"csv"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1<<20)
	var total int64
	var peak uint64
	var ms runtime.MemStats
	for i := 0; ; i++ {
		n, err := io.ReadFull(resp.Body, buf)
		total += int64(n)
		if i%8 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		if err != nil {
			break
		}
	}
	if total < 60<<20 {
		t.Fatalf("export of %d bytes is smaller than expected", total)
	}
	if peak > uint64(total)/2 {
		t.Errorf("heap peaked at %d MB while reading %d MB: the export is not streamed", peak>>20, total>>20)
	}
	t.Logf("read %d MB, heap peak %d MB", total>>20, peak>>20)
}
