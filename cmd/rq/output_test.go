package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcapql/rq/client"

	"github.com/redcapql/rq/client/redcaptest"
)

// dyingServer serves the demo project until `after` record exports have
// been answered, then cuts every connection, as a server killed mid-run.
func dyingServer(t *testing.T, records int, after int64) (apiURL, token string) {
	t.Helper()
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	var exports atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if strings.Contains(string(body), "content=record&") && exports.Add(1) > after {
			panic(http.ErrAbortHandler) // the connection is cut
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL + u.Path, srv.Token(demoName)
}

// TestKilledRunLeavesNoFile: a query or export whose server dies part-way
// writes no -o file and leaves an existing one unchanged; to stdout, the
// rows written are followed by the incomplete line and exit code 4.
func TestKilledRunLeavesNoFile(t *testing.T) {
	testRetry = &client.RetryPolicy{MaxAttempts: 2, BaseDelay: 10 * time.Millisecond}
	defer func() { testRetry = nil }()
	var apiURL string
	fresh := func(after int64) {
		var token string
		apiURL, token = dyingServer(t, 3000, after)
		t.Setenv("REDCAP_API_TOKEN", token)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	for _, tc := range []struct {
		after int64
		args  []string
	}{
		{2, []string{"-c", "select * from records", "-o", out}},
		{0, []string{"export", "records", "-o", out}}, // one call (a JSON stream, resumed when cut)
		{2, []string{"export", "records", "--raw", "csv", "-o", out}},
	} {
		args := tc.args
		fresh(tc.after)
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"--url", apiURL, "--timeout", "5s"}, args...), strings.NewReader(""), &stdout, &stderr)
		if code != exitNetwork {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", args, code, exitNetwork, stderr.String())
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: %s exists after a failed run (%v); exit %d stdout %.200q stderr:\n%s", args, out, err, code, stdout.String(), stderr.String())
		}
		// (whether the output was opened before the failure depends on
		// which batch failed first: "was not written" is not checked here)
		left, _ := os.ReadDir(dir)
		if len(left) != 0 {
			t.Errorf("%v: files left beside the target: %v", args, left)
		}
	}
	// an existing target stays as it was
	os.WriteFile(out, []byte("old\n"), 0o600)
	fresh(2)
	var stdout, stderr bytes.Buffer
	run([]string{"--url", apiURL, "-c", "select * from records", "-o", out}, strings.NewReader(""), &stdout, &stderr)
	if b, _ := os.ReadFile(out); string(b) != "old\n" {
		t.Errorf("existing file replaced on failure: %q", b)
	}
	// stdout: when rows went out, the marker and exit 4 follow them; when
	// the failure came first (batches run concurrently), nothing is on
	// stdout and the code is 3. Some run must have written rows.
	incomplete := 0
	for _, after := range []int64{1, 2, 3, 4, 5, 6, 8} {
		stdout.Reset()
		stderr.Reset()
		var token string
		apiURL, token = dyingServer(t, 3000, after)
		t.Setenv("REDCAP_API_TOKEN", token)
		// one call at a time, so that batches are written in turn and a
		// later one can fail after an earlier one's rows went out
		code := run([]string{"--url", apiURL, "--concurrency", "1", "-c", "select * from records", "--format", "csv"}, strings.NewReader(""), &stdout, &stderr)
		lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
		last := lines[len(lines)-1]
		switch {
		case code == exitIncomplete && strings.HasPrefix(last, "rq: output incomplete: ") && strings.Contains(last, " written to stdout") && stdout.Len() > 0:
			incomplete++
			t.Logf("after %d exports: %d bytes out, %s", after, stdout.Len(), last)
		case code == exitNetwork && stdout.Len() == 0, code == 0: // failed before any row, or needed no more calls
		default:
			t.Errorf("after %d exports: exit %d, last stderr line %q; stdout %d bytes", after, code, last, stdout.Len())
		}
	}
	if incomplete == 0 {
		t.Error("no run wrote rows before failing: the incomplete marker was not exercised")
	}
}
