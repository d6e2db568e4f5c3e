package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is the parsed command line.
type config struct {
	short       bool
	records     []int // project sizes of the CLI figures
	concRecords int   // records of the concurrency figures
	rssRecords  int   // records of the export-records RSS figure
	out         string
	gobench     bool
	benchtime   string
	serverRecs  int             // records of the server export Go benchmark
	only        map[string]bool // parts to run; empty: all
}

// parts are the measurements, in the order they run.
var parts = []string{"cli", "concurrency", "rss", "mirror", "gobench"}

// runs reports whether the part is to be measured.
func (c *config) runs(part string) bool { return len(c.only) == 0 || c.only[part] }

func main() {
	if len(os.Args) > 1 && os.Args[1] == spawnFlag {
		os.Exit(runSpawn(os.Args[2:]))
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "rqbench:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "rqbench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("rqbench", flag.ContinueOnError)
	short := fs.Bool("short", false, "small sizes and single benchmark iterations: well under a minute, for CI")
	records := fs.String("records", "", "comma-separated project sizes of the CLI figures (default 20000,200000; -short 2000)")
	conc := fs.Int("conc-records", 0, "records of the concurrency figures (default 20000; -short 1000)")
	rss := fs.Int("rss-records", 0, "records of the `rq export records` peak-RSS figure (default 1000000; -short 2000)")
	out := fs.String("out", "", "also write the table (markdown) to this file")
	noGo := fs.Bool("nogobench", false, "skip the Go benchmarks of the packages")
	only := fs.String("only", "", "run only these parts (comma-separated: "+strings.Join(parts, ", ")+")")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := &config{short: *short, out: *out, gobench: !*noGo}
	if cfg.short {
		cfg.records, cfg.concRecords, cfg.rssRecords = []int{2000}, 1000, 2000
		cfg.benchtime, cfg.serverRecs = "1x", 2000
	} else {
		cfg.records, cfg.concRecords, cfg.rssRecords = []int{20_000, 200_000}, 20_000, 1_000_000
		cfg.serverRecs = 1_000_000
	}
	var err error
	if *records != "" {
		if cfg.records, err = parseInts(*records); err != nil {
			return nil, fmt.Errorf("-records: %w", err)
		}
	}
	for _, f := range []struct {
		name string
		v    int
		dst  *int
	}{{"-conc-records", *conc, &cfg.concRecords}, {"-rss-records", *rss, &cfg.rssRecords}} {
		if f.v == 0 {
			continue
		}
		if f.v < 10 || f.v > 1_000_000 {
			return nil, fmt.Errorf("%s %d: want a record count from 10 to 1000000", f.name, f.v)
		}
		*f.dst = f.v
	}
	cfg.only = map[string]bool{}
	for _, part := range strings.Split(*only, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !contains(parts, part) {
			return nil, fmt.Errorf("-only %q: want %s", part, strings.Join(parts, ", "))
		}
		cfg.only[part] = true
	}
	return cfg, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func parseInts(s string) ([]int, error) {
	var ns []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(f), "_", ""))
		if err != nil || n < 10 || n > 1_000_000 {
			return nil, fmt.Errorf("%q: want record counts from 10 to 1000000", f)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// run measures everything and prints the table.
func run(cfg *config) error {
	ctx := context.Background()
	start := time.Now()
	m := machine()
	m.short = cfg.short
	t := &table{}
	fmt.Fprintf(os.Stderr, "rqbench: %s\n", m.oneLine())
	dir, err := os.MkdirTemp("", "rqbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := buildRQ(ctx, dir)
	if err != nil {
		return err
	}
	steps := []struct {
		part, name string
		fn         func() error
	}{
		{"cli", "the CLI against the instant and the REDCap-like server", func() error { return measureCLI(ctx, cfg, bin, dir, t) }},
		{"concurrency", "concurrency on the REDCap-like server", func() error { return measureConcurrency(ctx, cfg, bin, dir, t) }},
		{"rss", "peak RSS of export records", func() error { return measureExportRSS(ctx, cfg, bin, dir, t) }},
		{"mirror", "mirror queries, Parquet output, incremental sync", func() error { return measureMirror(ctx, cfg, bin, dir, t) }},
		{"gobench", "Go benchmarks", func() error {
			if !cfg.gobench {
				return nil
			}
			return measureGoBenchmarks(ctx, cfg, t)
		}},
	}
	var errs []error
	for _, s := range steps {
		if !cfg.runs(s.part) {
			continue
		}
		fmt.Fprintf(os.Stderr, "rqbench: %s…\n", s.name)
		if err := s.fn(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
			fmt.Fprintf(os.Stderr, "rqbench: %s: %v\n", s.name, err)
		}
	}
	m.loadEnd = loadAverage()
	m.elapsed = time.Since(start)

	var w io.Writer = os.Stdout
	var f *os.File
	if cfg.out != "" {
		if f, err = os.Create(cfg.out); err != nil {
			return err
		}
		w = io.MultiWriter(os.Stdout, f)
	}
	t.write(w, m)
	if f != nil {
		if err := f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
