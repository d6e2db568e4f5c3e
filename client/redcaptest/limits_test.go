package redcaptest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// lazyBody is a request body produced as it is read (a 200 MB POST that
// never exists in the test's memory); it counts what the server pulled.
type lazyBody struct {
	prefix string
	left   int64
	read   *atomic.Int64
}

func (b *lazyBody) Read(p []byte) (int, error) {
	if b.prefix != "" {
		n := copy(p, b.prefix)
		b.prefix = b.prefix[n:]
		b.read.Add(int64(n))
		return n, nil
	}
	if b.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > b.left {
		n = b.left
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.left -= n
	b.read.Add(n)
	return int(n), nil
}

// TestBodyLimit: a request body above MaxBodyBytes is answered as REDCap
// answers an empty $_POST (403) without being read whole — with its
// Content-Length given (not read at all) or chunked (read up to the
// limit) — and a value above MaxValueBytes fails the import's validation.
func TestBodyLimit(t *testing.T) {
	const max = 1 << 20
	srv, err := Start("", Options{MaxBodyBytes: max}, faultProject())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tok := srv.Token("faults")
	const size = 200 << 20
	for _, chunked := range []bool{false, true} {
		var read atomic.Int64
		body := &lazyBody{prefix: "token=" + tok + "&content=record&action=import&data=", left: size, read: &read}
		req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if !chunked {
			req.ContentLength = size + int64(len(body.prefix))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			// the server may close while the client still writes: then
			// only the count matters
			t.Logf("chunked=%v: %v", chunked, err)
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), msgNoPermission) {
				t.Errorf("chunked=%v: %d %s", chunked, resp.StatusCode, b)
			}
		}
		// the server stopped reading near the limit: the client's writes
		// stall once the socket buffers are full (a few MB at most)
		if got := read.Load(); got > 16*max {
			t.Errorf("chunked=%v: %d MB of the 200 MB body were pulled; the limit is 1 MB", chunked, got>>20)
		} else {
			t.Logf("chunked=%v: %d KB pulled of 200 MB", chunked, got>>10)
		}
	}
	// a small request still works
	form := url.Values{"token": {tok}, "content": {"version"}}
	resp, err := http.PostForm(srv.URL, form)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("small request: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestValueLimit(t *testing.T) {
	p := faultProject()
	p.Metadata = append(p.Metadata, Field{FieldName: "note", FormName: "form_1", FieldType: "notes", FieldLabel: "Note"})
	srv, err := Start("", Options{MaxValueBytes: 10}, p)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	post := func(v string) (int, string) {
		data := `[{"record_id":"1","note":"` + v + `"}]`
		form := url.Values{"token": {srv.Token("faults")}, "content": {"record"}, "action": {"import"}, "format": {"json"}, "data": {data}}
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, b := post(strings.Repeat("a", 11)); code != 400 || !strings.Contains(b, "11 bytes long; REDCap stores at most 10 bytes") {
		t.Errorf("11 bytes: %d %s", code, b)
	}
	if code, b := post(strings.Repeat("a", 10)); code != 200 {
		t.Errorf("10 bytes: %d %s", code, b)
	}
}
