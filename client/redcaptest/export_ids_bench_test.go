package redcaptest

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// BenchmarkIDExportModel measures one event's record-id export of a
// 20,000-record demo with the server model's cell cost on (a nanosecond a
// cell, so the figure is the emulator's own work): the call a client's id
// step makes once per event. docs/performance.md reads it.
func BenchmarkIDExportModel(b *testing.B) {
	p := Demo(DemoOptions{Records: 20_000, Seed: 1})
	srv, err := Start("127.0.0.1:0", Options{Model: ServerModel{CellCost: time.Nanosecond}}, p)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	form := url.Values{"token": {srv.Token(p.Name)}, "content": {"record"}, "format": {"json"},
		"fields[0]": {"record_id"}, "events[0]": {"enrollment_arm_1"}}
	for b.Loop() {
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
