package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redcapql/rq/client"
)

// serverKind is a server model the CLI is measured against.
type serverKind struct {
	name  string
	flags []string // rq serve flags
}

var (
	instant = serverKind{name: "instant server"}
	// redcapLike is the REDCap-like server of issue 12: 100 ms per call,
	// 5 µs per exported cell, 8 calls served at once (docs/server.md).
	redcapLike = serverKind{name: "REDCap-like server", flags: []string{"--request-cost", "100ms", "--cell-cost", "5us", "--workers", "8"}}
)

// The queries measured: the whole project, and the README's headline.
const (
	fullQuery     = "select * from records"
	headlineQuery = "select age, score from records where score > 5 and form = 'baseline'"
)

// server is a running `rq serve` child.
type server struct {
	cmd        *exec.Cmd
	url, token string
}

// startServer runs `rq serve --records n flags...` and reads its greeting.
func startServer(ctx context.Context, bin string, n int, flags []string) (*server, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--records", strconv.Itoa(n)}, flags...)...)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	var hello struct {
		URL      string
		Projects []struct{ Token string }
	}
	if err != nil || json.Unmarshal([]byte(line), &hello) != nil || len(hello.Projects) == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("rq serve: no greeting (%q, %v)", line, err)
	}
	go io.Copy(io.Discard, out)
	return &server{cmd: cmd, url: hello.URL, token: hello.Projects[0].Token}, nil
}

// stop interrupts the server and waits for it.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// env is the environment that points the rq CLI at the server.
func (s *server) env() []string {
	return []string{"REDCAP_API_URL=" + s.url, "REDCAP_API_TOKEN=" + s.token, "XDG_CONFIG_HOME=" + os.TempDir() + "/rqbench-no-config"}
}

