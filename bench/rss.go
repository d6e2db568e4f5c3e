package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/repl/render"
)

// childFlag starts the hidden pipeline mode: the CLI's pipeline for
// `select * from records` to a CSV file, in a process of its own so that
// its peak RSS can be read.
const childFlag = "__pipeline"

// spawnFlag starts the hidden spawner mode: run the rest of the command
// line as a child and print its peak RSS.
//
// Why a spawner: Linux starts a process's Maxrss at the RSS high-water mark
// of the memory it had when it called exec, and a child made by os/exec
// shares its parent's memory until then (vfork). A child of the benchmark,
// whose own RSS has grown by exporting a million records, would report at
// least the benchmark's peak. The spawner is a fresh small process, so its
// child's Maxrss is the child's own (floor: the spawner's few MB).
const spawnFlag = "__spawn"

// runSpawn is the spawner mode; it returns the exit code.
func runSpawn(argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "bench spawn: no command")
		return 2
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "bench spawn:", err)
		return 1
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "bench spawn: no rusage")
		return 1
	}
	fmt.Printf("maxrss_kb %d\nutime_us %d\nstime_us %d\n", ru.Maxrss, ru.Utime.Nano()/1e3, ru.Stime.Nano()/1e3)
	return cmd.ProcessState.ExitCode()
}

// rssRun is one child process run to the end.
type rssRun struct {
	records int
	maxRSS  int64 // bytes
	wall    time.Duration
	cpu     time.Duration
	bytes   int64 // size of the CSV written
	lines   int
}

// measureRSS adds the peak-memory figures of the whole-project CSV query.
func measureRSS(ctx context.Context, cfg *config, t *table) error {
	dir, err := os.MkdirTemp("", "rq-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var argv func(n int, out string) []string
	var what string
	switch cfg.rssVia {
	case "cli":
		bin := filepath.Join(dir, "rq")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rq")
		build.Dir, build.Stderr = repoRoot(), os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/rq: %w", err)
		}
		argv = func(n int, out string) []string {
			return []string{bin, "--demo", "--records", fmt.Sprint(n), "-q", "-c", "select * from records", "--format", "csv", "-o", out}
		}
		what = "`rq --demo --records N -q -c \"select * from records\" --format csv -o FILE` (built with go build -o into a temp dir)"
	case "pipeline":
		self, err := os.Executable()
		if err != nil {
			return err
		}
		argv = func(n int, out string) []string {
			return []string{self, childFlag, "-records", fmt.Sprint(n), "-o", out}
		}
		what = "the CLI's pipeline (demo server, rq.Project.Query, the CSV renderer) in a child of this program, client rate cap off"
	}
	var runs []rssRun
	for _, n := range cfg.rssRecords {
		out := filepath.Join(dir, fmt.Sprintf("out-%d.csv", n))
		r, err := runChildRSS(ctx, argv(n, out), out)
		if err != nil {
			return fmt.Errorf("%d records: %w", n, err)
		}
		r.records = n
		runs = append(runs, r)
		os.Remove(out)
		t.add(figure{
			group: "memory",
			name:  fmt.Sprintf("peak RSS, whole project to CSV, %s records", count(n)),
			value: fmt.Sprintf("%.1f MB (%s, %.1f CPU-s, %.0f MB of CSV, %s lines)", float64(r.maxRSS)/1e6, sec(r.wall), r.cpu.Seconds(), float64(r.bytes)/1e6, count(r.lines)),
			how:   what + ", run as a child of a small spawner process (this program's hidden mode); Maxrss of the child's syscall.Rusage after Wait",
		})
	}
	if len(runs) >= 2 {
		small, big := runs[0], runs[len(runs)-1]
		mb := float64(big.maxRSS) / 1e6
		ratio := float64(big.maxRSS) / float64(small.maxRSS)
		target, ok := "≤ 1.2× the smaller size", ratio <= 1.2
		if big.records == 1_000_000 {
			target, ok = "≤ 150 MB and ≤ 1.2× the 100k figure", ratio <= 1.2 && mb <= 150
		}
		t.add(figure{
			group:  "memory",
			name:   fmt.Sprintf("peak RSS, %s vs %s records", count(big.records), count(small.records)),
			value:  fmt.Sprintf("%.1f MB, %.2f×", mb, ratio),
			target: target,
			met:    check(ok),
			how:    "ratio of the two figures above: streaming keeps memory flat whatever the size",
		})
	}
	return nil
}

// runChildRSS runs argv to the end through the spawner and returns its
// peak RSS.
func runChildRSS(ctx context.Context, argv []string, out string) (rssRun, error) {
	self, err := os.Executable()
	if err != nil {
		return rssRun{}, err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{spawnFlag}, argv...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	stdout, err := cmd.Output()
	r := rssRun{wall: time.Since(t0)}
	if err != nil {
		return r, fmt.Errorf("%s: %w: %s", filepath.Base(argv[0]), err, strings.TrimSpace(stderr.String()))
	}
	var kb, ut, st int64
	if _, err := fmt.Sscanf(string(stdout), "maxrss_kb %d\nutime_us %d\nstime_us %d\n", &kb, &ut, &st); err != nil {
		return r, fmt.Errorf("spawner output %q: %v", stdout, err)
	}
	r.maxRSS = kb * 1024 // kilobytes on Linux
	r.cpu = time.Duration(ut+st) * time.Microsecond
	f, err := os.Open(out)
	if err != nil {
		return r, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		r.lines++
		r.bytes += int64(len(sc.Bytes())) + 1
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	if r.lines < 2 {
		return r, fmt.Errorf("%s has %d lines", out, r.lines)
	}
	return r, nil
}

// repoRoot is the module's directory (bench runs from within it).
func repoRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// runChild is the hidden pipeline mode.
func runChild(args []string) error {
	fs := flag.NewFlagSet(childFlag, flag.ContinueOnError)
	n := fs.Int("records", 1000, "demo records")
	out := fs.String("o", "", "CSV file")
	cpu := fs.String("cpuprofile", "", "write a CPU profile of the whole run here")
	heap := fs.String("heapprofile", "", "write a heap profile here each time the live heap reaches a new peak (for finding what grows)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *heap != "" {
		stop := profilePeaks(*heap)
		defer stop()
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	srv, c, err := demoServer(*n, redcaptest.Options{})
	if err != nil {
		return err
	}
	defer srv.Close()
	p, err := rq.OpenClient(c)
	if err != nil {
		return err
	}
	rows, err := p.Query(context.Background(), "select * from records", nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := render.Write(f, render.CSV, rows, render.Options{}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profilePeaks samples the live heap every 50 ms and writes a heap profile
// to path whenever it has grown by a quarter over the last one written.
func profilePeaks(path string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var last uint64
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			if live < last+last/4 || live < 8<<20 {
				continue
			}
			last = live
			runtime.GC()
			if f, err := os.Create(path); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
				fmt.Fprintf(os.Stderr, "heap profile at %.0f MB live\n", float64(live)/1e6)
			}
		}
	}()
	return func() { close(done); <-finished }
}
