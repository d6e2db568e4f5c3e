package main

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// demoServer starts the emulator in-process with one demo project and
// returns a client of it with no rate cap (the cap protects real REDCap
// servers; over loopback it would measure the cap, not rq).
func demoServer(records int, opts redcaptest.Options) (*redcaptest.Server, *client.Client, error) {
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1})
	srv, err := redcaptest.Start("127.0.0.1:0", opts, proj)
	if err != nil {
		return nil, nil, err
	}
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0), client.WithTimeout(0))
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return srv, c, nil
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// exportResult is one whole-project export read through the client.
type exportResult struct {
	rows  int
	bytes int64
	wall  time.Duration
	cpu   time.Duration
}

// exportAll reads the whole project through client.ExportRecordsStream.
func exportAll(ctx context.Context, c *client.Client, format string) (exportResult, error) {
	cpu0, t0 := cpuTime(), time.Now()
	rs, err := c.ExportRecordsStream(ctx, client.ExportRecordsParams{Format: format})
	if err != nil {
		return exportResult{}, err
	}
	var r exportResult
	cells := 0
	for rs.Next() {
		r.rows++
		cells += len(rs.Row())
	}
	if err := rs.Err(); err != nil {
		rs.Close()
		return r, err
	}
	if err := rs.Close(); err != nil {
		return r, err
	}
	r.wall, r.cpu, r.bytes = time.Since(t0), cpuTime()-cpu0, rs.BytesRead()
	if cells != r.rows*len(rs.Columns()) {
		return r, fmt.Errorf("%s export: %d cells in %d rows of %d columns", format, cells, r.rows, len(rs.Columns()))
	}
	return r, nil
}

// measureExports adds the export throughput figures: the whole demo project
// at each size, CSV and JSON, server and client in this process.
func measureExports(ctx context.Context, cfg *config, t *table) error {
	for _, n := range cfg.records {
		srv, c, err := demoServer(n, redcaptest.Options{})
		if err != nil {
			return err
		}
		rowsBy := map[string]int{}
		for _, format := range []string{"csv", "json"} {
			r, err := exportAll(ctx, c, format)
			if err != nil {
				srv.Close()
				return fmt.Errorf("%d records, %s: %w", n, format, err)
			}
			rowsBy[format] = r.rows
			s := r.wall.Seconds()
			t.add(figure{
				group: "export",
				name:  fmt.Sprintf("whole demo project, %s records, %s", count(n), format),
				value: fmt.Sprintf("%s rows/s, %.0f MB/s (%s rows, %.0f MB in %.1f s; %.1f CPU-s)",
					count(int(float64(r.rows)/s)), float64(r.bytes)/1e6/s, count(r.rows), float64(r.bytes)/1e6, s, r.cpu.Seconds()),
				how: "one content=record export (format=" + format + ") read row by row with client.ExportRecordsStream; server and client in this process over loopback; CPU-s is both together",
			})
		}
		srv.Close()
		if rowsBy["csv"] != rowsBy["json"] {
			return fmt.Errorf("%d records: CSV has %d rows, JSON %d", n, rowsBy["csv"], rowsBy["json"])
		}
	}
	return nil
}

// count prints 1234567 as 1.23M, 12345 as 12.3k.
func count(n int) string {
	switch {
	case n >= 1_000_000:
		return trimZero(fmt.Sprintf("%.2f", float64(n)/1e6)) + "M"
	case n >= 10_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e3)) + "k"
	default:
		return fmt.Sprint(n)
	}
}

func trimZero(s string) string {
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
