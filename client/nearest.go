package client

import (
	"sort"

	"github.com/agnivade/levenshtein"
)

// Nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo: at most max(2, len(name)/3)
// edits. Ties go to the first candidate in sorted order. The planner, the
// request checks and the importer all suggest names with it.
func Nearest(name string, candidates []string) string {
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

// editDistance is the Levenshtein distance of a and b, or limit+1 when the
// lengths alone show it exceeds limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	return levenshtein.ComputeDistance(a, b)
}
