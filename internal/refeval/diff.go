package refeval

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redcapql/rq/lang"
)

// Ordered reports whether a statement's output order is defined: by order
// by, or by REDCap's record order under a limit.
func Ordered(s *lang.Select) bool {
	return len(s.OrderBy) > 0 || (s.Limit != nil && len(s.GroupBy) == 0)
}

// DiffRows describes how got differs from want (rows rendered as text),
// in order when inOrder, else as multisets ("" when they agree).
func DiffRows(want, got []string, inOrder bool) string {
	if !inOrder {
		want, got = slices.Clone(want), slices.Clone(got)
		slices.Sort(want)
		slices.Sort(got)
	}
	if slices.Equal(want, got) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d rows, want %d", len(got), len(want))
	if !inOrder {
		// multiset difference
		missing, extra := multisetDiff(want, got)
		for i, r := range missing {
			if i == 5 {
				fmt.Fprintf(&b, "\n    ... %d more missing", len(missing)-5)
				break
			}
			fmt.Fprintf(&b, "\n    missing: %s", r)
		}
		for i, r := range extra {
			if i == 5 {
				fmt.Fprintf(&b, "\n    ... %d more extra", len(extra)-5)
				break
			}
			fmt.Fprintf(&b, "\n    extra:   %s", r)
		}
		return b.String()
	}
	for i := range max(len(want), len(got)) {
		w, g := "(none)", "(none)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			fmt.Fprintf(&b, "\n    first difference at row %d:\n    want: %s\n    got:  %s", i, w, g)
			break
		}
	}
	return b.String()
}

func multisetDiff(want, got []string) (missing, extra []string) {
	count := map[string]int{}
	for _, r := range want {
		count[r]++
	}
	for _, r := range got {
		count[r]--
	}
	for _, r := range want {
		if count[r] > 0 {
			missing = append(missing, r)
			count[r]--
		}
	}
	for r, n := range count {
		for ; n < 0; n++ {
			extra = append(extra, r)
		}
	}
	slices.Sort(extra)
	return missing, extra
}
