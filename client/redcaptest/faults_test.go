package redcaptest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// faultProject is a minimal classic project for fault tests.
func faultProject() *Project {
	return &Project{Name: "faults", Info: ProjectInfo{Title: "faults"}, Metadata: []Field{
		{FieldName: "record_id", FormName: "form_1", FieldType: "text", FieldLabel: "ID"},
	}}
}

// startFaults serves faultProject with the given faults and returns a
// function posting content=version.
func startFaults(t *testing.T, f Faults) func() (int, http.Header, string) {
	t.Helper()
	srv, err := Start("", Options{Faults: f}, faultProject())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	form := url.Values{"token": {srv.Token("faults")}, "content": {"version"}, "format": {"json"}}
	return func() (int, http.Header, string) {
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
}

func TestFaultNoneByDefault(t *testing.T) {
	post := startFaults(t, Faults{Seed: 3})
	for i := 0; i < 20; i++ {
		if code, _, body := post(); code != 200 || body == "" || strings.Contains(body, "<") {
			t.Fatalf("request %d: %d %q", i, code, body)
		}
	}
}

func TestFaultFailRate(t *testing.T) {
	post := startFaults(t, Faults{FailRate: 1, Seed: 1})
	seen := map[int]bool{}
	for i := 0; i < 40; i++ {
		code, h, body := post()
		if code != 502 && code != 503 && code != 504 {
			t.Fatalf("request %d: status %d, want 502/503/504", i, code)
		}
		if !strings.Contains(body, strconv.Itoa(code)) || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("request %d: %s %q", i, h.Get("Content-Type"), body)
		}
		seen[code] = true
	}
	if len(seen) != 3 {
		t.Errorf("statuses seen %v, want all of 502, 503, 504", seen)
	}
}

// statuses returns the status sequence of n requests against a fresh server.
func statuses(t *testing.T, f Faults, n int) string {
	post := startFaults(t, f)
	var b strings.Builder
	for i := 0; i < n; i++ {
		code, _, _ := post()
		b.WriteString(strconv.Itoa(code) + " ")
	}
	return b.String()
}

func TestFaultSeedReproducible(t *testing.T) {
	f := Faults{FailRate: 0.3, HTMLErrorRate: 0.2, TruncateRate: 0.2, Seed: 42}
	a, b := statuses(t, f, 60), statuses(t, f, 60)
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "200") || !strings.Contains(a, "50") {
		t.Errorf("FailRate 0.3 over 60 requests should give both successes and failures: %s", a)
	}
	f.Seed = 43
	if c := statuses(t, f, 60); c == a {
		t.Errorf("seeds 42 and 43 gave the same faults: %s", a)
	}
}

func TestFaultHTMLErrorRate(t *testing.T) {
	post := startFaults(t, Faults{HTMLErrorRate: 1, Seed: 1})
	code, h, body := post()
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "REDCap crashed due to an unexpected PHP fatal error!") {
		t.Fatalf("got %d %s %q", code, h.Get("Content-Type"), body)
	}
}

func TestFaultLatency(t *testing.T) {
	var slept []time.Duration
	fi := newInjector(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		Faults{Latency: 250 * time.Millisecond, Seed: 1})
	fi.sleep = func(_ *http.Request, d time.Duration) { slept = append(slept, d) }
	for i := 0; i < 3; i++ {
		rec := httptest.NewRecorder()
		fi.ServeHTTP(rec, httptest.NewRequest("POST", "/api/", nil))
		if rec.Body.String() != "ok" {
			t.Fatalf("body %q", rec.Body)
		}
	}
	if len(slept) != 3 || slept[0] != 250*time.Millisecond {
		t.Fatalf("slept %v, want 250ms per request", slept)
	}
	// Through a real server: the delay is at least the configured one.
	post := startFaults(t, Faults{Latency: 30 * time.Millisecond})
	start := time.Now()
	if code, _, _ := post(); code != 200 {
		t.Fatalf("status %d", code)
	}
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Errorf("request took %v, want >= 30ms", el)
	}
}

func TestFaultRateLimitBans(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fi := newInjector(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		Faults{RateLimitPerMinute: 3, Seed: 1})
	fi.now = func() time.Time { return clock }
	do := func(ip string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/api/", nil)
		req.RemoteAddr = ip + ":5555"
		fi.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 3; i++ {
		if rec := do("10.0.0.1"); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		clock = clock.Add(10 * time.Second)
	}
	rec := do("10.0.0.1")
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), "banned due to suspected abuse") ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("4th request in a minute: %d %s %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	// The ban lasts for the server's lifetime, however long one waits.
	clock = clock.Add(24 * time.Hour)
	if rec := do("10.0.0.1"); rec.Code != 429 {
		t.Fatalf("after a day: %d, want 429", rec.Code)
	}
	// Other clients are not affected; spreading hits over minutes is fine.
	for i := 0; i < 10; i++ {
		if rec := do("10.0.0.2"); rec.Code != 200 {
			t.Fatalf("other client request %d: %d", i, rec.Code)
		}
		clock = clock.Add(21 * time.Second)
	}
}

