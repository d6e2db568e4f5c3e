package mirror_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/mirror"
)

// benchRecords is RQ_BENCH_RECORDS (default 20,000): the targets
// are measured with 200,000 (sync) and 1,000,000 (query).
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("RQ_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// BenchmarkIncrementalSync changes 1% of the records and syncs: the
// metric inc-bytes-% is the incremental sync's record bytes as a share of
// the full export's (target ≤ 5%).
func BenchmarkIncrementalSync(b *testing.B) {
	n := benchRecords()
	start := time.Date(2026, 5, 4, 8, 0, 0, 0, time.Local)
	clock := redcaptest.NewManualClock(start)
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: n, Seed: 1})
	proj.Clock = clock.Now
	proj.Created = start.Add(-time.Hour)
	srv := redcaptest.NewServer(b, proj)
	c, err := client.New(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "m")
	opts := mirror.Options{} // the sync reads the server's clock from its Date header
	ctx := context.Background()
	full, err := mirror.Sync(ctx, c, dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var inc *mirror.Report
	for i := 0; i < b.N; i++ {
		clock.Advance(time.Hour)
		var csv strings.Builder
		csv.WriteString("record_id,redcap_event_name,notes\n")
		for r := 1; r <= n; r += 100 { // 1%
			fmt.Fprintf(&csv, "%d,enrollment_arm_%d,changed %d\n", r, 1+r%2, i)
		}
		if _, err := c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte(csv.String())}); err != nil {
			b.Fatal(err)
		}
		clock.Advance(time.Hour)
		if inc, err = mirror.Sync(ctx, c, dir, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(100*float64(inc.Bytes)/float64(full.Bytes), "inc-bytes-%")
	b.ReportMetric(float64(full.Bytes), "full-bytes")
	b.ReportMetric(float64(inc.Changed), "changed")
}

// BenchmarkMirrorQuery runs the headline query and a whole-project
// aggregate on a mirror (run with -cpu 1; target < 1 s on 1M records).
func BenchmarkMirrorQuery(b *testing.B) {
	n := benchRecords()
	dir := os.Getenv("RQ_BENCH_MIRROR") // reuse a mirror built earlier
	if dir == "" {
		srv := redcaptest.NewServer(b, redcaptest.Demo(redcaptest.DemoOptions{Records: n, Seed: 1}))
		c, err := client.New(srv.URL, srv.Token("rq demo study"))
		if err != nil {
			b.Fatal(err)
		}
		dir = filepath.Join(b.TempDir(), "m")
		if _, err := mirror.Sync(context.Background(), c, dir, mirror.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	p, err := rq.OpenMirror(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		"select age, score from records where score > 5 and form = 'baseline'",
		"select sex, count(*), avg(weight) from records group by sex",
	} {
		b.Run(strings.Fields(q)[1], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rows, err := p.Query(context.Background(), q, nil)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}
		})
	}
}
