package planner

import (
	"math"
	"strings"

	"github.com/redcapql/rq/client"
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

// bound is one end of a range: a number (dates as Unix seconds), inclusive or not.
type bound struct {
	v    float64
	incl bool
	set  bool
}

// colRange is what the conjuncts on one column allow.
type colRange struct {
	lo, hi bound
	src    []string
}

func (r *colRange) atLeast(v float64, incl bool) {
	if !r.lo.set || v > r.lo.v || v == r.lo.v && !incl {
		r.lo = bound{v, incl, true}
	}
}

func (r *colRange) atMost(v float64, incl bool) {
	if !r.hi.set || v < r.hi.v || v == r.hi.v && !incl {
		r.hi = bound{v, incl, true}
	}
}

func (r *colRange) empty() bool {
	if !r.lo.set || !r.hi.set {
		return false
	}
	return r.lo.v > r.hi.v || r.lo.v == r.hi.v && !(r.lo.incl && r.hi.incl)
}

// contradiction finds top-level conjuncts that bound one number, date or
// datetime column to an empty range (score > 5 and score < 3, x = 1 and
// x = 2): no row can pass, so no call is needed.
func (a *analysis) contradiction(conj []lang.Expr) (string, bool) {
	ranges := map[string]*colRange{}
	var order []string
	for _, e := range conj {
		q, ok := e.(*lang.Query)
		if !ok {
			continue
		}
		left, right, op := q.Left, q.Right, q.Op
		if _, isLit := left.(*lang.Literal); isLit && len(right) == 1 && op <= lang.Ge {
			left, right, op = right[0], []lang.Expr{left}, flip(op)
		}
		r, ok := left.(*lang.Ref)
		if !ok || a.cols[r] == nil {
			continue
		}
		k := a.cols[r].valueKind()
		var vals []float64
		for _, x := range right {
			v, ok := a.rangeValue(x, k)
			if !ok {
				vals = nil
				break
			}
			vals = append(vals, v)
		}
		if len(vals) != len(right) || len(vals) == 0 {
			continue
		}
		key := r.String()
		cr := ranges[key]
		if cr == nil {
			cr = &colRange{}
			ranges[key] = cr
			order = append(order, key)
		}
		switch op {
		case lang.Eq:
			cr.atLeast(vals[0], true)
			cr.atMost(vals[0], true)
		case lang.Lt, lang.Le:
			cr.atMost(vals[0], op == lang.Le)
		case lang.Gt, lang.Ge:
			cr.atLeast(vals[0], op == lang.Ge)
		case lang.Between:
			cr.atLeast(vals[0], true)
			cr.atMost(vals[1], true)
		default:
			continue
		}
		cr.src = append(cr.src, q.String())
	}
	for _, key := range order {
		if cr := ranges[key]; cr.empty() {
			return "no value of " + key + " satisfies " + strings.Join(cr.src, " and "), true
		}
	}
	return "", false
}

// rangeValue returns a literal compared with a column of kind k as a number
// on one scale: numbers as they are, dates and datetimes as Unix seconds.
func (a *analysis) rangeValue(x lang.Expr, k client.Kind) (float64, bool) {
	l, ok := x.(*lang.Literal)
	if !ok || l.Kind == lang.Null {
		return 0, false
	}
	v, ok := a.lits[l]
	if !ok || v.Kind != k {
		return 0, false
	}
	switch k {
	case client.KindNumber:
		return v.Num, !math.IsNaN(v.Num)
	case client.KindDate, client.KindDatetime:
		return float64(v.Time.Unix()), true
	}
	return 0, false
}
