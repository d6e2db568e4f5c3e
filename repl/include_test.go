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
	// A parameter the file uses and nobody gives is still an error.
	if err := os.WriteFile(file, []byte("select record_id from records where age > $max;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := feed(t, s, `\i `+file); err == nil || !strings.Contains(err.Error(), "$max") {
		t.Errorf(`\i with a missing parameter: err = %v, want one naming $max`, err)
	}
}
