package lang

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a problem in rq source at a position. Msg says what is wrong in the user's
// words; Hint, when not empty, says how to fix it.
type Error struct {
	Pos  Pos
	Msg  string
	Hint string
}

// Error returns "file:line:col: msg" (or "line:col: msg" without a file name).
func (e *Error) Error() string {
	if !e.Pos.IsValid() && e.Pos.Filename == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// Render formats the error for a person: the Error() line, the source line, a caret
// under the offending token, and the hint. src is the text that was parsed.
func (e *Error) Render(src string) string {
	var b strings.Builder
	b.WriteString(e.Error())
	b.WriteByte('\n')
	if line, col, ok := sourceLine(src, e.Pos); ok {
		b.WriteString("    ")
		b.WriteString(line)
		b.WriteString("\n    ")
		b.WriteString(strings.Repeat(" ", col))
		b.WriteString("^\n")
	}
	if e.Hint != "" {
		b.WriteString("hint: ")
		b.WriteString(e.Hint)
		b.WriteByte('\n')
	}
	return b.String()
}

// sourceLine returns the line of src holding p, with tabs shown as spaces, and the
// caret's column (in characters, 0-based) on it.
func sourceLine(src string, p Pos) (line string, col int, ok bool) {
	if !p.IsValid() || p.Offset < 0 || p.Offset > len(src) {
		return "", 0, false
	}
	start := strings.LastIndexByte(src[:p.Offset], '\n') + 1
	end := strings.IndexByte(src[p.Offset:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += p.Offset
	}
	const maxWidth = 160 // show a window around the caret on very long lines
	prefix, rest := src[start:p.Offset], src[p.Offset:end]
	if utf8.RuneCountInString(prefix) > maxWidth/2 {
		cut := len(prefix) - maxWidth/2
		for cut < len(prefix) && !utf8.RuneStart(prefix[cut]) {
			cut++
		}
		prefix = "…" + prefix[cut:]
	}
	if utf8.RuneCountInString(rest) > maxWidth/2 {
		cut := maxWidth / 2
		for cut < len(rest) && !utf8.RuneStart(rest[cut]) {
			cut++
		}
		rest = rest[:cut] + "…"
	}
	prefix = strings.ReplaceAll(strings.TrimRight(prefix, "\r"), "\t", " ")
	rest = strings.ReplaceAll(strings.TrimRight(rest, "\r"), "\t", " ")
	return strings.ToValidUTF8(prefix+rest, "?"), utf8.RuneCountInString(strings.ToValidUTF8(prefix, "?")), true
}

// ErrorList is every error found in one input, in source order.
type ErrorList []*Error

// Error returns the first error's text and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Unwrap gives errors.As access to each *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Render formats every error as Error.Render does, separated by blank lines.
func (l ErrorList) Render(src string) string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Render(src)
	}
	return strings.Join(parts, "\n")
}

// err returns nil for an empty list, else the list.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Render formats any error from this package for a person (see Error.Render); other
// errors are returned as their Error() text.
func Render(err error, src string) string {
	switch e := err.(type) {
	case nil:
		return ""
	case *Error:
		return e.Render(src)
	case ErrorList:
		return e.Render(src)
	}
	return err.Error() + "\n"
}
