package main

import (
	"strings"
	"testing"
)

// TestDeleteConfirmsOnTerminal: on a terminal, rq delete records shows the
// count and the first ids and deletes only after "y"; "n" (or anything
// else) deletes nothing.
func TestDeleteConfirmsOnTerminal(t *testing.T) {
	url := startServe(t, "--records", "10", "--token", leakToken)
	env := []string{"REDCAP_API_URL=" + url, "REDCAP_API_TOKEN=" + leakToken}
	ids := "1,2,3,4,5,6,7"

	s := startShell(t, env, "delete", "records", "--record", ids)
	s.expect("Delete 7 records (1, 2, 3, 4, 5, … and 2 more)? This cannot be undone. [y/N] ")
	s.send("n\r")
	s.expect("nothing deleted")
	if err := s.wait(); err != nil {
		t.Fatalf("answer n: %v", err)
	}

	s = startShell(t, env, "-c", "select count(distinct record_id) as n from records")
	s.expect("10")
	s.wait()

	s = startShell(t, env, "delete", "records", "--record", "1,2")
	s.expect("Delete 2 records (1, 2)? This cannot be undone. [y/N] ")
	s.send("y\r")
	if err := s.wait(); err != nil {
		t.Fatalf("answer y: %v", err)
	}
	s.mu.Lock()
	out := s.out.String()
	s.mu.Unlock()
	if strings.Contains(out, "nothing deleted") {
		t.Errorf("answer y: %q", out)
	}
	// the two records are gone: 8 of the 10 are left
	s = startShell(t, env, "-c", "select count(distinct record_id) as n from records")
	s.expect("8")
	s.wait()
	s = startShell(t, env, "delete", "records", "--record", "1,2", "--dry-run")
	s.expect("1 ")
	s.expect("false")
	s.wait()
}
