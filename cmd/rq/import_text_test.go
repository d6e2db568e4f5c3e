package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRefusesBadText: Latin-1 bytes, a NUL and a value beyond
// REDCap's 65,535 bytes are refused before anything is sent, also under
// --dry-run, naming the record, the field and the byte offset;
// --encoding latin1 converts the file and imports it.
func TestImportRefusesBadText(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "record_id,redcap_event_name,notes\n"
	latin := write("latin.csv", head+"900,enrollment_arm_1,caf\xe9\n")
	nul := write("nul.csv", head+"901,enrollment_arm_1,a\x00b\n")
	long := write("long.json", `[{"record_id":"902","redcap_event_name":"enrollment_arm_1","notes":"`+strings.Repeat("x", 70000)+`"}]`)
	for _, tc := range []struct {
		file string
		args []string
		has  []string
	}{
		{latin, []string{"--dry-run"}, []string{`line 2 (row 1), record "900", field "notes"`, "byte 0xE9, which is not UTF-8", "byte offset 58 of the file"}},
		{latin, nil, []string{`record "900", field "notes"`, "not UTF-8", "nothing was sent"}},
		{nul, []string{"--dry-run"}, []string{`record "901", field "notes"`, "a NUL byte at byte offset 56"}},
		{long, []string{"--dry-run"}, []string{`record "902", field "notes"`, "70000 bytes; REDCap stores at most 65535"}},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"--demo", "import", "records", tc.file}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != exitQuery {
			t.Errorf("%s %v: exit %d, want %d\n%s", filepath.Base(tc.file), tc.args, code, exitQuery, out)
		}
		for _, h := range tc.has {
			if !strings.Contains(out, h) {
				t.Errorf("%s %v: output lacks %q:\n%s", filepath.Base(tc.file), tc.args, h, out)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--demo", "import", "records", latin, "--encoding", "latin1"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("--encoding latin1: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
