package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/redcapql/rq/internal/fixtures"
)

// TestMain makes the test binary double as the rq command, for scripts
// (testdata/script) and the pseudo-terminal tests.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"rq": main})
}

var update = flag.Bool("update", false, "rewrite the scripts' golden files (cmp targets) from the actual output")

// TestScripts runs the txtar scripts of testdata/script against the real
// binary.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/config")
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/state")
			env.Setenv(fixtures.Env, fixtures.Root())
			return nil
		},
		Condition: scriptCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"serve":     cmdServe,
			"jsonarray": cmdJSONArray,
			"chmod":     cmdChmod,
			"exits":     cmdExits,
			"filemode":  cmdFileMode,
			"parquet":   cmdParquet,
		},
	})
}

// scriptCondition adds [fixtures]: the shared REDCap fixtures are present
// ($RQ_FIXTURES points at them in the scripts). Scripts skip without them:
//
//	[!fixtures] skip 'REDCap fixtures not found: set RQ_FIXTURES'
//
// except under RQ_REQUIRE_FIXTURES (CI), where their absence fails the
// script, as internal/fixtures does for Go tests.
func scriptCondition(cond string) (bool, error) {
	if cond != "fixtures" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if fixtures.Root() != "" {
		return true, nil
	}
	if os.Getenv(fixtures.RequireEnv) != "" {
		return false, fmt.Errorf("REDCap fixtures not found and %s is set: set %s", fixtures.RequireEnv, fixtures.Env)
	}
	return false, nil
}

// cmdServe starts 'rq serve args...' in the background, reads its first
// stdout line (the JSON greeting) and sets $URL, $SERVE_TOKEN (the first
// project's token) and $SERVE_USER_<username> (each user's token in it). The server is stopped with SIGINT when the script ends,
// and must exit 0 then.
//
//	serve [rq serve flags]
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! serve")
	}
	cmd := exec.Command("rq", append([]string{"serve"}, args...)...)
	cmd.Dir = ts.Getenv("WORK")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		for sc.Scan() {
		}
	}()
	var first string
	select {
	case l, ok := <-lines:
		if !ok {
			cmd.Wait()
			ts.Fatalf("rq serve printed nothing; stderr:\n%s", stderr.String())
		}
		first = l
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		ts.Fatalf("rq serve: no first line within a minute; stderr:\n%s", stderr.String())
	}
	var hello struct {
		URL      string
		Projects []struct {
			Name, Token string
			Users       []struct{ Username, Token string }
		}
	}
	if err := json.Unmarshal([]byte(first), &hello); err != nil || hello.URL == "" || len(hello.Projects) == 0 {
		cmd.Process.Kill()
		ts.Fatalf("rq serve: first line is not the JSON greeting: %q (%v)", first, err)
	}
	ts.Setenv("URL", hello.URL)
	ts.Setenv("SERVE_TOKEN", hello.Projects[0].Token)
	ts.Setenv("SERVE_PROJECT", hello.Projects[0].Name)
	for _, u := range hello.Projects[0].Users {
		ts.Setenv("SERVE_USER_"+u.Username, u.Token)
	}
	ts.Defer(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				ts.Logf("rq serve exited with %v; stderr:\n%s", err, stderr.String())
				ts.Fatalf("rq serve did not stop cleanly on SIGINT")
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			ts.Fatalf("rq serve did not stop on SIGINT")
		}
	})
}

// cmdJSONArray checks that a file (default: the last stdout) is a JSON
// array of objects with n rows (n may be "+" for at least one) and, when
// given, these keys in this order.
//
//	jsonarray n [key...]
func cmdJSONArray(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: jsonarray n [key...]")
	}
	data := ts.ReadFile("stdout")
	var rows []json.RawMessage
	err := json.Unmarshal([]byte(data), &rows)
	if err == nil {
		if args[0] == "+" && len(rows) == 0 {
			err = fmt.Errorf("no rows")
		} else if args[0] != "+" && fmt.Sprint(len(rows)) != args[0] {
			err = fmt.Errorf("%d rows, want %s", len(rows), args[0])
		}
	}
	for i := 0; err == nil && i < len(rows); i++ {
		dec := json.NewDecoder(bytes.NewReader(rows[i]))
		tok, e := dec.Token()
		if e != nil || tok != json.Delim('{') {
			err = fmt.Errorf("row %d is not an object: %s", i+1, rows[i])
			break
		}
		var keys []string
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		if len(args) > 1 && strings.Join(keys, ",") != strings.Join(args[1:], ",") {
			err = fmt.Errorf("row %d has keys %v, want %v", i+1, keys, args[1:])
		}
	}
	if neg && err == nil {
		ts.Fatalf("stdout is a JSON array of %d rows", len(rows))
	}
	if !neg && err != nil {
		ts.Fatalf("stdout: %v\n%s", err, data)
	}
}

// cmdChmod sets a file's mode (octal): chmod 600 file.
func cmdChmod(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: chmod mode file")
	}
	var mode uint32
	if _, err := fmt.Sscanf(args[0], "%o", &mode); err != nil {
		ts.Fatalf("chmod: bad mode %q", args[0])
	}
	ts.Check(os.Chmod(ts.MkAbs(args[1]), os.FileMode(mode)))
}

// cmdExits runs a command and checks its exit code; its stdout and stderr
// are then checked as after exec.
//
//	exits code command [args...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits code command [args...]")
	}
	err := ts.Exec(args[1], args[2:]...)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	if fmt.Sprint(code) != args[0] {
		ts.Fatalf("%s exited with %d, want %s", args[1], code, args[0])
	}
}

// cmdFileMode checks a file's permission bits (octal).
//
//	filemode 600 file
func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode mode file")
	}
	st, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := fmt.Sprintf("%o", st.Mode().Perm())
	if (got == args[0]) == neg {
		ts.Fatalf("%s has mode %s, want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[0])
	}
}
