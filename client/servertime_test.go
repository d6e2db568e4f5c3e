package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// TestServerTime: the server's clock comes from the Date header (the
// emulator's moved far from the local clock), and an answer without one
// is ErrNoServerTime.
func TestServerTime(t *testing.T) {
	far := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	clock := redcaptest.NewManualClock(far)
	p := redcaptest.Demo(redcaptest.DemoOptions{Records: 3, Seed: 1})
	p.Clock = clock.Now
	srv := redcaptest.NewServer(t, p)
	c, err := client.New(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []time.Time{far, far.Add(90 * time.Minute)} {
		clock.Advance(want.Sub(clock.Now()))
		got, err := c.ServerTime(context.Background())
		if err != nil || !got.Equal(want) {
			t.Errorf("ServerTime = %v, %v; want %v", got, err, want)
		}
	}

	noDate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil // net/http adds none then
		w.Write([]byte("15.7.6"))
	}))
	defer noDate.Close()
	c2, err := client.New(noDate.URL+"/api/", "0123456789ABCDEF0123456789ABCDEF")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.ServerTime(context.Background()); !errors.Is(err, client.ErrNoServerTime) {
		t.Errorf("no Date header: %v, want ErrNoServerTime", err)
	}
}
