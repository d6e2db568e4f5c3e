package planner

import (
	"fmt"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// errAt returns a *lang.Error at pos; hint may be "".
func errAt(pos lang.Pos, hint string, format string, args ...any) error {
	return &lang.Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo (client.Nearest: the one
// suggestion rule of rq, shared with the export checks and the importer). The
// same name in another case comes first: REDCap's names are lower case.
func nearest(name string, candidates []string) string {
	for _, c := range candidates {
		if c != name && strings.EqualFold(c, name) {
			return c
		}
	}
	return client.Nearest(name, candidates)
}

// didYouMean formats a suggestion hint, or "" without one.
func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return "did you mean " + s + "?"
}
