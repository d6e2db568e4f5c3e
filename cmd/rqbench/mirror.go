package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/mirror"
)

// The figures of issue 17 (-only mirror): a query on a mirror, Parquet
// output against CSV output, and the bytes an incremental sync moves.

// aggregateQuery is a whole-project aggregate: every row of every event.
const aggregateQuery = "select sex, count(*), avg(weight) from records group by sex"

// incRecords is the project size of the incremental-sync figure.
func (c *config) incRecords() int {
	if c.short {
		return 2000
	}
	return 200_000
}

// measureMirror adds the mirror and Parquet figures.
func measureMirror(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	if err := measureMirrorQuery(ctx, cfg, bin, dir, t); err != nil {
		return err
	}
	if err := measureIncrementalSync(ctx, cfg, bin, dir, t); err != nil {
		return err
	}
	return measureParquetOutput(ctx, cfg, bin, dir, t)
}

// megabytes prints a byte count in MB, or kB below one MB.
func megabytes(b int64) string {
	if b < 1e6 {
		return fmt.Sprintf("%.1f kB", float64(b)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}

// measureMirrorQuery builds a mirror of the demo project (in-process
// server, `rq --demo --records N mirror DIR`) and runs the headline query
// and an aggregate on it with GOMAXPROCS=1.
func measureMirrorQuery(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	n := cfg.rssRecords
	m := filepath.Join(dir, "mirror")
	defer os.RemoveAll(m)
	const group = "mirror (offline queries, issue 17)"
	u, err := runMeasured(ctx, nil, bin, "-q", "--demo", "--records", strconv.Itoa(n), "mirror", m)
	if err != nil {
		return err
	}
	t.add(figure{group: group, name: fmt.Sprintf("first sync of a mirror, %s records", count(n)), value: usageText(u),
		how: "`rq --demo --records N mirror DIR` (the demo server in the same process)"})
	for _, q := range []struct{ name, src, target string }{
		{"headline query", headlineQuery, "< 1 s on one core"},
		{"whole-project aggregate", aggregateQuery, ""},
	} {
		out := filepath.Join(dir, "mirror-out.csv")
		u, err := runMeasured(ctx, []string{"GOMAXPROCS=1"}, bin, "-q", "--mirror", m, "-c", q.src, "--format", "csv", "-o", out)
		if err != nil {
			return err
		}
		lines, err := countLines(out)
		os.Remove(out)
		if err != nil {
			return err
		}
		f := figure{group: group, name: fmt.Sprintf("%s on the mirror, %s records, one core", q.name, count(n)),
			value: fmt.Sprintf("%s; %s rows", usageText(u), count(lines-1)),
			how:   "`GOMAXPROCS=1 rq --mirror DIR -q -c \"" + q.src + "\" --format csv -o FILE`, process start to exit; the target is checked on CPU time (user+sys), steadier than wall time on a shared machine"}
		if q.target != "" {
			f.target, f.met = q.target, check(u.cpu.Seconds() < 1)
		}
		t.add(f)
	}
	return nil
}

// measureParquetOutput exports the project to CSV and to Parquet from an
// instant `rq serve` and compares the two runs.
func measureParquetOutput(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	n := cfg.rssRecords
	s, err := startServer(ctx, bin, n, nil)
	if err != nil {
		return err
	}
	defer s.stop()
	const group = "Parquet output (issue 17)"
	runs := map[string]usage{}
	for _, format := range []string{"csv", "parquet"} {
		out := filepath.Join(dir, "export."+format)
		u, err := runMeasured(ctx, s.env(), bin, "-q", "export", "records", "--format", format, "-o", out)
		if err != nil {
			return err
		}
		st, err := os.Stat(out)
		os.Remove(out)
		if err != nil {
			return err
		}
		runs[format] = u
		t.add(figure{group: group, name: fmt.Sprintf("`rq export records` to %s, %s records", strings.ToUpper(format), count(n)),
			value: fmt.Sprintf("%s; %s file", usageText(u), megabytes(st.Size())),
			how:   "`rq -q export records --format " + format + " -o FILE` against `rq serve --records N` (instant)"})
	}
	pq, csv := runs["parquet"], runs["csv"]
	wall, cpu := pq.wall.Seconds()/csv.wall.Seconds(), pq.cpu.Seconds()/csv.cpu.Seconds()
	t.add(figure{group: group, name: "Parquet / CSV, wall and CPU", value: fmt.Sprintf("%.2f× wall, %.2f× CPU", wall, cpu),
		target: "≤ 1.5×", met: check(wall <= 1.5),
		how: "ratios of the two runs above, taken back to back in the same run"})
	t.add(figure{group: group, name: fmt.Sprintf("peak RSS of Parquet output, %s records", count(n)),
		value: fmt.Sprintf("%.0f MB", float64(pq.maxRSS)/1e6), target: "≤ 150 MB", met: check(pq.maxRSS <= 150e6),
		how: "Maxrss of the Parquet run above"})
	return nil
}

// measureIncrementalSync mirrors a project from `rq serve`, changes 1% of
// its records through the API, syncs again and compares the record bytes
// the two syncs read (state.json's last_sync.bytes).
func measureIncrementalSync(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	n := cfg.incRecords()
	s, err := startServer(ctx, bin, n, nil)
	if err != nil {
		return err
	}
	defer s.stop()
	m := filepath.Join(dir, "incmirror")
	defer os.RemoveAll(m)
	if _, err := runMeasured(ctx, s.env(), bin, "-q", "mirror", m); err != nil {
		return err
	}
	full, err := mirror.ReadState(m)
	if err != nil {
		return err
	}
	c, err := client.New(s.url, s.token)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("record_id,redcap_event_name,notes\n")
	changed := 0
	for r := 1; r <= n; r += 100 { // 1%
		fmt.Fprintf(&b, "%d,enrollment_arm_%d,changed for rqbench\n", r, 1+r%2)
		changed++
	}
	if _, err := c.ImportRecords(ctx, client.ImportRecordsParams{Data: []byte(b.String())}); err != nil {
		return fmt.Errorf("importing the changes: %w", err)
	}
	u, err := runMeasured(ctx, s.env(), bin, "-q", "mirror", m)
	if err != nil {
		return err
	}
	inc, err := mirror.ReadState(m)
	if err != nil {
		return err
	}
	if inc.Last.Kind != "incremental" || inc.Last.Changed < changed {
		return fmt.Errorf("second sync: %s, %d changed records, want incremental with at least %d", inc.Last.Kind, inc.Last.Changed, changed)
	}
	share := 100 * float64(inc.Last.Bytes) / float64(full.Last.Bytes)
	t.add(figure{group: "mirror (offline queries, issue 17)", name: fmt.Sprintf("incremental sync after changing 1%% of %s records", count(n)),
		value: fmt.Sprintf("%.2f%% of the full export's bytes (%s of %s, %d records fetched); %s", share,
			megabytes(inc.Last.Bytes), megabytes(full.Last.Bytes), inc.Last.Changed, usageText(u)),
		target: "≤ 5%", met: check(share <= 5),
		how: "`rq mirror DIR` against `rq serve --records N`, 1% of the records changed by an API import, `rq mirror DIR` again: record bytes read by each sync (state.json last_sync.bytes)"})
	return nil
}
