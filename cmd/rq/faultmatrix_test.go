package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// The CLI fault matrix runs every export, query and import command, in
// every output and wire format, against a server meeting one kind of
// fault at a time, over several seeds; every run must print exactly what
// a fault-free run prints, or fail loudly (a non-zero exit code and no
// -o file). The test reports its counts. CI runs 2 seeds; the long form:
//
//	go test ./cmd/rq -run CLIFaultMatrix -args -cli-seeds=8
var cliSeeds = flag.Int("cli-seeds", 2, "CLI fault matrix: seeds per fault kind (long form: 8)")

// fmCommands are the commands of the matrix: every export, query and
// import command, each output and wire format.
var fmCommands = [][]string{
	{"export", "records", "--raw", "csv", "--record", "1,2,3"},
	{"export", "records", "--raw", "json"},
	{"-c", "select * from records", "--format", "csv"},
	{"-c", "select * from records", "--format", "json"},
	{"-c", "select * from records", "--format", "jsonl"},
	{"-c", "select * from records", "--format", "tsv"},
	{"-c", "select record_id, count(*) as n from records group by record_id", "--format", "csv"},
	{"-c", "select record_id, age from records where age > 40", "--format", "table"},
	{"run", "q.rq"},
	{"export", "records", "--format", "csv"},
	{"export", "records", "--format", "json"},
	{"export", "records", "--type", "eav", "--format", "csv"},
	{"export", "records", "--field", "age", "--format", "csv"},
	{"export", "records", "--raw", "csv"},
	{"export", "records", "--raw", "json"},
	{"export", "records", "--raw", "xml"},
	{"export", "records", "--raw", "odm"},
	{"export", "records", "--raw", "csv", "--type", "eav"},
	{"export", "xml"},
	{"export", "metadata"},
	{"export", "fields"},
	{"export", "instruments"},
	{"export", "fem"},
	{"export", "arms"},
	{"export", "events"},
	{"export", "repeating"},
	{"export", "users"},
	{"export", "roles"},
	{"export", "dags"},
	{"export", "project", "--format", "json"},
	{"export", "version"},
	{"export", "records", "--format", "parquet"},
	{"-c", "select * from records", "--format", "parquet", "--labels"},
	{"import", "records", "new.csv"},
}

// fmKind is one kind of fault.
type fmKind struct {
	name   string
	faults redcaptest.Faults // the emulator's own faults
	reset  float64           // share of answers whose connection is cut mid-body
	kill   bool              // the server dies after a seeded number of requests
}

var fmKinds = []fmKind{
	{name: "5xx", faults: redcaptest.Faults{FailRate: 0.3}},
	{name: "cut mid-row", faults: redcaptest.Faults{TruncateRate: 0.5}},
	{name: "cut at row end", faults: redcaptest.Faults{TruncateRate: 0.5, TruncateAtLineEnd: true}},
	{name: "HTML page", faults: redcaptest.Faults{HTMLErrorRate: 0.3}},
	{name: "reset", reset: 0.3},
	{name: "kill", kill: true},
}

// stamps are the parts of an answer that change between runs (the ODM
// export time).
var stamps = regexp.MustCompile(`(AsOf|Creation)DateTime="[^"]*"|_\d{4}-\d\d-\d\d_\d{4}"`)

// fmProxy sits between rq and the emulator: it cuts connections mid-body
// (reset) or stops answering at all after a number of requests (kill).
type fmProxy struct {
	rp       *httputil.ReverseProxy
	mu       sync.Mutex
	rng      *rand.Rand
	reset    float64
	killAt   int64
	requests atomic.Int64
}

func (p *fmProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.requests.Add(1)
	if p.killAt > 0 && n > p.killAt {
		panic(http.ErrAbortHandler) // a dead server: the connection drops
	}
	p.rp.ServeHTTP(w, r)
}

// cutBody fails after a seeded share of the body: the reverse proxy then
// aborts the connection, as a reset does.
type cutBody struct {
	io.ReadCloser
	left int
}

func (b *cutBody) Read(q []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("connection reset by fault matrix")
	}
	if len(q) > b.left {
		q = q[:b.left]
	}
	n, err := b.ReadCloser.Read(q)
	b.left -= n
	return n, err
}

