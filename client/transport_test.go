package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
)

const testToken = "0123456789ABCDEF0123456789ABCDEF"

// fakeServer answers every request with h and counts requests.
type fakeServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newFake(t *testing.T, h http.HandlerFunc) *fakeServer {
	t.Helper()
	fs := &fakeServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// fastRetry keeps retry tests quick while still exercising the back-off.
var fastRetry = client.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}

func newClient(t *testing.T, url string, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{client.WithRateLimit(0), client.WithLogger(slog.New(slog.DiscardHandler)), client.WithRetry(fastRetry), client.WithTimeout(5 * time.Second)}
	c, err := client.New(url+"/api/", testToken, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func asError(t *testing.T, err error) *client.Error {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *client.Error", err, err)
	}
	text := strings.ToUpper(err.Error() + fmt.Sprintf("%+v", *e))
	for i := 0; i+10 <= len(testToken); i++ {
		if strings.Contains(text, testToken[i:i+10]) {
			t.Fatalf("error leaks (part of) the token: %v", err)
		}
	}
	return e
}

func TestErrorPaths(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		call       func(*client.Client) error
		status     int
		sentinel   error
		msgHas     string
		wantHits   int64
		bodyPrefix bool
	}{
		{
			name: "403 bad token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(403)
				io.WriteString(w, `{"error":"You do not have permissions to use the API"}`)
			},
			call:   func(c *client.Client) error { _, err := c.ExportVersion(ctx); return err },
			status: 403, msgHas: "You do not have permissions to use the API", wantHits: 1,
		},
		{
			name: "400 unknown field",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":"The following values in the parameter \"fields\" are not valid: 'nosuch'"}`)
			},
			call: func(c *client.Client) error {
				_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Fields: []string{"nosuch"}})
				return err
			},
			status: 400, msgHas: `parameter "fields" are not valid: 'nosuch'`, wantHits: 1,
		},
		{
			name: "500 out of memory",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(500)
				io.WriteString(w, `REDCap ran out of server memory. The request cannot be processed. Please try importing/exporting a smaller amount of data.`)
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 500, sentinel: client.ErrTooLarge, msgHas: "ran out of server memory", wantHits: 1,
		},
		{
			name: "400 TIMEOUT ERROR",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":"TIMEOUT ERROR: The request was terminated because it exceeded the PHP processing time limit, which is 300 seconds."}`)
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 400, sentinel: client.ErrTooLarge, msgHas: "TIMEOUT ERROR", wantHits: 1,
		},
		{
			name: "400 too many POST variables",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(400)
				io.WriteString(w, `{"error":"The REDCap server has reached a maximum for the number of POST parameters submitted"}`)
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 400, sentinel: client.ErrTooLarge, wantHits: 1,
		},
		{
			name: "200 HTML page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<!DOCTYPE html>\n<html><body>Please log in</body></html>")
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 200, sentinel: client.ErrMalformed, msgHas: "gave up after 3 attempts", wantHits: 3, bodyPrefix: true,
		},
		{
			name: "200 HTML page on a write is not retried",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "<html><body>REDCap crashed due to an unexpected PHP fatal error!</body></html>")
			},
			call: func(c *client.Client) error {
				_, err := c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte("record_id\n1\n")})
				return err
			},
			status: 200, sentinel: client.ErrHTMLPage, msgHas: "HTML page", wantHits: 1, bodyPrefix: true,
		},
		{
			name: "200 PHP fatal error printout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "<br />\n<b>Fatal error</b>:  Allowed memory size exhausted")
			},
			call:   func(c *client.Client) error { _, err := c.ExportInstruments(ctx); return err },
			status: 200, sentinel: client.ErrHTMLPage, wantHits: 3,
		},
		{
			name: "500 HTML crash page",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(500)
				io.WriteString(w, "<html><body>REDCap crashed due to an unexpected PHP fatal error!</body></html>")
			},
			call:   func(c *client.Client) error { _, err := c.ExportInstruments(ctx); return err },
			status: 500, msgHas: "HTML page", wantHits: 3, bodyPrefix: true, // a 5xx read is retried
		},
		{
			name: "200 with error object",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"error":"You cannot export events for classic projects"}`)
			},
			call:   func(c *client.Client) error { _, err := c.ExportEvents(ctx, client.ExportEventsParams{}); return err },
			status: 200, msgHas: "classic projects", wantHits: 1,
		},
		{
			// an empty 200 body is one cut at its first byte: retried
			name: "200 empty body where JSON expected",
			handler: func(w http.ResponseWriter, r *http.Request) {
			},
			call:   func(c *client.Client) error { _, err := c.ExportInstruments(ctx); return err },
			status: 200, sentinel: client.ErrTruncated, msgHas: "empty body", wantHits: 3,
		},
		{
			name: "truncated JSON (Content-Length mismatch)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "500")
				io.WriteString(w, `[{"record_id":"1","age":"3`)
			},
			call: func(c *client.Client) error {
				_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Format: "json"})
				return err
			},
			status: 200, sentinel: client.ErrTruncated, wantHits: 3,
		},
		{
			name: "truncated JSON (chunked, cut mid-record)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `[{"record_id":"1","age":"30"},{"record_id":"2","a`)
				w.(http.Flusher).Flush()
			},
			call: func(c *client.Client) error {
				_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Format: "json"})
				return err
			},
			status: 200, sentinel: client.ErrTruncated, msgHas: "middle of record 2", wantHits: 3,
		},
		{
			name: "truncated JSON metadata",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `[{"field_name":"record_id","form_name":"enr`)
				w.(http.Flusher).Flush()
			},
			call: func(c *client.Client) error {
				_, err := c.ExportMetadata(ctx, client.ExportMetadataParams{})
				return err
			},
			status: 200, sentinel: client.ErrTruncated, wantHits: 3, bodyPrefix: true,
		},
		{
			name: "truncated CSV (cut inside a quoted value)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "record_id,notes\n1,\"first line\nsecond")
				w.(http.Flusher).Flush()
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 200, sentinel: client.ErrTruncated, wantHits: 3,
		},
		{
			name: "truncated CSV (Content-Length mismatch)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "100")
				io.WriteString(w, "record_id,age\n1,30\n2,4")
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 200, sentinel: client.ErrTruncated, wantHits: 3,
		},
		{
			name: "CSV row of the wrong width",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "record_id,age\n1,30,x\n2,40\n")
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 200, sentinel: client.ErrMalformed, wantHits: 1,
		},
		{
			name: "500 page echoing the POST body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				w.WriteHeader(500)
				fmt.Fprintf(w, "<html><body>Fatal error. $_POST = %s / %s</body></html>", b, strings.ToLower(string(b)))
			},
			call:   func(c *client.Client) error { _, err := c.ExportVersion(ctx); return err },
			status: 500, msgHas: "[token]", wantHits: 3, bodyPrefix: true,
		},
		{
			name: "200 JSON error echoing the token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				fmt.Fprintf(w, `{"error":"token %s is not valid"}`, r.PostForm.Get("token"))
			},
			call:   func(c *client.Client) error { _, err := c.ExportInstruments(ctx); return err },
			status: 200, msgHas: "token [token] is not valid", wantHits: 1,
		},
		{
			name: "200 records echoing the token in a bad row",
			handler: func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				fmt.Fprintf(w, `[{"a":"1"},{"a":"%s", "b":"x"}]`, r.PostForm.Get("token"))
			},
			call: func(c *client.Client) error {
				rs, err := c.ExportRecordsStream(ctx, client.ExportRecordsParams{Format: "json"})
				if err != nil {
					return err
				}
				defer rs.Close()
				for rs.Next() {
				}
				return rs.Err()
			},
			status: 200, sentinel: client.ErrMalformed, wantHits: 1,
		},
		{
			name: "429 IP ban stops at once",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(429)
				io.WriteString(w, "Your IP address has been banned due to suspected abuse")
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 429, sentinel: client.ErrBanned, msgHas: "administrator must lift the ban", wantHits: 1,
		},
		{
			name: "429 ban on an import stops at once",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(429)
			},
			call: func(c *client.Client) error {
				_, err := c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte("record_id\n1\n")})
				return err
			},
			status: 429, sentinel: client.ErrBanned, msgHas: "permanent", wantHits: 1,
		},
		{
			name: "429 whose Retry-After is past the time-out stops",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(429)
			},
			call:   func(c *client.Client) error { _, err := c.ExportRecords(ctx, client.ExportRecordsParams{}); return err },
			status: 429, sentinel: client.ErrThrottled, msgHas: "longer than the time-out", wantHits: 1,
		},
		{
			name: "503 retried until exhausted",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(503)
				io.WriteString(w, "Service Unavailable")
			},
			call:   func(c *client.Client) error { _, err := c.ExportVersion(ctx); return err },
			status: 503, msgHas: "gave up after 3 attempts", wantHits: 3,
		},
		{
			name: "502 on an import is not retried",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(502)
			},
			call: func(c *client.Client) error {
				_, err := c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte("record_id\n1\n")})
				return err
			},
			status: 502, wantHits: 1,
		},
		{
			name: "redirect not followed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://elsewhere.example/api/", http.StatusMovedPermanently)
			},
			call:   func(c *client.Client) error { _, err := c.ExportVersion(ctx); return err },
			status: 301, msgHas: "elsewhere.example", wantHits: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFake(t, tt.handler)
			err := tt.call(newClient(t, fs.URL))
			e := asError(t, err)
			if e.Status != tt.status {
				t.Errorf("Status = %d, want %d (%v)", e.Status, tt.status, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if tt.sentinel != client.ErrTooLarge && errors.Is(err, client.ErrTooLarge) {
				t.Errorf("unexpected ErrTooLarge: %v", err)
			}
			if tt.msgHas != "" && !strings.Contains(err.Error(), tt.msgHas) {
				t.Errorf("error %q does not contain %q", err, tt.msgHas)
			}
			if st := fmt.Sprintf("HTTP %d: HTTP", e.Status); strings.Contains(err.Error(), st) {
				t.Errorf("error %q says %q twice", err, st)
			}
			if got := fs.hits.Load(); got != tt.wantHits {
				t.Errorf("server saw %d requests, want %d", got, tt.wantHits)
			}
			if tt.bodyPrefix && e.BodyPrefix == "" {
				t.Errorf("BodyPrefix is empty: %v", err)
			}
			if e.Content == "" {
				t.Errorf("Content is empty: %#v", e)
			}
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	var n atomic.Int64
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(502)
			return
		}
		io.WriteString(w, "15.7.6")
	})
	v, err := newClient(t, fs.URL).ExportVersion(context.Background())
	if err != nil || v != "15.7.6" {
		t.Fatalf("ExportVersion = %q, %v", v, err)
	}
	if fs.hits.Load() != 3 {
		t.Fatalf("hits = %d, want 3", fs.hits.Load())
	}
}

