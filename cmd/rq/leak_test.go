package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// leakToken is the token every command of TestTokenNeverLeaks runs with.
const leakToken = "C0FFEE00C0FFEE00C0FFEE00C0FFEE00"

// startServe runs 'rq serve args...' and returns its greeting's URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("rq", append([]string{"serve"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Scan()
		line <- sc.Text()
		for sc.Scan() {
		}
	}()
	var hello struct{ URL string }
	select {
	case l := <-line:
		if err := json.Unmarshal([]byte(l), &hello); err != nil {
			t.Fatalf("rq serve greeting %q: %v; stderr: %s", l, err, stderr.String())
		}
	case <-time.After(deadline):
		t.Fatal("rq serve printed no greeting")
	}
	return hello.URL
}

// TestTokenNeverLeaks runs every command, successful and failing, with a
// known token in REDCAP_API_TOKEN (and in a token file) against rq serve,
// and checks that the token appears in no stdout, no stderr and no file
// written (results, history, saved statements, exported files).
func TestTokenNeverLeaks(t *testing.T) {
	url := startServe(t, "--records", "10", "--token", leakToken)
	other := startServe(t, "--records", "10") // does not know the token: 403
	dir := t.TempDir()
	// a restricted user holding the token: export rights by instrument (no
	// access, de-identified, full), no import, delete, log or user rights
	roUsers := filepath.Join(t.TempDir(), "ro-users.csv")
	if err := os.WriteFile(roUsers, []byte("username,token,api_export,api_import,record_delete,logging,user_rights,forms_export\n"+
		"reader,"+leakToken+",1,0,0,0,0,\"baseline:0,enrollment:2,visit:1,medications:1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ro := startServe(t, "--records", "10", "--users", roUsers)
	write := func(name, content string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("q.rq", "param $site = 'bos';\nselect record_id, age from records where site = $site;\nselect count(*) from records;\n", 0o644)
	write("new.csv", "record_id,redcap_event_name,age\n900,enrollment_arm_1,44\n", 0o644)
	write("ro-new.csv", "record_id,redcap_event_name,age\n902,enrollment_arm_1,44\n", 0o644)
	write("bad.csv", "record_id,redcap_event_name,age\n901,enrollment_arm_1,abc\n", 0o644)
	write("arm.json", `[{"arm_num":3,"name":"Extra"}]`, 0o644)
	write("dagfail.csv", "record_id,redcap_event_name,redcap_data_access_group,age\n910,enrollment_arm_1,site_a,40\n911,enrollment_arm_1,no_such_dag,41\n", 0o644)
	write("users.csv", "username,email,design\ncarol,carol@example.org,1\n", 0o644)
	write("roles.json", `[{"role_label":"Monitor","design":0}]`, 0o644)
	write("consent.txt", "signed\n", 0o644)
	write("tok", leakToken+"\n", 0o600)
	write("loose-tok", leakToken+"\n", 0o644)
	write("session.rq", "select age from records where record_id = '2';\n\\conninfo\n\\o piped-out.csv\nselect * from records;\n\\o\n\\w saved.rq\n\\set x 1\n\\d\n\\d baseline\nselect agee from records;\n", 0o644)

	env := []string{"REDCAP_API_URL=" + url, "REDCAP_API_TOKEN=" + leakToken}
	type run struct {
		args  []string
		stdin string
		env   []string // replaces env when set
		want  string   // when set, stdout or stderr must hold it: the run did what it is here for
	}
	runs := []run{
		{args: []string{"-c", "select age, score from records where score > 5 and form = 'baseline'", "--format", "json"}},
		{args: []string{"-c", "select * from records", "--format", "table", "--labels"}},
		{args: []string{"-v", "--max-rate", "0", "--concurrency", "2", "-c", "select * from records"}},
		{args: []string{"-c", "select agee from records"}},
		{args: []string{"-c", "select 1 from"}},
		{args: []string{"run", "q.rq", "-o", "run-out.csv"}},
		{args: []string{"run", "q.rq", "-p", "site=nyc", "--format", "vertical"}},
		{args: []string{"explain", "select age from records where score > 5"}},
		{args: []string{"explain", "--json", "select age from records where score > 5"}},
		{args: []string{"explain", "--analyze", "select age from records where score > 5"}},
		{args: []string{"fmt", "q.rq"}},
		{args: []string{"version"}},
		{args: []string{"--version"}},
		{args: []string{"-c", "select 1 as x from project; select age from records", "-o", "two.json"}},
		{args: []string{"--help"}},
		{args: []string{"export", "records", "-o", "records.csv"}},
		{args: []string{"export", "records", "--raw", "json"}},
		{args: []string{"export", "records", "-o", "records.parquet"}},
		{args: []string{"export", "records", "--partition-by", "event", "-o", "by-event"}},
		{args: []string{"-c", "select * from records", "-o", "q.parquet", "--labels"}},
		{args: []string{"mirror", "leak-mirror", "-v"}},
		{args: []string{"mirror", "leak-mirror", "-v"}}, // incremental
		{args: []string{"mirror", "--status", "leak-mirror"}},
		{args: []string{"mirror", "leak-mirror", "--full", "-v"}, want: "full sync (full refresh asked for (--full))"},
		{args: []string{"--mirror", "leak-mirror", "-c", "select age, score from records where score > 5"}, want: "age,score"},
		{args: []string{"--mirror", "leak-mirror", "explain", "--json", "select age from records where record_id = '2'"}, want: "\"offline\": true"},
		{args: []string{"--mirror", "leak-mirror", "-c", "select * from users"}, want: "users is not in the mirror"},
		{args: []string{"--mirror", "leak-mirror", "-c", "select agee from records"}, want: "did you mean 'age'"},
		{args: []string{"--url", other, "mirror", "other-mirror", "-v"}, want: "HTTP 403"},
		{args: []string{"--url", "http://127.0.0.1:9/api/", "--timeout", "2s", "mirror", "dead-mirror", "-v"}, want: "connection refused"},
		// the restricted user: form export rights, refused imports,
		// deletes, log and users; a mirror that finds deletions from the
		// id list (no log right)
		{args: []string{"--url", ro, "export", "records", "--raw", "csv"}, want: "record_id,redcap_event_name"},
		{args: []string{"--url", ro, "-c", "select record_id, dob, score from records"}},
		{args: []string{"--url", ro, "export", "records", "--form", "baseline"}, want: "removed by your data export rights"},
		{args: []string{"--url", ro, "import", "records", "ro-new.csv"}, want: "API Import/Update privileges"},
		{args: []string{"--url", ro, "delete", "records", "--record", "1", "--yes"}, want: "HTTP 403"},
		{args: []string{"--url", ro, "export", "logging"}, want: "Logging privileges"},
		{args: []string{"--url", ro, "export", "users"}, want: "User Rights privileges"},
		{args: []string{"--url", ro, "file", "export", "--record", "1", "--field", "consent_file", "--event", "enrollment_arm_1"}, want: "\"No Access\" data export rights"},
		{args: []string{"--url", ro, "mirror", "ro-mirror", "-v"}, want: "full sync (first sync)"},
		{args: []string{"--url", ro, "mirror", "ro-mirror", "-v"}, want: "deletions from the id list"}, // incremental
		{args: []string{"export", "records", "--raw", "xml"}},
		{args: []string{"export", "metadata"}},
		{args: []string{"export", "fields"}},
		{args: []string{"export", "instruments"}},
		{args: []string{"export", "fem"}},
		{args: []string{"export", "arms"}},
		{args: []string{"export", "events"}},
		{args: []string{"export", "repeating"}},
		{args: []string{"export", "users"}},
		{args: []string{"export", "roles"}},
		{args: []string{"export", "user-role-mapping"}},
		{args: []string{"export", "dags"}},
		{args: []string{"export", "user-dag-mapping"}},
		{args: []string{"export", "logging"}},
		{args: []string{"export", "report", "--report-id", "1"}},
		{args: []string{"export", "project", "--format", "json"}},
		{args: []string{"export", "xml", "-o", "project.xml"}},
		{args: []string{"export", "version"}},
		{args: []string{"import", "records", "new.csv"}},
		{args: []string{"import", "records", "bad.csv"}},
		{args: []string{"import", "records", "new.csv", "--dry-run"}},
		{args: []string{"import", "records", "dagfail.csv", "--chunk", "1"}}, // chunk 2 refused: a journal is written
		{args: []string{"import", "records", "dagfail.csv", "--chunk", "1", "--resume"}},
		{args: []string{"import", "users", "users.csv"}},
		{args: []string{"import", "roles", "roles.json"}},
		{args: []string{"export", "records", "--form", "visit"}},
		{args: []string{"import", "arms", "arm.json"}},
		{args: []string{"import", "metadata", "nosuch.csv"}},
		{args: []string{"file", "import", "consent.txt", "--record", "900", "--field", "consent_file", "--event", "enrollment_arm_1"}},
		{args: []string{"file", "export", "--record", "900", "--field", "consent_file", "--event", "enrollment_arm_1"}},
		{args: []string{"file", "export", "--record", "900", "--field", "consent_file", "--event", "enrollment_arm_1", "-o", "got.txt"}},
		{args: []string{"file", "delete", "--record", "900", "--field", "consent_file", "--event", "enrollment_arm_1"}},
		{args: []string{"file", "export", "--record", "900", "--field", "age"}},
		{args: []string{"delete", "records", "--record", "900", "--dry-run"}},
		{args: []string{"delete", "records", "--record", "900"}}, // refused: no --yes off a terminal
		{args: []string{"delete", "records", "--record", "900", "--yes"}},
		{args: []string{"delete", "records", "--record", "900", "--yes"}},
		{args: []string{"--insecure", "export", "version"}},
		{args: nil, stdin: "session.rq"},
		// the token from a file, from a file others can read (refused), a
		// malformed token, a server that refuses it, and no server at all
		{args: []string{"--url", url, "--token-file", "tok", "export", "arms"}, env: []string{"REDCAP_API_TOKEN="}},
		// both set: the file wins and -v says so, without the token
		{args: []string{"--url", url, "--token-file", "tok", "-v", "export", "arms"}, env: []string{"REDCAP_API_TOKEN=FEDCBA9876543210FEDCBA9876543210"}},
		{args: []string{"--url", url, "--token-file", "loose-tok", "export", "arms"}, env: []string{"REDCAP_API_TOKEN="}},
		{args: []string{"--url", url, "export", "arms"}, env: []string{"REDCAP_API_TOKEN=" + leakToken + "0"}},
		{args: []string{"--url", other, "-c", "select age from records"}},
		{args: []string{"--url", other, "export", "records"}},
		{args: []string{"--url", "http://127.0.0.1:9/api/", "-c", "select age from records", "--timeout", "2s"}},
	}
	for _, r := range runs {
		// --verbose: the most logging rq has, where a leak would show first.
		cmd := exec.Command("rq", append([]string{"--verbose"}, r.args...)...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir+"/config", "RQ_HISTORY="+dir+"/history"), env...)
		cmd.Env = append(cmd.Env, r.env...)
		if r.stdin != "" {
			f, err := os.Open(filepath.Join(dir, r.stdin))
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdin = f
			defer f.Close()
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatalf("rq %v: %v", r.args, err)
		}
		if r.want != "" && !strings.Contains(stdout.String()+stderr.String(), r.want) {
			t.Errorf("rq %s: the output lacks %q:\nstdout: %.600s\nstderr: %.600s", strings.Join(r.args, " "), r.want, stdout.String(), stderr.String())
		}
		for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.Contains(strings.ToUpper(out), leakToken) {
				t.Errorf("rq %s: the token is in %s:\n%s", strings.Join(r.args, " "), name, out)
			}
		}
	}

	// The interactive shell too, with a history file.
	s := startShell(t, append(env, "RQ_HISTORY="+filepath.Join(dir, "shell-history")))
	s.expect(prompt)
	s.send(`\conninfo` + "\r")
	s.expect("Connected to")
	s.send("select age from records where record_id = '2' and form = 'baseline';\r")
	s.expect("(1 row)")
	s.send("select agee from records;\r")
	s.expect("did you mean")
	s.send("\x04")
	s.wait()
	if strings.Contains(strings.ToUpper(s.out.String()), leakToken) {
		t.Errorf("the token is on the shell's terminal:\n%s", s.out.String())
	}

	written := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "tok" || d.Name() == "loose-tok" {
			return err
		}
		written++
		b, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		if strings.Contains(strings.ToUpper(string(b)), leakToken) {
			t.Errorf("the token is in the file %s", path)
		}
		return nil
	})
	for _, f := range []string{".dagfail.csv.rq-import.json", "run-out.csv", "records.csv", "project.xml", "consent.txt", "got.txt", "piped-out.csv", "saved.rq", "shell-history"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("expected file not written: %v", err)
		}
	}
	t.Logf("%d commands and one shell session; %d files checked", len(runs), written)
}
