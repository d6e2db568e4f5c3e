package repl

import (
	"fmt"
	"strings"

	"github.com/redcapql/rq"
)

// maxWarnExamples is how many invalid values a warning quotes.
const maxWarnExamples = 3

// InvalidWarning is the warning for values that did not fit their field's
// type and were read as null (rq-language.md §4): their count and up to
// three examples with record, field and value. It is empty when there were
// none. The text ends with a newline. The query's own warnings
// (rq.Stats.Warnings: fields that no row holds together) come first.
func InvalidWarning(s rq.Stats) string {
	var b strings.Builder
	for _, w := range s.Warnings {
		b.WriteString(w)
	}
	n := s.Run.Invalid
	if n == 0 {
		return b.String()
	}
	if n == 1 {
		b.WriteString("warning: 1 value did not fit its field's type and was read as null")
	} else {
		fmt.Fprintf(&b, "warning: %d values did not fit their field's type and were read as null", n)
	}
	ex := s.Run.Examples
	if len(ex) > maxWarnExamples {
		ex = ex[:maxWarnExamples]
	}
	if len(ex) > 0 {
		b.WriteString(", e.g.:\n")
		for _, e := range ex {
			b.WriteString("  " + e + "\n")
		}
		if int64(len(ex)) < n {
			fmt.Fprintf(&b, "  (and %d more)\n", n-int64(len(ex)))
		}
	} else {
		b.WriteString("\n")
	}
	return b.String()
}
