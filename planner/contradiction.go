package planner

import (
	"github.com/redcapql/rq/lang"
)

// neverTrue reports whether a top-level conjunct cannot be true on any row,
// and why: then the whole where clause selects nothing and no call is needed.
// has any () names no code, so it is false on every checkbox value (and
// unknown on null); REDCap has no logic for it, and "()" is not valid logic.
func (a *analysis) neverTrue(e lang.Expr) (string, bool) {
	q, ok := e.(*lang.Query)
	if !ok {
		return "", false
	}
	if q.Op == lang.HasAny && len(q.Right) == 0 {
		return q.String() + " is true of no checkbox value", true
	}
	return "", false
}
