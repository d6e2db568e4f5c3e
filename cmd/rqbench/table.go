package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// figure is one row of the table.
type figure struct {
	group  string // section: export, memory, query, latency, go bench
	name   string // what is measured
	value  string // the figure
	target string // the target, "" when none
	met    string // "yes", "NO" or ""
	how    string // how it was measured
}

// table collects the figures in the order measured.
type table struct{ rows []figure }

func (t *table) add(f figure) {
	t.rows = append(t.rows, f)
	fmt.Fprintf(os.Stderr, "  %s: %s %s\n", f.name, f.value, f.met)
}

// check returns the met column: ok when the target holds.
func check(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// write prints the table as markdown, after a line on the machine.
func (t *table) write(w io.Writer, m *machineInfo) {
	fmt.Fprintf(w, "rq end-to-end benchmark, %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "machine: %s\n", m.oneLine())
	fmt.Fprintf(w, "load average (1/5/15 min) at start: %s, at end: %s; run took %s\n",
		m.loadStart, m.loadEnd, m.elapsed.Round(time.Second))
	if m.short {
		fmt.Fprintln(w, "-short: small sizes and single benchmark iterations, a smoke test of every measurement; its figures are not the targets' measurements")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| figure | measured | target | met | how |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	group := ""
	for _, r := range t.rows {
		name := r.name
		if r.group != group {
			group = r.group
			name = "**" + group + "**: " + name
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", cell(name), cell(r.value), cell(r.target), r.met, cell(r.how))
	}
}

// cell escapes the column separator of a markdown table.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// machineInfo describes where the figures come from.
type machineInfo struct {
	cpus      int
	model     string
	memory    string
	goVersion string
	loadStart string
	loadEnd   string
	elapsed   time.Duration
	short     bool
}

func machine() *machineInfo {
	m := &machineInfo{cpus: runtime.NumCPU(), goVersion: runtime.Version(), loadStart: loadAverage()}
	m.model = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		var n int64
		fmt.Sscanf(kb, "%d", &n)
		m.memory = fmt.Sprintf("%.1f GiB", float64(n)/(1<<20))
	}
	return m
}

func (m *machineInfo) oneLine() string {
	return fmt.Sprintf("%d CPUs (%s), %s RAM, %s %s/%s", m.cpus, m.model, m.memory, m.goVersion, runtime.GOOS, runtime.GOARCH)
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// load1 is the 1-minute load average, printed with each figure: on a
// shared machine it says how much other work stretched that figure.
func load1() string {
	if f := strings.Fields(loadAverage()); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}
