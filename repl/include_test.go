package repl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// \i runs a file with the session's \set values; values the file does not
// use are the session's, not a typo in the file, so they are no error.
func TestIncludeWithSessionParams(t *testing.T) {
	s := demoShell(t)
	file := filepath.Join(t.TempDir(), "old.rq")
	src := "param $min = 0;\nselect record_id from records where form = 'baseline' and age > $min;\n"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := feed(t, s, `\set min 80`, `\set site bos`, `\format csv`, `\i `+file)
	if err != nil {
		t.Fatalf(`\i with an unrelated \set value: %v`, err)
	}
	if !strings.HasPrefix(out, "record_id\n19\n") {
		t.Errorf(`\i output %q, want the records with age > 80`, out)
	}
	// the \set value replacing the file's default is said, once
	note := "note: $min is 80 (set with \\set), not " + file + "'s default 0\n"
	if got := stderr(s); !strings.Contains(got, note) {
		t.Errorf("stderr %q, want the note %q", got, note)
	}
	feed(t, s, `\i `+file)
	if got := stderr(s); strings.Contains(got, "note:") {
		t.Errorf("the note came twice: %q", got)
	}
	// without a session value, the file's default applies
	out, _, err = feed(t, s, `\unset min`, `\i `+file)
	want, _, _ := feed(t, s, "select record_id from records where form = 'baseline' and age > 0;")
	if err != nil || out != want || !strings.Contains(out, "\n3\n") {
		t.Errorf("\\i with the default $min = 0: %q, %v; want %q", out, err, want)
	}
	// A parameter the file uses and nobody gives is still an error.
	if err := os.WriteFile(file, []byte("select record_id from records where age > $max;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := feed(t, s, `\i `+file); err == nil || !strings.Contains(err.Error(), "$max") {
		t.Errorf(`\i with a missing parameter: err = %v, want one naming $max`, err)
	}
}
