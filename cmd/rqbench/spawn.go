package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// spawnFlag starts the hidden spawner mode: run the rest of the command
// line as a child and print its peak RSS and CPU time.
//
// Why a spawner: Linux starts a process's Maxrss at the RSS high-water mark
// of the memory it had when it called exec, and a child made by os/exec
// shares its parent's memory until then (vfork). A child of the benchmark,
// whose own RSS may have grown, would report at least the benchmark's peak.
// The spawner is a fresh small process, so its child's Maxrss is the
// child's own (floor: the spawner's few MB).
const spawnFlag = "__spawn"

// runSpawn is the spawner mode; it returns the exit code.
func runSpawn(argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "rqbench spawn: no command")
		return 2
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.Env = os.Environ()
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "rqbench spawn:", err)
		return 1
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "rqbench spawn: no rusage")
		return 1
	}
	fmt.Printf("maxrss_kb %d\nutime_us %d\nstime_us %d\n", ru.Maxrss, ru.Utime.Nano()/1e3, ru.Stime.Nano()/1e3)
	return cmd.ProcessState.ExitCode()
}

// usage is what one run of the rq binary cost.
type usage struct {
	wall   time.Duration
	cpu    time.Duration // user + system of the rq process alone
	maxRSS int64         // bytes
	load   string        // 1-minute load average when the run ended
}

// runMeasured runs argv (the rq binary and its arguments) with env added,
// through the spawner, and returns what it cost. A non-zero exit is an
// error carrying its stderr.
func runMeasured(ctx context.Context, env []string, argv ...string) (usage, error) {
	self, err := os.Executable()
	if err != nil {
		return usage{}, err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{spawnFlag}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	stdout, err := cmd.Output()
	u := usage{wall: time.Since(t0), load: load1()}
	if err != nil {
		return u, fmt.Errorf("%s %s: %w: %s", filepath.Base(argv[0]), strings.Join(argv[1:], " "), err, strings.TrimSpace(stderr.String()))
	}
	var kb, ut, st int64
	if _, err := fmt.Sscanf(string(stdout), "maxrss_kb %d\nutime_us %d\nstime_us %d\n", &kb, &ut, &st); err != nil {
		return u, fmt.Errorf("spawner output %q: %v", stdout, err)
	}
	u.maxRSS = kb * 1024 // kilobytes on Linux
	u.cpu = time.Duration(ut+st) * time.Microsecond
	return u, nil
}

// repoRoot is the module's directory (rqbench runs from within it).
func repoRoot() string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "."
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// buildRQ builds cmd/rq into dir, as a user would install it.
func buildRQ(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "rq")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/rq")
	build.Dir, build.Stderr = repoRoot(), os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/rq: %w", err)
	}
	return bin, nil
}

// count prints a record or row count briefly: 7623, 10k, 379.4k, 1M.
func count(n int) string {
	switch {
	case n >= 1_000_000:
		return trimZero(fmt.Sprintf("%.2f", float64(n)/1e6)) + "M"
	case n >= 10_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e3)) + "k"
	}
	return fmt.Sprint(n)
}

func trimZero(s string) string {
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func sec(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
