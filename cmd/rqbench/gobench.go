package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// goBench is one figure taken from a package's Go benchmark.
type goBench struct {
	bench  string // benchmark name as printed, without the -N suffix
	metric string // unit read from the output: ns/op, MB/s, rows/s
	name   string // what it measures, for the table
	target string
	ok     func(v float64) bool // nil: no target
	format func(v float64) string
}

// goBenchRun is one `go test -bench` invocation of a package.
type goBenchRun struct {
	pkg, pattern string
	long         bool     // skipped by -short: its test binary takes long to build
	cpu1         bool     // -cpu 1: the targets are per core
	env          []string // extra environment
	benchtime    string   // overrides the mode's benchtime
	figures      []goBench
}

func micro(v float64) string               { return fmt.Sprintf("%.1f µs", v/1e3) }
func mbps(v float64) string                { return fmt.Sprintf("%.0f MB/s", v) }
func perSec(v float64) string              { return count(int(v)) + " rows/s" }
func atMost(x float64) func(float64) bool  { return func(v float64) bool { return v <= x } }
func atLeast(x float64) func(float64) bool { return func(v float64) bool { return v >= x } }

// goBenchRuns lists the Go benchmarks whose targets the issues set.
func goBenchRuns(cfg *config) []goBenchRun {
	return []goBenchRun{
		{pkg: "./lang", pattern: "^BenchmarkParseHeadline$", cpu1: true, figures: []goBench{
			{bench: "BenchmarkParseHeadline", metric: "ns/op", name: "parse the headline query (participle)", format: micro},
		}},
		{pkg: "./planner", pattern: "^(BenchmarkPlanHeadline|BenchmarkParsePlanHeadline|BenchmarkResidual|BenchmarkResidualExpr)$", cpu1: true, figures: []goBench{
			{bench: "BenchmarkPlanHeadline", metric: "ns/op", name: "plan the headline query", target: "≤ 50 µs", ok: atMost(50e3), format: micro},
			{bench: "BenchmarkParsePlanHeadline", metric: "ns/op", name: "parse and plan the headline query", target: "≤ 100 µs", ok: atMost(100e3), format: micro},
			{bench: "BenchmarkResidual", metric: "rows/s", name: "residual `score > 5 and age between 18 and 65` over typed rows, one core", target: "≥ 5M rows/s", ok: atLeast(5e6), format: perSec},
			{bench: "BenchmarkResidualExpr", metric: "rows/s", name: "residual through expr programs (functions, arithmetic), one core", format: perSec},
		}},
		{pkg: "./client", pattern: "^BenchmarkDecodeRecords(CSV|JSON)$", cpu1: true, long: true, figures: []goBench{
			{bench: "BenchmarkDecodeRecordsCSV", metric: "MB/s", name: "client decode, CSV records, one core", target: "≥ 150 MB/s", ok: atLeast(150), format: mbps},
			{bench: "BenchmarkDecodeRecordsJSON", metric: "MB/s", name: "client decode, JSON records, one core", target: "≥ 100 MB/s", ok: atLeast(100), format: mbps},
		}},
		{pkg: "./client/redcaptest", pattern: "^BenchmarkExportDemo$/^csv$", benchtime: "1x", long: true,
			env: []string{"RQ_BENCH_RECORDS=" + strconv.Itoa(cfg.serverRecs)}, figures: []goBench{
				{bench: "BenchmarkExportDemo/csv", metric: "MB/s", name: fmt.Sprintf("server export, %s-record demo, CSV, body discarded", count(cfg.serverRecs)), target: "≥ 50 MB/s", ok: atLeast(50), format: mbps},
			}},
	}
}

// measureGoBenchmarks runs the packages' Go benchmarks with go test and
// adds the figures they report.
func measureGoBenchmarks(ctx context.Context, cfg *config, t *table) error {
	for _, r := range goBenchRuns(cfg) {
		if r.long && cfg.short {
			continue // -short stays well under a minute; the full run has them
		}
		bt := cfg.benchtime
		if cfg.short && r.cpu1 {
			// microsecond benchmarks: one cold iteration would report the
			// first call's start-up, not the steady figure
			bt = "200ms"
		}
		if r.benchtime != "" {
			bt = r.benchtime
		}
		args := []string{"test", "-run", "^$", "-bench", r.pattern, "-count", "1"}
		if bt != "" {
			args = append(args, "-benchtime", bt)
		}
		if r.cpu1 {
			args = append(args, "-cpu", "1")
		}
		args = append(args, r.pkg)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = repoRoot()
		cmd.Env = append(os.Environ(), r.env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("go %s: %w\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		results := parseBench(string(out))
		line := "go " + strings.Join(args, " ")
		if len(r.env) > 0 {
			line = strings.Join(r.env, " ") + " " + line
		}
		for _, f := range r.figures {
			v, ok := results[f.bench][f.metric]
			if !ok {
				return fmt.Errorf("%s: no %s figure for %s in:\n%s", line, f.metric, f.bench, out)
			}
			fig := figure{group: "Go benchmarks", name: f.name, value: f.format(v), target: f.target,
				how: "`" + line + "`: " + f.bench + " " + f.metric}
			if f.ok != nil {
				fig.met = check(f.ok(v))
			}
			t.add(fig)
		}
	}
	return nil
}

// parseBench reads `go test -bench` output: benchmark name (the -GOMAXPROCS
// suffix removed) → unit → value.
func parseBench(out string) map[string]map[string]float64 {
	res := map[string]map[string]float64{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 { // f[1] is the iteration count
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			m[f[i+1]] = v
		}
		res[name] = m
	}
	return res
}
