package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client/redcaptest"
)

// headline is the query of the brief.
const headline = "select age, score from records where score > 5 and form = 'baseline'"

// selective selects 10 records spread over a project of n records.
func selective(n int) string {
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = fmt.Sprintf("'%d'", 1+i*(n/10))
	}
	return "select * from records where record in (" + strings.Join(ids, ", ") + ")"
}

// queryResult is one query run to the end.
type queryResult struct {
	rows  int
	wall  time.Duration
	cpu   time.Duration // of the whole process: server and client
	stats rq.Stats
}

// runQuery runs src on p and reads every row.
func runQuery(ctx context.Context, p *rq.Project, src string) (queryResult, error) {
	t0, cpu0 := time.Now(), cpuTime()
	rows, err := p.Query(ctx, src, nil)
	if err != nil {
		return queryResult{}, err
	}
	var r queryResult
	for rows.Next() {
		r.rows++
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return r, err
	}
	if err := rows.Close(); err != nil {
		return r, err
	}
	r.wall, r.cpu = time.Since(t0), cpuTime()-cpu0
	r.stats = rows.Stats()
	return r, nil
}

// measureQueries adds the query-time figures: the headline query and a
// selective one at each size of cfg.queryAt, through rq.OpenClient.
func measureQueries(ctx context.Context, cfg *config, t *table) error {
	type sel struct{ cold, warm time.Duration }
	var sels []sel
	for _, n := range cfg.queryAt {
		srv, c, err := demoServer(n, redcaptest.Options{})
		if err != nil {
			return err
		}
		// Cold: a new Project loads the structure (metadata, events, …) first.
		p, err := rq.OpenClient(c)
		if err != nil {
			srv.Close()
			return err
		}
		t0 := time.Now()
		if _, err := p.Planner(ctx); err != nil {
			srv.Close()
			return err
		}
		structure := time.Since(t0)
		s, err := runQuery(ctx, p, selective(n))
		if err != nil {
			srv.Close()
			return fmt.Errorf("%d records, selective: %w", n, err)
		}
		if s.rows == 0 {
			srv.Close()
			return fmt.Errorf("%d records, selective: no rows", n)
		}
		cold := structure + s.wall
		// Warm: the structure is cached; best of 3.
		warm := s.wall
		for range 3 {
			s2, err := runQuery(ctx, p, selective(n))
			if err != nil {
				srv.Close()
				return err
			}
			warm = min(warm, s2.wall)
		}
		sels = append(sels, sel{cold, warm})
		t.add(figure{
			group: "query",
			name:  fmt.Sprintf("selective (record in 10 ids), %s records", count(n)),
			value: fmt.Sprintf("%s (cold, structure load %s included); %s warm; %d rows, %d call(s)",
				ms(cold), ms(structure), ms(warm), s.rows, s.stats.Fetch.Calls),
			how: "rq.OpenClient + Project.Query, all rows read; cold = first query of a new Project; warm = best of 3 with the structure cached",
		})

		h, err := runQuery(ctx, p, headline)
		if err != nil {
			srv.Close()
			return fmt.Errorf("%d records, headline: %w", n, err)
		}
		srv.Close()
		if h.rows == 0 {
			return fmt.Errorf("%d records, headline: no rows", n)
		}
		f := h.stats.Fetch
		t.add(figure{
			group: "query",
			name:  fmt.Sprintf("headline, %s records", count(n)),
			value: fmt.Sprintf("%s (%.1f CPU-s, server and client); %s rows out of %s fetched, %d calls, %.0f MB; server wait %s, body read %s (summed over parallel calls), local %s",
				sec(h.wall), h.cpu.Seconds(), count(h.rows), count(f.Rows), f.Calls, float64(f.Bytes)/1e6, sec(f.ServerTime), sec(f.WireTime), sec(h.stats.Run.Local)),
			how: "`" + headline + "` through rq.Project.Query (structure cached), default concurrency 4, all rows read",
		})
	}
	if len(sels) >= 2 {
		a, b := sels[0], sels[len(sels)-1]
		ratio := float64(b.warm) / float64(a.warm)
		t.add(figure{
			group:  "query",
			name:   fmt.Sprintf("selective, %s vs %s records", count(cfg.queryAt[len(cfg.queryAt)-1]), count(cfg.queryAt[0])),
			value:  fmt.Sprintf("warm %.2f× (%s vs %s); cold %s vs %s", ratio, ms(b.warm), ms(a.warm), ms(b.cold), ms(a.cold)),
			target: "no growth beyond the metadata call",
			met:    check(b.warm < a.warm*3/2+20*time.Millisecond),
			how:    "ratio of the warm figures above; met when within 1.5× + 20 ms (noise on a shared machine)",
		})
	}
	return nil
}

func ms(d time.Duration) string  { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
func sec(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