func startFaultServer(t *testing.T, k fmKind, seed int64) (apiURL, token string) {
	t.Helper()
	f := k.faults
	f.Seed = seed
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: f}, redcaptest.Demo(redcaptest.DemoOptions{Records: 60, Seed: 5}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	p := &fmProxy{rp: httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host}),
		rng: rand.New(rand.NewPCG(uint64(seed), 99)), reset: k.reset}
	p.rp.ErrorLog = quietLog
	if k.kill {
		p.killAt = 1 + p.rng.Int64N(6)
	}
	if k.reset > 0 {
		p.rp.ModifyResponse = func(r *http.Response) error {
			p.mu.Lock()
			cut, at := p.rng.Float64() < p.reset, p.rng.Float64()
			p.mu.Unlock()
			if cut && r.StatusCode == 200 && r.ContentLength != 0 {
				size := int(r.ContentLength)
				if size < 0 {
					size = 4096
				}
				r.Body = &cutBody{ReadCloser: r.Body, left: int(at * float64(size))}
			}
			return nil
		}
	}
	ps := httptest.NewServer(p)
	t.Cleanup(ps.Close)
	return ps.URL + u.Path, srv.Token(demoName)
}

// fmRun runs one command in dir with -o out (or stdout for the import's
// report) and returns the exit code and what it wrote.
func fmRun(t *testing.T, dir, apiURL, token string, args []string) (int, string, string) {
	t.Helper()
	out := filepath.Join(dir, "out")
	os.Remove(out)
	full := append([]string{"--url", apiURL, "-q"}, args...)
	if args[0] != "import" {
		full = append(full, "-o", out)
	}
	t.Setenv("REDCAP_API_TOKEN", token)
	var stdout, stderr bytes.Buffer
	wd, _ := os.Getwd()
	os.Chdir(dir)
	code := run(full, strings.NewReader(""), &stdout, &stderr)
	os.Chdir(wd)
	got := stdout.String()
	if args[0] != "import" {
		b, err := os.ReadFile(out)
		if code != 0 && err == nil {
			t.Errorf("%v: exit %d but %s was written", args, code, out)
		}
		got = string(b)
	}
	return code, stamps.ReplaceAllString(got, ""), stderr.String()
}

func TestCLIFaultMatrix(t *testing.T) {
	testRetry = &client.RetryPolicy{MaxAttempts: 4, BaseDelay: 10 * time.Millisecond, MaxDelay: 40 * time.Millisecond}
	defer func() { testRetry = nil }()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "q.rq"), []byte("select record_id, age from records where age > 30;\nselect count(*) from records;\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "new.csv"), []byte("record_id,redcap_event_name,age\n900,enrollment_arm_1,44\n901,enrollment_arm_1,45\n"), 0o600)
	type tally struct{ same, loud, silent int }
	counts := map[string]*tally{}
	var total tally
	for _, args := range fmCommands {
		cleanURL, tok := startFaultServer(t, fmKind{}, 1)
		code, want, stderr := fmRun(t, dir, cleanURL, tok, args)
		if code != 0 || want == "" {
			t.Fatalf("%v fault-free: exit %d, %d bytes\n%s", args, code, len(want), stderr)
		}
		for _, k := range fmKinds {
			tl := counts[k.name]
			if tl == nil {
				tl = &tally{}
				counts[k.name] = tl
			}
			for seed := int64(1); seed <= int64(*cliSeeds); seed++ {
				u, tok := startFaultServer(t, k, seed)
				began := time.Now()
				code, got, stderr := fmRun(t, dir, u, tok, args)
				if d := time.Since(began); d > 2*time.Second {
					t.Logf("%v %s seed %d: %v (exit %d)\n%s", args, k.name, seed, d.Round(time.Millisecond), code, stderr)
				}
				switch {
				case code != 0:
					tl.loud++
					if strings.Contains(stderr, tok) {
						t.Errorf("%v %s seed %d: the token is in stderr", args, k.name, seed)
					}
				case got == want:
					tl.same++
				default:
					tl.silent++
					t.Errorf("%v %s seed %d: SILENTLY WRONG: exit 0 with %d bytes, fault-free %d", args, k.name, seed, len(got), len(want))
				}
			}
		}
	}
	var lines []string
	for _, k := range fmKinds {
		tl := counts[k.name]
		total.same += tl.same
		total.loud += tl.loud
		total.silent += tl.silent
		lines = append(lines, fmt.Sprintf("%-15s identical %3d  loud %3d  silent %d", k.name, tl.same, tl.loud, tl.silent))
	}
	t.Logf("CLI fault matrix: %d commands x %d fault kinds x %d seeds = %d runs: %d identical, %d loud, %d silent\n%s",
		len(fmCommands), len(fmKinds), *cliSeeds, total.same+total.loud+total.silent, total.same, total.loud, total.silent, strings.Join(lines, "\n"))
}

// quietLog drops the reverse proxy's complaints about the cuts it makes.
var quietLog = log.New(io.Discard, "", 0)
