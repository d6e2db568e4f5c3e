package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// config is the parsed command line.
type config struct {
	short      bool
	records    []int  // project sizes of the export figures
	rssRecords []int  // project sizes of the peak-RSS figures (smaller first)
	queryAt    []int  // project sizes of the query-time figures
	latencyN   int    // records of the latency project
	conc       []int  // concurrency levels under latency
	rssVia     string // "cli" or "pipeline"
	out        string
	cpuprofile string
	memprofile string
	gobench    bool
	benchtime  string
	serverRecs int             // records of the server export Go benchmark
	only       map[string]bool // parts to run; empty: all
}

// runs reports whether the part is to be measured.
func (c *config) runs(part string) bool { return len(c.only) == 0 || c.only[part] }

func main() {
	if len(os.Args) > 1 && os.Args[1] == spawnFlag {
		os.Exit(runSpawn(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == childFlag {
		if err := runChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	short := fs.Bool("short", false, "small sizes and one latency pair: seconds, for CI")
	records := fs.String("records", "", "comma-separated project sizes of the export throughput figures (default 10000,100000,1000000; -short 2000)")
	out := fs.String("out", "", "also write the table (markdown) to this file")
	rssVia := fs.String("rss", "cli", "peak RSS of: cli (the rq binary, built here) or pipeline (the same pipeline in a child of this program)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the in-process measurements to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile of the in-process measurements to this file")
	noGo := fs.Bool("nogobench", false, "skip the Go benchmarks of the packages")
	only := fs.String("only", "", "run only these parts (comma-separated: export, query, latency, rss, gobench), e.g. to profile one")
	queryAt := fs.String("query-records", "", "comma-separated project sizes of the query-time figures (default 10000,1000000; -short 500,4000)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := &config{
		short: *short, out: *out, rssVia: *rssVia, cpuprofile: *cpuprofile,
		memprofile: *memprofile, gobench: !*noGo,
	}
	if cfg.rssVia != "cli" && cfg.rssVia != "pipeline" {
		return nil, fmt.Errorf("-rss %q: want cli or pipeline", cfg.rssVia)
	}
	if cfg.short {
		cfg.records = []int{2000}
		cfg.rssRecords = []int{1000, 4000}
		cfg.queryAt = []int{500, 4000}
		cfg.latencyN = 800
		cfg.conc = []int{1, 4}
		cfg.benchtime = "1x"
		cfg.serverRecs = 2000
	} else {
		cfg.records = []int{10_000, 100_000, 1_000_000}
		cfg.rssRecords = []int{100_000, 1_000_000}
		cfg.queryAt = []int{10_000, 1_000_000}
		cfg.latencyN = 4000
		cfg.conc = []int{1, 2, 4, 8}
		cfg.benchtime = ""
		cfg.serverRecs = 1_000_000
	}
	if *queryAt != "" {
		var err error
		if cfg.queryAt, err = parseInts(*queryAt); err != nil {
			return nil, fmt.Errorf("-query-records: %w", err)
		}
	}
	cfg.only = map[string]bool{}
	for _, part := range strings.Split(*only, ",") {
		switch part = strings.TrimSpace(part); part {
		case "":
		case "export", "query", "latency", "rss", "gobench":
			cfg.only[part] = true
		default:
			return nil, fmt.Errorf("-only %q: want export, query, latency, rss or gobench", part)
		}
	}
	if *records != "" {
		var err error
		if cfg.records, err = parseInts(*records); err != nil {
			return nil, fmt.Errorf("-records: %w", err)
		}
	}
	return cfg, nil
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
	fmt.Fprintf(os.Stderr, "bench: %s\n", m.oneLine())

	if cfg.cpuprofile != "" {
		f, err := os.Create(cfg.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	steps := []struct {
		part, name string
		fn         func() error
	}{
		{"export", "export throughput", func() error { return measureExports(ctx, cfg, t) }},
		{"query", "query times", func() error { return measureQueries(ctx, cfg, t) }},
		{"latency", "latency and concurrency", func() error { return measureLatency(ctx, cfg, t) }},
	}
	var errs []error
	for _, s := range steps {
		if !cfg.runs(s.part) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s…\n", s.name)
		if err := s.fn(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", s.name, err)
		}
	}
	if cfg.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if cfg.memprofile != "" {
		if err := writeHeapProfile(cfg.memprofile); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.runs("rss") {
		fmt.Fprintln(os.Stderr, "bench: peak RSS…")
		if err := measureRSS(ctx, cfg, t); err != nil {
			errs = append(errs, fmt.Errorf("peak RSS: %w", err))
			fmt.Fprintf(os.Stderr, "bench: peak RSS: %v\n", err)
		}
	}
	if cfg.gobench && cfg.runs("gobench") {
		fmt.Fprintln(os.Stderr, "bench: Go benchmarks…")
		if err := measureGoBenchmarks(ctx, cfg, t); err != nil {
			errs = append(errs, fmt.Errorf("Go benchmarks: %w", err))
			fmt.Fprintf(os.Stderr, "bench: Go benchmarks: %v\n", err)
		}
	}
	m.loadEnd = loadAverage()
	m.elapsed = time.Since(start)

	var w io.Writer = os.Stdout
	var f *os.File
	if cfg.out != "" {
		var err error
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

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
