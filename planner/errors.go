package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redcapql/rq/lang"
)

// errAt returns a *lang.Error at pos; hint may be "".
func errAt(pos lang.Pos, hint string, format string, args ...any) error {
	return &lang.Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo.
func nearest(name string, candidates []string) string {
	for _, c := range candidates {
		if c != name && strings.EqualFold(c, name) {
			return c // the same name in another case: REDCap's names are lower case
		}
	}
	best, bestD := "", -1
	limit := max(2, len(name)/3)
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if c == name {
			continue
		}
		d := editDistance(name, c, limit)
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit+1 once it is
// certain to exceed limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// didYouMean formats a suggestion hint, or "" without one.
func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return "did you mean " + s + "?"
}