// onePost fetches the whole project with one plain HTTP POST and saves
// the body to path: what a script's single export request costs, and the
// floor of any client on that server. The body goes to a file so that the
// decode floor (decodeFile) can be measured on the same bytes.
func onePost(ctx context.Context, s *server, path string) (time.Duration, int64, error) {
	form := url.Values{"token": {s.token}, "content": {"record"}, "action": {"export"}, "format": {"json"}, "type": {"flat"}, "returnFormat": {"json"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(f, resp.Body)
	wall := time.Since(t0)
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("one POST: HTTP %d, %v", resp.StatusCode, err)
	}
	return wall, n, nil
}

// decodeFile decodes a saved JSON records body with rq's own decoder
// (client.NewRecordStream, the one every export goes through), on one
// goroutine, reading from the page cache: the decode part of the
// "one POST + decode" floor. It returns the time and the rows decoded.
func decodeFile(path string) (time.Duration, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	t0 := time.Now()
	rs, err := client.NewRecordStream(f, "json", "")
	if err != nil {
		return 0, 0, err
	}
	rows := 0
	for rs.Next() {
		rows++
	}
	if err := rs.Err(); err != nil {
		return 0, rows, fmt.Errorf("decoding the POST's body: %w", err)
	}
	return time.Since(t0), rows, nil
}

// cliRun runs the rq CLI with its default settings (plus extra flags) on
// src, writing CSV to a file, and checks that at least minLines rows came.
func cliRun(ctx context.Context, bin, dir string, s *server, src string, minLines int, extra ...string) (usage, int, error) {
	out := filepath.Join(dir, "out.csv")
	defer os.Remove(out)
	args := append([]string{bin}, extra...)
	args = append(args, "-q", "-c", src, "--format", "csv", "-o", out)
	u, err := runMeasured(ctx, s.env(), args...)
	if err != nil {
		return u, 0, err
	}
	lines, err := countLines(out)
	if err != nil {
		return u, 0, err
	}
	if lines-1 < minLines {
		return u, lines, fmt.Errorf("%q wrote %d rows, want at least %d", src, lines-1, minLines)
	}
	return u, lines - 1, nil
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += strings.Count(string(buf[:k]), "\n")
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func usageText(u usage) string {
	return fmt.Sprintf("%s wall, %.2f CPU-s, %.0f MB peak RSS (load %s)", sec(u.wall), u.cpu.Seconds(), float64(u.maxRSS)/1e6, u.load)
}

// measureCLI adds, for each server kind and size, the full export and the
// headline query through the rq binary at its defaults, and the one-POST
// floor with rq's ratio to it.
func measureCLI(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	for _, kind := range []serverKind{instant, redcapLike} {
		for _, n := range cfg.records {
			if err := measureOne(ctx, cfg, bin, dir, kind, n, t); err != nil {
				return fmt.Errorf("%s, %d records: %w", kind.name, n, err)
			}
		}
	}
	return nil
}

func measureOne(ctx context.Context, cfg *config, bin, dir string, kind serverKind, n int, t *table) error {
	s, err := startServer(ctx, bin, n, kind.flags)
	if err != nil {
		return err
	}
	defer s.stop()
	group := kind.name
	if len(kind.flags) > 0 {
		group += " (`rq serve " + strings.Join(kind.flags, " ") + "`)"
	}
	body := filepath.Join(dir, "post.json")
	defer os.Remove(body)
	floor, bytes, err := onePost(ctx, s, body)
	if err != nil {
		return err
	}
	t.add(figure{group: group, name: fmt.Sprintf("one plain POST of the whole project, %s records", count(n)),
		value: fmt.Sprintf("%s, %.0f MB of JSON (load %s)", sec(floor), float64(bytes)/1e6, load1()),
		how:   "one `content=record&format=json&type=flat` POST from the benchmark, body saved to a file: what a script's single export costs, the floor of any client"})
	dec, drows, err := decodeFile(body)
	if err != nil {
		return err
	}
	t.add(figure{group: group, name: fmt.Sprintf("rq's decoder over that body, %s records", count(n)),
		value: fmt.Sprintf("%s, %s rows, %.0f MB/s; POST + decode %s", sec(dec), count(drows), float64(bytes)/1e6/dec.Seconds(), sec(floor+dec)),
		how:   "the saved body through `client.NewRecordStream(f, \"json\", \"\")`, every row read, one goroutine, in the benchmark's process: the decode part of the instant-server target's floor"})

	full, rows, err := cliRun(ctx, bin, dir, s, fullQuery, n)
	if err != nil {
		return err
	}
	ratio := full.wall.Seconds() / floor.Seconds()
	f := figure{group: group, name: fmt.Sprintf("`select *` to CSV, %s records", count(n)),
		value: fmt.Sprintf("%s; %s rows; %.2f× the one POST", usageText(full), count(rows), ratio),
		how:   "`rq -q -c \"select * from records\" --format csv -o FILE`, CLI defaults, as a child process (wall, its CPU and Maxrss)"}
	if len(kind.flags) > 0 {
		f.target = "≥ 3× faster than the one POST"
		f.met = check(floor.Seconds() >= 3*full.wall.Seconds())
		f.value = fmt.Sprintf("%s; %s rows; %.1f× faster than the one POST", usageText(full), count(rows), 1/ratio)
	} else {
		pd := floor + dec
		r2 := full.wall.Seconds() / pd.Seconds()
		f.value = fmt.Sprintf("%s; %s rows; %.2f× (one POST + decode), %.2f× the POST alone", usageText(full), count(rows), r2, ratio)
		f.target = "≤ 2× (one POST + decode)"
		f.met = check(r2 <= 2)
		f.how += "; the ratio is to the POST and rq's decode of its body, measured just before in the same run"
	}
	t.add(f)

	head, hrows, err := cliRun(ctx, bin, dir, s, headlineQuery, 1)
	if err != nil {
		return err
	}
	t.add(figure{group: group, name: fmt.Sprintf("headline query to CSV, %s records", count(n)),
		value: fmt.Sprintf("%s; %s rows; %.2f× the one POST", usageText(head), count(hrows), head.wall.Seconds()/floor.Seconds()),
		how:   "`rq -q -c \"" + headlineQuery + "\" --format csv -o FILE`, CLI defaults"})
	return nil
}

// measureConcurrency adds `select *` at --concurrency 1, 4 and 8 on the
// REDCap-like server.
func measureConcurrency(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	n := cfg.concRecords
	s, err := startServer(ctx, bin, n, redcapLike.flags)
	if err != nil {
		return err
	}
	defer s.stop()
	walls := map[int]time.Duration{}
	var parts []string
	for _, k := range []int{1, 4, 8} {
		u, _, err := cliRun(ctx, bin, dir, s, fullQuery, n, "--concurrency", strconv.Itoa(k))
		if err != nil {
			return fmt.Errorf("--concurrency %d: %w", k, err)
		}
		walls[k] = u.wall
		parts = append(parts, fmt.Sprintf("%d: %s (load %s)", k, sec(u.wall), u.load))
	}
	group := "concurrency on the REDCap-like server"
	t.add(figure{group: group, name: fmt.Sprintf("`select *`, %s records, --concurrency 1, 4, 8", count(n)), value: strings.Join(parts, "; "),
		how: "`rq --concurrency K -q -c \"select * from records\" --format csv -o FILE` against `rq serve " + strings.Join(redcapLike.flags, " ") + "`"})
	sp := walls[1].Seconds() / walls[4].Seconds()
	t.add(figure{group: group, name: "speed-up, concurrency 4 vs 1", value: fmt.Sprintf("%.2f×", sp), target: "≥ 3×", met: check(sp >= 3),
		how: "ratio of the wall times above"})
	return nil
}

// measureExportRSS adds the peak RSS of `rq export records` to CSV.
func measureExportRSS(ctx context.Context, cfg *config, bin, dir string, t *table) error {
	n := cfg.rssRecords
	s, err := startServer(ctx, bin, n, nil)
	if err != nil {
		return err
	}
	defer s.stop()
	out := filepath.Join(dir, "export.csv")
	defer os.Remove(out)
	u, err := runMeasured(ctx, s.env(), bin, "-q", "export", "records", "--format", "csv", "-o", out)
	if err != nil {
		return err
	}
	lines, err := countLines(out)
	if err != nil {
		return err
	}
	if lines-1 < n {
		return fmt.Errorf("export records wrote %d rows for %d records", lines-1, n)
	}
	t.add(figure{group: "memory", name: fmt.Sprintf("`rq export records` to CSV, %s records", count(n)),
		value:  fmt.Sprintf("%s; %s rows", usageText(u), count(lines-1)),
		target: "≤ 150 MB RSS", met: check(u.maxRSS <= 150e6),
		how: "`rq -q export records --format csv -o FILE` against `rq serve --records N` (instant), as a child of a small spawner process: Maxrss of its rusage"})
	return nil
}
