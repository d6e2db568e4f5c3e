package lang

import "strings"

// Ends returns the byte offsets of the ';' in src that end statements: those outside
// text, bracketed names and comments, found by the same scanner that parsing uses. open
// reports that src ends inside a quoted text or a /* comment, where a line break does
// not end anything: a shell reading line by line must read on.
func Ends(src string) (ends []int, open bool) {
	s := &scanner{src: src, line: 1, lenient: true}
	s.run()
	for _, t := range s.toks {
		if t.Type == tPunct && t.Value == ";" {
			ends = append(ends, t.Pos.Offset)
		}
	}
	return ends, s.open
}

// Complete reports whether src holds at least one whole statement: a ';' that ends one.
func Complete(src string) bool {
	ends, _ := Ends(src)
	return len(ends) > 0
}

// Blank reports whether src holds only white space and comments (an unclosed /* comment
// is not blank: it is an error to show).
func Blank(src string) bool {
	s := &scanner{src: src, line: 1, lenient: true}
	s.run()
	return len(s.toks) == 1 && !s.open // just EOF
}

// StripComments returns src without its -- and /* */ comments (outside quotes), keeping
// the line breaks, so that "\d baseline -- note" is "\d baseline".
func StripComments(src string) string {
	s := &scanner{src: src, line: 1, lenient: true}
	s.run()
	if len(s.comments) == 0 {
		return src
	}
	var b strings.Builder
	at := 0
	for _, c := range s.comments {
		b.WriteString(src[at:c.pos.Offset])
		b.WriteString(strings.Repeat("\n", strings.Count(src[c.pos.Offset:c.end], "\n")))
		at = c.end
	}
	b.WriteString(src[at:])
	return b.String()
}
