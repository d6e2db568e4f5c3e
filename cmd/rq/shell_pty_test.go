package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/redcapql/rq/client/redcaptest"
)

// deadline bounds every wait for output; tests never assert durations.
const deadline = 60 * time.Second

// ptyShell is rq running on a pseudo-terminal.
type ptyShell struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer // everything printed
	seen int          // how much of out expect has consumed
	done chan error
}

// startShell runs rq with args on a pseudo-terminal of 200 columns.
func startShell(t *testing.T, env []string, args ...string) *ptyShell {
	t.Helper()
	return startShellSize(t, 200, env, args...)
}

// startShellSize runs rq with args on a pseudo-terminal cols wide.
func startShellSize(t *testing.T, cols uint16, env []string, args ...string) *ptyShell {
	t.Helper()
	path, err := exec.LookPath("rq")
	if err != nil {
		t.Fatalf("rq is not on PATH (TestMain installs it): %v", err)
	}
	cmd := exec.Command(path, args...)
	dir := t.TempDir()
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + dir, "TERM=xterm", "PATH=" + os.Getenv("PATH"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"), "XDG_STATE_HOME=" + filepath.Join(dir, "state")}, env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	s := &ptyShell{t: t, cmd: cmd, tty: tty, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	return s
}

// expect waits until want appears in the output after what earlier expects
// consumed, and consumes up to its end.
func (s *ptyShell) expect(want string) {
	s.t.Helper()
	end := time.Now().Add(deadline)
	for {
		s.mu.Lock()
		rest := s.out.String()[s.seen:]
		if i := strings.Index(rest, want); i >= 0 {
			s.seen += i + len(want)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if time.Now().After(end) {
			s.t.Fatalf("no %q in the output within %v; output since the last match:\n%s", want, deadline, rest)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send types keys.
func (s *ptyShell) send(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.tty, keys); err != nil {
		s.t.Fatal(err)
	}
}

// wait waits for the shell to exit and returns its error.
func (s *ptyShell) wait() error {
	select {
	case err := <-s.done:
		return err
	case <-time.After(deadline):
		s.t.Fatalf("the shell did not exit within %v", deadline)
	}
	return nil
}

const prompt = "rq demo study=> "

func TestShellCompletionMultiLineDescribeHistory(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "hist", "history")
	s := startShell(t, []string{"RQ_HISTORY=" + hist}, "--demo", "--records", "20")
	s.expect(prompt)

	// Tab completes the field name "ag" → "age "; the query proves it.
	s.send("select ag\t")
	s.expect("age")
	s.send("from records where record_id = '2' and form = 'baseline';\r")
	s.expect(" age")
	s.expect("33")
	s.expect("(1 row)")
	s.expect(prompt)

	// A statement over three lines, with the continuation prompt.
	s.send("select record_id, age\r")
	s.expect("rq demo study-> ")
	s.send("from records\r")
	s.expect("rq demo study-> ")
	s.send("where form = 'baseline' and age > 80;\r")
	s.expect("19        |  90")
	s.expect("(1 row)")
	s.expect(prompt)

	// \d baseline: the form's fields with type, validation and choices.
	s.send(`\d baseline` + "\r")
	s.expect("Form baseline")
	s.expect("age ")
	s.expect("| integer")
	s.expect("race")
	s.expect("checkbox")
	s.expect("1=White | 2=Black | 3=Asian | -1=Unknown | oth=Other")
	s.expect(prompt)

	// Ctrl-D quits.
	s.send("\x04")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}

	st, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("history mode = %o, want 600", m)
	}
	b, _ := os.ReadFile(hist)
	want := []string{
		"select age from records where record_id = '2' and form = 'baseline';",
		"select record_id, age from records where form = 'baseline' and age > 80;",
		`\d baseline`,
	}
	if got := strings.Split(strings.TrimSpace(string(b)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("history =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestShellHistoryRecalled: a new session loads the history; Up recalls the
// last whole statement.
func TestShellHistoryRecalled(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(hist, []byte("select count(*) as n from records where form = 'baseline';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startShell(t, []string{"RQ_HISTORY=" + hist}, "--demo", "--records", "20")
	s.expect(prompt)
	st, err := os.Stat(hist)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("an existing history file is not made 0600: %v %v", st.Mode(), err)
	}
	s.send("\x1b[A\r") // Up, Enter
	s.expect(" n")
	s.expect("20")
	s.expect("(1 row)")
	s.send(`\q` + "\r")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}
}

// The interactive shell warns, after the result, about values that did not
// fit their type.
func TestShellWarnsAboutInvalidValues(t *testing.T) {
	s := startShell(t, []string{"RQ_HISTORY=" + filepath.Join(t.TempDir(), "history")}, "--demo", "--records", "20")
	s.expect(prompt)
	s.send("select record, weight from records where form = 'baseline' and record = '3';\r")
	s.expect("(1 row)")
	s.expect("warning: 1 value did not fit its field's type and was read as null")
	s.expect(`record "3", field "weight": value "abc": not a number`)
	s.expect(prompt)
	s.send(`\q` + "\r")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}
}

// TestShellCtrlCCancelsQuery: a record export that hangs until cancelled
// (a proxy holds it: no timing involved); Ctrl-C cancels the query, the
// shell stays, and the next query works.
func TestShellCtrlCCancelsQuery(t *testing.T) {
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, redcaptest.Demo(redcaptest.DemoOptions{Records: 20}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var hold atomic.Bool
	hold.Store(true)
	held := make(chan struct{}, 10)
	released := make(chan struct{}, 10)
	stop := make(chan struct{}) // frees a held request when the test fails
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if hold.Load() && form.Get("content") == "record" {
			held <- struct{}{}
			select {
			case <-r.Context().Done(): // until the client gives up
				released <- struct{}{}
			case <-stop:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer slow.Close()
	defer close(stop)

	s := startShell(t, []string{"REDCAP_API_URL=" + slow.URL + "/api/", "REDCAP_API_TOKEN=" + srv.Token(demoName),
		"RQ_HISTORY=" + filepath.Join(t.TempDir(), "h")})
	s.expect(prompt)
	s.send("select count(*) as n from records where form = 'baseline';\r")
	select {
	case <-held:
	case <-time.After(deadline):
		t.Fatal("the record export never reached the server")
	}
	s.send("\x03") // Ctrl-C
	s.expect("query cancelled")
	select {
	case <-released:
	case <-time.After(deadline):
		t.Fatal("the held request was not cancelled")
	}
	s.expect(prompt)

	hold.Store(false)
	s.send("select count(*) as n from records where form = 'baseline';\r")
	s.expect("20")
	s.expect("(1 row)")
	s.expect(prompt)

	// Ctrl-C at the prompt drops a half-typed statement and keeps the shell.
	s.send("select age\r")
	s.expect("rq demo study-> ")
	s.send("\x03")
	s.expect(prompt)
	s.send(`\conninfo` + "\r")
	s.expect(`Connected to ` + slow.URL + `/api/, project "rq demo study".`)
	s.send("\x04")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}
}

// TestTokenPromptOnTerminal: with no token in the environment or a file,
// rq asks for it on the terminal without echoing it; on a terminal, -c
// prints a table by default.
func TestTokenPromptOnTerminal(t *testing.T) {
	url := startServe(t, "--records", "10", "--token", leakToken)
	s := startShell(t, []string{"REDCAP_API_URL=" + url},
		"-c", "select count(*) as n from records where form = 'baseline'")
	s.expect("REDCap API token: ")
	s.send(leakToken + "\r")
	s.expect(" n\r\n----\r\n 10\r\n(1 row)")
	if err := s.wait(); err != nil {
		t.Fatalf("rq: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.Contains(s.out.String(), leakToken) {
		t.Errorf("the typed token was echoed:\n%s", s.out.String())
	}
}

// TestShellMetaAtContinuationPrompt: a meta-command typed at the "->"
// prompt runs at once and the statement stays pending; \w writes it; two
// statements on one line both run (QA 11, 8).
func TestShellMetaAtContinuationPrompt(t *testing.T) {
	s := startShell(t, []string{"RQ_HISTORY=" + filepath.Join(t.TempDir(), "h")}, "--demo", "--records", "20")
	s.expect(prompt)
	s.send("select count(*) as n\r")
	s.expect("rq demo study-> ")
	s.send(`\format csv` + "\r")
	s.expect("Output format is csv.")
	s.expect("rq demo study-> ")
	s.send(`\w pending.rq` + "\r")
	s.expect("Wrote pending.rq.")
	s.expect("rq demo study-> ")
	s.send("from records where form = 'baseline';\r")
	s.expect("n\r\n20\r\n")
	s.expect(prompt)
	s.send("select 1 as x from project; select 2 as y from project;\r")
	s.expect("x\r\n1\r\n")
	s.expect("y\r\n2\r\n")
	s.expect(prompt)
	s.send(`\q` + "\r")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(s.cmd.Dir, "pending.rq")); err != nil || string(b) != "select count(*) as n\n" {
		t.Errorf(`\w wrote %q, %v`, b, err)
	}
}

// TestShellCompletionInQuote: Tab inside a quote completes the event name
// and closes the quote, with no space before it (QA 12); Ctrl-C with the
// completion menu open cancels the line, as without a menu (QA 17k).
func TestShellCompletionInQuote(t *testing.T) {
	s := startShell(t, []string{"RQ_HISTORY=" + filepath.Join(t.TempDir(), "h")}, "--demo", "--records", "20", "--format", "csv")
	s.expect(prompt)
	s.send("select count(*) as n from records where event = 'week_1\t")
	s.expect("2_arm_1'")
	s.send(";\r")
	s.expect("n\r\n8\r\n") // the arm 1 records (seed 1): an unknown event would be an error
	s.expect(prompt)

	// menu: "week_" has three completions; Tab Tab shows them
	s.send("select nonsense from records where event = 'week_\t\t")
	s.expect("4_arm_2'")
	s.send("\x03") // Ctrl-C: closes the menu and drops the line
	s.expect(prompt)
	s.send("select 1 as x from project;\r")
	s.expect("x\r\n1\r\n")
	s.expect(prompt)
	s.send(`\q` + "\r")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}
}