// A PHP fatal error printed after the 200 header is a passing failure:
// reads are sent again.
func TestHTMLPageRetriedThenSuccess(t *testing.T) {
	var n atomic.Int64
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			io.WriteString(w, "<html><body>REDCap crashed due to an unexpected PHP fatal error!</body></html>")
			return
		}
		io.WriteString(w, `[{"record_id":"1"}]`)
	})
	recs, err := newClient(t, fs.URL).ExportRecords(context.Background(), client.ExportRecordsParams{Format: "json"})
	if err != nil || len(recs.Rows) != 1 {
		t.Fatalf("ExportRecords = %v, %v", recs, err)
	}
	if fs.hits.Load() != 2 {
		t.Fatalf("hits = %d, want 2", fs.hits.Load())
	}
}

func TestNetworkErrorRetried(t *testing.T) {
	var n atomic.Int64
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 { // drop the connection without an answer
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		io.WriteString(w, "15.7.6")
	})
	v, err := newClient(t, fs.URL).ExportVersion(context.Background())
	if err != nil || v != "15.7.6" || fs.hits.Load() != 2 {
		t.Fatalf("ExportVersion = %q, %v after %d hits", v, err, fs.hits.Load())
	}
}

func TestSlowServerPastTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select { // never answers before the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := newClient(t, fs.URL, client.WithTimeout(50*time.Millisecond),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 2, BaseDelay: 10 * time.Millisecond}))
	_, err := c.ExportVersion(context.Background())
	e := asError(t, err)
	if e.Status != 0 || !strings.Contains(err.Error(), "WithTimeout") || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if fs.hits.Load() != 2 {
		t.Fatalf("time-outs are retried: hits = %d, want 2", fs.hits.Load())
	}
}

func TestSlowBodyPastTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "record_id,age\n1,30\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := newClient(t, fs.URL, client.WithTimeout(100*time.Millisecond))
	rs, err := c.ExportRecordsStream(context.Background(), client.ExportRecordsParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		n++
	}
	if n != 1 || !errors.Is(rs.Err(), client.ErrTruncated) || !strings.Contains(rs.Err().Error(), "time-out") {
		t.Fatalf("rows %d, err %v", n, rs.Err())
	}
}

func TestCancelledContextNotRetried(t *testing.T) {
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, fs.URL).ExportVersion(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if fs.hits.Load() > 1 {
		t.Fatalf("hits = %d", fs.hits.Load())
	}
}

func TestImportProblemsParsed(t *testing.T) {
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"\"1\",\"age\",\"abc\",\"The value you provided could not be validated because it does not follow the expected format. Please try again.\"\n\"2\",\"dob\",\"2020-13-01\",\"The value is not a valid date\""}`)
	})
	_, err := newClient(t, fs.URL).ImportRecords(context.Background(), client.ImportRecordsParams{Data: []byte("record_id,age\n1,abc\n")})
	e := asError(t, err)
	want := []client.ImportProblem{
		{Record: "1", Field: "age", Value: "abc", Message: "The value you provided could not be validated because it does not follow the expected format. Please try again."},
		{Record: "2", Field: "dob", Value: "2020-13-01", Message: "The value is not a valid date"},
	}
	if fmt.Sprint(e.Problems) != fmt.Sprint(want) {
		t.Fatalf("Problems = %v\nwant %v", e.Problems, want)
	}
}

func TestRateLimitHoldsRequests(t *testing.T) {
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "15.7.6") })
	c := newClient(t, fs.URL, client.WithMaxRate(30)) // a burst, then one call every 2 s
	if pm, burst := c.MaxRate(); pm != 30 || burst != client.DefaultBurst {
		t.Fatalf("MaxRate() = %v, %d; want 30, %d", pm, burst, client.DefaultBurst)
	}
	for i := range client.DefaultBurst { // the burst never waits
		if _, err := c.ExportVersion(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// The limiter knows at once that the next slot is past this deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.ExportVersion(ctx)
	if err == nil || !strings.Contains(err.Error(), "rate limiter") || fs.hits.Load() != client.DefaultBurst {
		t.Fatalf("err = %v, hits = %d", err, fs.hits.Load())
	}
}

func TestMaxRateDefaults(t *testing.T) {
	tests := []struct {
		name      string
		opts      []client.Option
		perMinute float64
		burst     int
		words     string
	}{
		{"default", nil, client.DefaultMaxRate, client.DefaultBurst, "270 calls/minute, burst 25"},
		{"per minute", []client.Option{client.WithMaxRate(120)}, 120, client.DefaultBurst, "120 calls/minute"},
		{"per second", []client.Option{client.WithRateLimit(2)}, 120, client.DefaultBurst, "120 calls/minute"},
		{"off", []client.Option{client.WithMaxRate(0)}, 0, 0, "no limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := client.New("http://127.0.0.1:1/api/", testToken, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			pm, burst := c.MaxRate()
			if pm != tt.perMinute || burst != tt.burst || !strings.Contains(c.RateDescription(), tt.words) {
				t.Errorf("MaxRate() = %v, %d (%q); want %v, %d (%q)", pm, burst, c.RateDescription(), tt.perMinute, tt.burst, tt.words)
			}
		})
	}
}

// TestThrottleWaitedOut: a 429 carrying Retry-After (a proxy's temporary
// limit) is waited out and the request sent again, a write included.
func TestThrottleWaitedOut(t *testing.T) {
	tests := []struct {
		name string
		call func(c *client.Client) error
	}{
		{"read", func(c *client.Client) error { _, err := c.ExportVersion(context.Background()); return err }},
		{"write", func(c *client.Client) error {
			_, err := c.ImportRecords(context.Background(), client.ImportRecordsParams{Data: []byte("record_id\n1\n")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int64
			fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(429)
					return
				}
				if r.ParseForm(); r.PostForm.Get("content") == "version" {
					io.WriteString(w, "15.7.6") // a whole version (a cut one is retried)
					return
				}
				io.WriteString(w, "1")
			})
			var logged bytes.Buffer
			c := newClient(t, fs.URL, client.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			if fs.hits.Load() != 2 || !strings.Contains(logged.String(), "throttled") {
				t.Fatalf("hits = %d, log %q", fs.hits.Load(), logged.String())
			}
		})
	}
}

func TestTruncatedBodyRetriedBySliceNotByStream(t *testing.T) {
	var n atomic.Int64
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "record_id,age\n1,30\n")
			return
		}
		io.WriteString(w, "record_id,age\n1,30\n2,40\n")
	})
	c := newClient(t, fs.URL)
	recs, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{})
	if err != nil || len(recs.Rows) != 2 || fs.hits.Load() != 2 {
		t.Fatalf("rows %v, err %v, hits %d", recs, err, fs.hits.Load())
	}
	n.Store(0)
	rs, err := c.ExportRecordsStream(context.Background(), client.ExportRecordsParams{})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	rows := 0
	for rs.Next() {
		rows++
	}
	if rows != 1 || !errors.Is(rs.Err(), client.ErrTruncated) || fs.hits.Load() != 3 {
		t.Fatalf("stream: rows %d, err %v, hits %d", rows, rs.Err(), fs.hits.Load())
	}
}

func TestRetryLogNeverHoldsToken(t *testing.T) {
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(503)
		fmt.Fprintf(w, "proxy error for request %s", b)
	})
	var logged strings.Builder
	c := newClient(t, fs.URL, client.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	_, err := c.ExportVersion(context.Background())
	asError(t, err)
	if !strings.Contains(logged.String(), "retrying") || strings.Contains(strings.ToUpper(logged.String()), testToken[:12]) {
		t.Fatalf("log: %s", logged.String())
	}
}

// The debug log names every request and its parameters by size, never the
// token nor values that may be PHI (record ids, filter logic).
func TestDebugLogNamesRequestsWithoutValues(t *testing.T) {
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"record_id":"MRN-4455"}]`)
	})
	var logged strings.Builder
	c := newClient(t, fs.URL, client.WithLogger(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{
		Records: []string{"MRN-4455", "MRN-7788"}, Fields: []string{"record_id"},
		FilterLogic: "[last_name] = 'Smith'", Format: "json",
	})
	if err != nil {
		t.Fatal(err)
	}
	log := logged.String()
	for _, want := range []string{"redcap client: request", "content=record", "action=export", "format=json", "filterLogic(21 bytes)", "status=200"} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{testToken, testToken[:12], "MRN-4455", "Smith"} {
		if strings.Contains(log, secret) {
			t.Errorf("debug log holds %q:\n%s", secret, log)
		}
	}
}
