package mirror_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/mirror"
)

// The kill test runs syncs in a child process (this test binary, in
// TestMirrorKillChild) that kills itself with SIGKILL at a chosen point:
// no deferred clean-up, no error path, as when the machine or the user
// kills rq. The points: the start of each API call, a seeded-random byte
// offset of the responses (while parts are being written), and right
// after each step the sync logs (the export read, the log read).
const (
	killEnvDir   = "RQ_MIRROR_KILL_DIR"
	killEnvURL   = "RQ_MIRROR_KILL_URL"
	killEnvToken = "RQ_MIRROR_KILL_TOKEN"
	killEnvAt    = "RQ_MIRROR_KILL_AT" // call:N, bytes:N or log:TEXT
	killEnvFull  = "RQ_MIRROR_KILL_FULL"
)

// TestMirrorKillChild is the child's side; it does nothing in a normal run.
func TestMirrorKillChild(t *testing.T) {
	dir := os.Getenv(killEnvDir)
	if dir == "" {
		t.Skip("the child of TestMirrorSurvivesKills")
	}
	at := os.Getenv(killEnvAt)
	kind, arg, _ := strings.Cut(at, ":")
	n, _ := strconv.ParseInt(arg, 10, 64)
	die := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL); select {} }
	k := &killer{kind: kind, n: n, die: die}
	c, err := client.New(os.Getenv(killEnvURL), os.Getenv(killEnvToken),
		client.WithHTTPClient(&http.Client{Transport: k}), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	opts := mirror.Options{PartRecords: 10, Full: os.Getenv(killEnvFull) == "1"}
	opts.Log = func(msg string) {
		if kind == "log" && strings.HasPrefix(msg, arg) {
			die()
		}
	}
	if _, err := mirror.Sync(context.Background(), c, dir, opts); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("calls %d bytes %d\n", k.calls.Load(), k.read.Load())
}

// killer is the child's transport: it dies at call n, or once n response
// bytes have been read.
type killer struct {
	kind        string
	n           int64
	die         func()
	calls, read atomic.Int64
}

func (k *killer) RoundTrip(r *http.Request) (*http.Response, error) {
	if k.calls.Add(1) == k.n && k.kind == "call" {
		k.die()
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &killBody{ReadCloser: resp.Body, k: k}
	}
	return resp, err
}

type killBody struct {
	io.ReadCloser
	k *killer
}

func (b *killBody) Read(p []byte) (int, error) {
	if b.k.kind == "bytes" {
		if left := b.k.n - b.k.read.Load(); left <= 0 {
			b.k.die()
		} else if int64(len(p)) > left {
			p = p[:left] // stop exactly at the offset
		}
	}
	n, err := b.ReadCloser.Read(p)
	b.k.read.Add(int64(n))
	return n, err
}

// child runs one sync in a child process; killed reports whether it died
// of SIGKILL, out is its stdout (the calls and bytes of a sync that ended).
func (e *env) child(dir, at string, full bool) (killed bool, out string) {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestMirrorKillChild$", "-test.count", "1")
	fullEnv := "0"
	if full {
		fullEnv = "1"
	}
	cmd.Env = append(os.Environ(), killEnvDir+"="+dir, killEnvURL+"="+e.srv.URL, killEnvToken+"="+e.srv.Token("rq demo study"),
		killEnvAt+"="+at, killEnvFull+"="+fullEnv)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true, stdout.String()
		}
	}
	if err != nil {
		e.t.Fatalf("child (%s): %v\n%s", at, err, stdout.String())
	}
	return false, stdout.String()
}

// TestMirrorSurvivesKills kills syncs (incremental and full refresh) at
// every call, at random byte offsets of the responses and after each
// logged step: the previous mirror stays whole, byte for byte in
// state.json, with the previous answers; the next sync completes. A first
// sync killed leaves no mirror (a clear error), and the next one makes it.
func TestMirrorSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("runs many child processes")
	}
	e := newEnv(t, 60)
	seed := time.Now().UnixNano() // random points each run; RQ_KILL_SEED replays a run
	if s, err := strconv.ParseInt(os.Getenv("RQ_KILL_SEED"), 10, 64); err == nil {
		seed = s
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 17))
	t.Logf("RQ_KILL_SEED=%d", seed)

	// a first sync killed half-way: no mirror yet, then a whole one
	if killed, out := e.child(e.dir, "bytes:20000", false); !killed {
		t.Fatalf("first sync not killed:\n%s", out)
	}
	if _, err := rq.OpenMirror(e.dir); err == nil || !strings.Contains(err.Error(), "not an rq mirror") {
		t.Fatalf("a killed first sync left a mirror: %v", err)
	}
	if killed, out := e.child(e.dir, "none", false); killed {
		t.Fatalf("sync killed without a kill point:\n%s", out)
	}
	before := e.offline()
	sameAnswers(t, "after the first sync", e.online(), before)
	state, _ := os.ReadFile(filepath.Join(e.dir, mirror.StateFile))

	e.clock.Advance(time.Hour)
	e.importCSV("record_id,redcap_event_name,age\n9,enrollment_arm_1,55\n61,enrollment_arm_1,44\n")
	if _, err := e.c.DeleteRecords(context.Background(), client.DeleteRecordsParams{Records: []string{"20"}}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)

	for _, full := range []bool{false, true} {
		// a clean run on a copy counts the calls and bytes of this sync
		probe := filepath.Join(t.TempDir(), "probe")
		copyDir(t, e.dir, probe)
		_, out := e.child(probe, "none", full)
		var calls, total int64
		if _, err := fmt.Sscanf(out[strings.Index(out, "calls "):], "calls %d bytes %d", &calls, &total); err != nil || calls < 3 {
			t.Fatalf("probe: %v\n%s", err, out)
		}
		var points []string
		for i := int64(1); i <= calls; i++ {
			points = append(points, fmt.Sprintf("call:%d", i))
		}
		for range 4 {
			points = append(points, fmt.Sprintf("bytes:%d", 1+rng.Int64N(total-1)))
		}
		points = append(points, "log:export records", "log:server time")
		if !full {
			points = append(points, "log:log: ") // a full refresh reads no log
		}
		for _, at := range points {
			killed, out := e.child(e.dir, at, full)
			if !killed {
				t.Fatalf("full %v, %s: the sync was not killed\n%s", full, at, out)
			}
			if got, _ := os.ReadFile(filepath.Join(e.dir, mirror.StateFile)); !bytes.Equal(got, state) {
				t.Fatalf("full %v, killed at %s: state.json changed", full, at)
			}
			sameAnswers(t, fmt.Sprintf("full %v, killed at %s", full, at), before, e.offline())
		}
	}
	if killed, out := e.child(e.dir, "none", false); killed {
		t.Fatalf("the last sync was killed:\n%s", out)
	}
	sameAnswers(t, "after the sync that completed", e.online(), e.offline())
	gens, _ := filepath.Glob(filepath.Join(e.dir, "gen-*"))
	if len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}
}
