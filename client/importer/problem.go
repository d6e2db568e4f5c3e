package importer

import (
	"fmt"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a records file, found before anything is
// sent (or named by REDCap when it refuses a chunk). Zero fields are unknown
// or do not apply: a header problem has no Row, a file-level one no Field.
type Problem struct {
	Line    int    // line of the file where the row starts (the header is line 1 in CSV)
	Row     int    // data row, 1-based, header excluded
	Record  string // record id of the row
	Field   string // field or column name
	Value   string // the offending value, as in the file
	Message string // what is wrong, in the user's words
	// Warning problems do not stop an import (a calculated field REDCap
	// ignores, an out-of-range value with AllowOutOfRange).
	Warning bool
}

// String formats the problem as
// `line 12 (row 11): record "3", field "age", value "abc": not an integer`.
func (p Problem) String() string {
	var b strings.Builder
	if p.Warning {
		b.WriteString("warning: ")
	}
	switch {
	case p.Line > 0 && p.Row > 0:
		fmt.Fprintf(&b, "line %d (row %d)", p.Line, p.Row)
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d", p.Line)
	case p.Row > 0:
		fmt.Fprintf(&b, "row %d", p.Row)
	}
	sep := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), ": ") {
			b.WriteString(", ")
		}
	}
	if p.Record != "" {
		sep()
		b.WriteString("record " + strconv.Quote(p.Record))
	}
	if p.Field != "" {
		sep()
		b.WriteString("field " + strconv.Quote(p.Field))
	}
	if p.Value != "" || p.Field != "" && p.Record != "" {
		sep()
		b.WriteString("value " + strconv.Quote(p.Value))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem of a file, in file order. As an error it is
// the list of problems that stop the import (warnings left out).
type Problems []Problem

// Errors returns the problems that stop an import.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns the problems that do not stop an import.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Err returns ps as an error when it holds a problem that stops the
// import, else nil.
func (ps Problems) Err() error {
	if e := ps.Errors(); len(e) > 0 {
		return e
	}
	return nil
}

// Error lists every problem, one a line, after a count.
func (ps Problems) Error() string {
	var b strings.Builder
	n := len(ps.Errors())
	fmt.Fprintf(&b, "importer: %d problem", n)
	if n != 1 {
		b.WriteString("s")
	}
	b.WriteString(" in the records file; nothing was sent")
	for _, p := range ps {
		if !p.Warning {
			b.WriteString("\n  ")
			b.WriteString(p.String())
		}
	}
	return b.String()
}
