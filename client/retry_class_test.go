package client_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redcapql/rq/client"
)

var quiet = client.WithLogger(slog.New(slog.DiscardHandler))

const classToken = "0123456789ABCDEF0123456789ABCDEF"

// TestHopelessErrorsNotRetried: DNS failures, a refused first connection,
// TLS and protocol mismatches and 400/401/403 fail at the first attempt
// with one message naming the URL (never the token); 408 and 5xx, and a
// refused connection after the server answered once, are retried.
func TestHopelessErrorsNotRetried(t *testing.T) {
	ctx := context.Background()
	var dials atomic.Int64
	dialFail := func(err error) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return nil, err
		}}}
	}
	refused := func() string { // a port with nothing listening
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	for _, tc := range []struct {
		name, url string
		hc        *http.Client
		has       string
	}{
		{"dns", "http://redcap.example.org/api/", dialFail(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "redcap.example.org", IsNotFound: true}}), "does not resolve"},
		{"refused", "http://" + refused + "/api/", nil, "connection refused"},
		{"https to an http server", "https://" + strings.TrimPrefix(plain.URL, "http://") + "/api/", nil, "does not speak TLS"},
		// Go's TLS server answers a plain request with a 400 saying so
		{"http to an https server", "http://" + strings.TrimPrefix(tlsSrv.URL, "https://") + "/api/", nil, "HTTPS server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dials.Store(0)
			opts := []client.Option{client.WithRetry(fastRetry), client.WithRateLimit(0), quiet}
			if tc.hc != nil {
				opts = append(opts, client.WithHTTPClient(tc.hc))
			}
			c, err := client.New(tc.url, classToken, opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ExportVersion(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.has) || !strings.Contains(err.Error(), "not retried") && !strings.Contains(err.Error(), "HTTP 400") {
				t.Fatalf("err = %v, want %q", err, tc.has)
			}
			if !strings.Contains(err.Error(), tc.url) && !strings.Contains(err.Error(), "HTTP 400") || strings.Contains(err.Error(), classToken) {
				t.Errorf("message must name the URL and never the token: %v", err)
			}
			if tc.hc != nil && dials.Load() != 1 {
				t.Errorf("%d attempts, want 1", dials.Load())
			}
		})
	}
	for _, tc := range []struct {
		status, hits int
	}{{400, 1}, {401, 1}, {403, 1}, {408, 3}, {500, 3}, {502, 3}, {503, 3}, {504, 3}, {501, 1}} {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.WriteHeader(tc.status)
			w.Write([]byte(`{"error":"no"}`))
		}))
		c, _ := client.New(srv.URL+"/api/", classToken, client.WithRetry(fastRetry), client.WithRateLimit(0), quiet)
		_, err := c.ExportVersion(ctx)
		srv.Close()
		var e *client.Error
		if !errors.As(err, &e) || e.Status != tc.status || int(hits.Load()) != tc.hits {
			t.Errorf("HTTP %d: %d attempts, want %d (%v)", tc.status, hits.Load(), tc.hits, err)
		}
	}
	// refused after a first answer: the server may be restarting, retried
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("15.7.6"))
	}))
	c, _ := client.New(srv.URL+"/api/", classToken, client.WithRetry(fastRetry), client.WithRateLimit(0), quiet)
	if _, err := c.ExportVersion(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	_, err := c.ExportVersion(ctx)
	if err == nil || strings.Contains(err.Error(), "not retried") || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("refused after contact: %v", err)
	}
}
