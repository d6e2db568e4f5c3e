package rq_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/mirror"
)

// TestFaultMatrixMirror: rq mirror under 10% 502/503/504, 5% truncated
// bodies and 5% HTML error pages. A full sync either completes with the
// fault-free answer offline or fails leaving no mirror; a later sync either
// completes with it or fails leaving the previous mirror byte for byte.
func TestFaultMatrixMirror(t *testing.T) {
	n := min(*fmRecords, 2000)
	want := baseline(t, n, fmQuery)
	offline := func(dir string) (result, error) {
		p, err := rq.OpenMirror(dir)
		if err != nil {
			return result{}, err
		}
		got, _, err := runQuery(context.Background(), p, fmQuery)
		return got, err
	}
	var ok, failed int
	for seed := 1; seed <= min(*fmSeeds, 8); seed++ {
		f := redcaptest.Faults{FailRate: 0.10, TruncateRate: 0.05, HTMLErrorRate: 0.05, Seed: int64(seed)}
		srv := startServer(t, f, demoProject(n))
		c, err := client.New(srv.URL, srv.Token(demoTitle), client.WithRateLimit(0), fastRetries)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "m")
		for round := 1; round <= 2; round++ {
			before, _ := os.ReadFile(filepath.Join(dir, mirror.StateFile))
			_, err := mirror.Sync(context.Background(), c, dir, mirror.Options{PartRecords: 500})
			if err != nil {
				failed++
				after, _ := os.ReadFile(filepath.Join(dir, mirror.StateFile))
				if !bytes.Equal(before, after) {
					t.Errorf("seed %d round %d: a failed sync changed state.json", seed, round)
				}
				if before == nil {
					if _, err := mirror.Open(dir); err == nil {
						t.Errorf("seed %d: a failed first sync left a readable mirror", seed)
					}
					break
				}
			} else {
				ok++
			}
			got, err := offline(dir)
			if err != nil {
				t.Fatalf("seed %d round %d: offline query: %v", seed, round, err)
			}
			if got != want {
				t.Errorf("seed %d round %d: offline answer %d rows %.12s, fault-free %d rows %.12s", seed, round, got.rows, got.sum, want.rows, want.sum)
			}
		}
	}
	t.Logf("mirror fault matrix, %d records: %d syncs completed, %d failed cleanly", n, ok, failed)
}