func TestFaultRateLimitThroughServer(t *testing.T) {
	post := startFaults(t, Faults{RateLimitPerMinute: 5})
	codes := ""
	for i := 0; i < 8; i++ {
		code, _, body := post()
		codes += strconv.Itoa(code) + " "
		if code == 429 && !strings.Contains(body, "banned due to suspected abuse") {
			t.Fatalf("429 body %q", body)
		}
	}
	if codes != "200 200 200 200 200 429 429 429 " {
		t.Fatalf("statuses %s", codes)
	}
}

func TestFaultTruncateRate(t *testing.T) {
	body := strings.Repeat("0123456789", 100)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		io.WriteString(w, body[:500])
		io.WriteString(w, body[500:])
	})
	fi := newInjector(h, Faults{TruncateRate: 1, Seed: 7})
	lengths := map[int]bool{}
	for i := 0; i < 20; i++ {
		rec := httptest.NewRecorder()
		fi.ServeHTTP(rec, httptest.NewRequest("POST", "/api/", nil))
		got := rec.Body.String()
		if rec.Code != 200 || len(got) < 1 || len(got) >= len(body) || !strings.HasPrefix(body, got) {
			t.Fatalf("request %d: %d, %d bytes, want a proper prefix of %d bytes", i, rec.Code, len(got), len(body))
		}
		if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(got)) {
			t.Fatalf("Content-Length %s for %d bytes", cl, len(got))
		}
		lengths[len(got)] = true
	}
	if len(lengths) < 5 {
		t.Errorf("cut points not spread: %v", lengths)
	}
	// Error answers pass untouched.
	fe := newInjector(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"bad"}`)
	}), Faults{TruncateRate: 1, Seed: 7})
	rec := httptest.NewRecorder()
	fe.ServeHTTP(rec, httptest.NewRequest("POST", "/api/", nil))
	if rec.Code != 400 || rec.Body.String() != `{"error":"bad"}` {
		t.Fatalf("error answer changed: %d %q", rec.Code, rec.Body)
	}
}

func TestFaultTruncateLongBody(t *testing.T) {
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	var werr error
	written := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 64; i++ { // 4 MiB
			n, err := w.Write(chunk)
			written += n
			if err != nil {
				werr = err
				return
			}
		}
	})
	fi := newInjector(h, Faults{TruncateRate: 1, Seed: 9})
	rec := httptest.NewRecorder()
	fi.ServeHTTP(rec, httptest.NewRequest("POST", "/api/", nil))
	n := rec.Body.Len()
	if n <= truncateBuffer || n > 2*truncateBuffer+len(chunk) || n >= 64*len(chunk) {
		t.Fatalf("long body cut to %d bytes", n)
	}
	if !errors.Is(werr, errTruncated) {
		t.Fatalf("handler write error %v, want errTruncated so a streaming export stops", werr)
	}
}

func TestFaultTruncateThroughServer(t *testing.T) {
	post := startFaults(t, Faults{TruncateRate: 1, Seed: 5})
	plain := startFaults(t, Faults{})
	_, _, full := plain()
	code, _, got := post()
	if code != 200 || len(got) == 0 || len(got) >= len(full) || !strings.HasPrefix(full, got) {
		t.Fatalf("got %d %q, want a proper prefix of %q", code, got, full)
	}
}

func TestFaultMaxCellsCheck(t *testing.T) {
	if err := (Faults{}).checkCells(1 << 40); err != nil {
		t.Fatalf("no limit: %v", err)
	}
	if err := (Faults{MaxCells: 100}).checkCells(100); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	err := (Faults{MaxCells: 100}).checkCells(101)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 500 || ae.Msg != msgOutOfMemory {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestFaultMaxCellsThroughExport(t *testing.T) {
	p := Demo(DemoOptions{Records: 10, Seed: 1})
	srv, err := Start("", Options{Faults: Faults{MaxCells: 500}}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	export := func(extra url.Values) (int, string) {
		form := url.Values{"token": {srv.Token(p.Name)}, "content": {"record"}, "format": {"json"}, "returnFormat": {"json"}}
		for k, v := range extra {
			form[k] = v
		}
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := export(nil)
	if code != 500 || !strings.Contains(body, "REDCap ran out of server memory. The request cannot be processed.") {
		t.Fatalf("whole export over the cell limit: %d %q", code, body)
	}
	// A smaller request passes.
	if code, body := export(url.Values{"fields[0]": {"record_id"}, "records[0]": {"1"}}); code != 200 || !strings.Contains(body, `"record_id":"1"`) {
		t.Fatalf("small export: %d %q", code, body)
	}
}

func TestFaultMaxInputVars(t *testing.T) {
	srv, err := Start("", Options{Faults: Faults{MaxInputVars: 10}}, faultProject())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	form := url.Values{"token": {srv.Token("faults")}, "content": {"record"}, "format": {"json"}, "returnFormat": {"json"}}
	for i := 0; i < 10; i++ {
		form.Set("records["+strconv.Itoa(i)+"]", strconv.Itoa(i))
	}
	resp, err := http.PostForm(srv.URL, form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "The REDCap server has reached a maximum for the number of POST parameters submitted") {
		t.Fatalf("14 POST variables with a limit of 10: %d %s", resp.StatusCode, b)
	}
}
