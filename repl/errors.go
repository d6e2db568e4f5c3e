package repl

import (
	"strings"

	"github.com/redcapql/rq/lang"
)

// RenderError is lang.Render for the terminal: several errors of one input
// follow each other without blank lines, and a hint they share (a pair of
// typographic quotes gives two errors with the same hint) is printed once,
// after the last of them.
func RenderError(err error, src string) string {
	list, ok := err.(lang.ErrorList)
	if !ok || len(list) < 2 {
		return lang.Render(err, src)
	}
	var b strings.Builder
	for i, e := range list {
		bare := *e
		bare.Hint = ""
		b.WriteString(bare.Render(src))
		if e.Hint != "" && (i == len(list)-1 || list[i+1].Hint != e.Hint) {
			b.WriteString("hint: " + e.Hint + "\n")
		}
	}
	return b.String()
}
