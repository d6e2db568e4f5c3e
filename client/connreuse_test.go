package client_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestParallelCallsReuseConnections checks that a client making several
// calls at once keeps their connections for the next calls instead of
// dialling again (net/http keeps only 2 idle connections per host unless
// told otherwise). The server holds each round's calls until all of them
// have arrived, so every round needs `width` connections at once; no
// timing is involved.
func TestParallelCallsReuseConnections(t *testing.T) {
	const width, rounds = 8, 4
	var dials atomic.Int64
	var mu sync.Mutex
	arrived := 0
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		if arrived == width {
			close(release)
		}
		ch := release
		mu.Unlock()
		<-ch
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"project_id":1,"project_title":"t","is_longitudinal":0}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)

	c, err := client.New(srv.URL+"/api/", testToken, client.WithMaxRate(0))
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < rounds; round++ {
		mu.Lock()
		arrived = 0
		release = make(chan struct{})
		mu.Unlock()
		var wg sync.WaitGroup
		errs := make(chan error, width)
		for i := 0; i < width; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.ExportProjectInfo(context.Background()); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	// With the default pool of 2, each later round dials width-2 = 6
	// again: 8 + 3×6 = 26. Kept connections need 8; the bound leaves room
	// for a dial that starts just before a finished call hands its
	// connection back.
	if n := dials.Load(); n > width+width/2 {
		t.Errorf("%d connections dialled for %d rounds of %d parallel calls; want about %d (connections kept between calls)", n, rounds, width, width)
	}
}
