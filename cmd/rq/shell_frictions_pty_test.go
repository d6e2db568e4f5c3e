package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// wideQuery's table is wider than a 60-column terminal.
const wideQuery = "select 'a text value that is much wider than the sixty columns of this terminal' as t, 104.8 as n from project;"

// TestShellWideTables (#16.2): a table wider than the terminal is never
// cut: it goes to $PAGER, or with \x auto shows vertically; \pager off
// prints it whole; a narrow table is printed as it is.
func TestShellWideTables(t *testing.T) {
	s := startShellSize(t, 60, []string{"RQ_HISTORY=" + filepath.Join(t.TempDir(), "h"), "PAGER=sed s/^/PAGED:/"}, "--demo", "--records", "10")
	s.expect(prompt)

	s.send(wideQuery + "\r")
	s.expect("PAGED: t ")
	s.expect("| 104.8\r\nPAGED:(1 row)")
	s.expect(prompt)

	// a table that fits is not paged
	s.send("select 1 as x from project;\r")
	s.expect(" x\r\n---\r\n 1\r\n(1 row)") // readline may redraw the line between the Enter and the table
	s.expect(prompt)

	// \x auto: vertical when too wide, a table otherwise
	s.send(`\x auto` + "\r")
	s.expect("Expanded display is auto.")
	s.send(wideQuery + "\r")
	s.expect("-[ RECORD 1 ]")
	s.expect("t | a text value that is much wider than the sixty columns of this terminal\r\nn | 104.8")
	s.expect(prompt)
	s.send("select 1 as x from project;\r")
	s.expect(" x\r\n---\r\n 1\r\n(1 row)") // readline may redraw the line between the Enter and the table
	s.expect(prompt)

	// \x on: always vertical; \x off and \pager off: the whole table
	s.send(`\x on` + "\r")
	s.expect("Expanded display is on.")
	s.send("select 1 as x from project;\r")
	s.expect("-[ RECORD 1 ]")
	s.expect("x | 1")
	s.expect(prompt)
	s.send(`\x off` + "\r")
	s.expect("Expanded display is off.")
	s.send(`\pager off` + "\r")
	s.expect("Pager is off.")
	s.send(wideQuery + "\r")
	s.expect("this terminal | 104.8\r\n(1 row)")
	s.expect(prompt)
	// \pager with a command sets it
	s.send(`\pager sed s/^/OTHER:/` + "\r")
	s.expect("Pager is sed s/^/OTHER:/.")
	s.send(wideQuery + "\r")
	s.expect("OTHER:(1 row)")
	s.expect(prompt)
	s.send("\\q\r")
	if err := s.wait(); err != nil {
		t.Fatalf("shell exit: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.Contains(s.out.String(), "…") {
		t.Errorf("a table was cut:\n%s", s.out.String())
	}
}

// TestShellHabits (#16.8): help, \h select, completion of a field's codes
// inside a quote and of events inside [, and exit typed alone.
func TestShellHabits(t *testing.T) {
	s := startShell(t, []string{"RQ_HISTORY=" + filepath.Join(t.TempDir(), "h")}, "--demo", "--records", "20")
	s.expect(prompt)

	s.send("help\r")
	s.expect("You are using rq")
	s.expect(prompt)

	s.send(`\h select` + "\r")
	s.expect("Statement: select")
	s.expect("[having <condition>]")
	s.expect(prompt)

	// Tab inside [event][si completes the field and closes the bracket;
	// inside site = 'b it completes the code bos and closes the quote.
	s.send("select count(*) as n from records where [enrollment_arm_2][si\t")
	s.expect("[site]")
	s.send(" = 'b\t")
	s.expect("bos'")
	s.send(";\r")
	s.expect(" n\r\n")
	s.expect(prompt)

	s.send("exit\r")
	if err := s.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
}
