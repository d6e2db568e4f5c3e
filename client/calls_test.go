package client_test

import (
	"context"
	"net/http"
	"testing"
)

// TestCallsCountsEachCallOnce: Calls counts the API calls sent, a call
// that took retries once (the server sees every attempt).
func TestCallsCountsEachCallOnce(t *testing.T) {
	n := 0
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		n++
		if n == 2 { // the second call's first attempt fails, then is retried
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("14.7.3"))
	})
	c := newClient(t, fs.URL)
	ctx := context.Background()
	for range 2 {
		if _, err := c.ExportVersion(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, hits := c.Calls(), fs.hits.Load(); got != 2 || hits != 3 {
		t.Errorf("Calls() = %d with %d requests on the wire, want 2 calls and 3 requests", got, hits)
	}
}
