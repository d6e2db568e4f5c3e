package exec

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner"
)

// aggState accumulates one aggregate of one group.
type aggState struct {
	count    int64
	sum      decimalSum
	nnums    int64
	best     client.Value
	distinct map[string]bool
	nums     []float64 // median, percentile: every number, sorted at the end
	mean, m2 float64   // stddev, var: Welford's running mean and sum of squares
	modes    map[string]*modeCount
}

// modeCount counts one value for mode.
type modeCount struct {
	v client.Value
	n int64
}

// valueKey identifies a value for grouping and distinct counts: nulls are
// one value whatever missing code they came from.
func valueKey(v client.Value) string {
	switch v.Kind {
	case client.KindNull:
		return "null"
	case client.KindCodeSet:
		codes := slices.Clone(v.Codes)
		slices.Sort(codes)
		return "c" + strings.Join(codes, ",")
	case client.KindDate, client.KindDatetime, client.KindTime:
		return strconv.Itoa(int(v.Kind)) + v.Time.Format(time.RFC3339)
	}
	if v.Kind == client.KindNumber {
		if v.Num == 0 {
			return "n0" // -0 and 0 are one value, as they are in where
		}
		return "n" + strconv.FormatFloat(v.Num, 'g', -1, 64)
	}
	return strconv.Itoa(int(v.Kind)) + v.String()
}

// aggregateAll groups the kept rows, accumulates the aggregates of each
// group and evaluates the output items over each group's row: its keys,
// then its aggregates' results (see program.gslots).
func (it *rowIter) aggregateAll() ([][]client.Value, error) {
	prog := it.prog
	type group struct {
		keys   []client.Value
		states []aggState
	}
	var order []*group
	byKey := map[string]*group{}
	var kb strings.Builder
	for {
		r, ok, err := it.nextKept()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		it.ev.SetRow(r)
		kb.Reset()
		keys := make([]client.Value, len(prog.GroupBy))
		for i, f := range prog.GroupBy {
			keys[i] = f(it.ev)
			kb.WriteString(valueKey(keys[i]))
			kb.WriteByte(0)
		}
		g := byKey[kb.String()]
		if g == nil {
			g = &group{keys: keys, states: make([]aggState, len(prog.Aggregates))}
			byKey[kb.String()] = g
			order = append(order, g)
		}
		for i, agg := range prog.Aggregates {
			st := &g.states[i]
			if agg.Star {
				st.count++
				continue
			}
			v := agg.Arg(it.ev)
			if v.Kind == client.KindNull {
				continue
			}
			if agg.Distinct {
				if st.distinct == nil {
					st.distinct = map[string]bool{}
				}
				k := valueKey(v)
				if st.distinct[k] {
					continue
				}
				st.distinct[k] = true
			}
			st.count++
			switch agg.Name {
			case "sum", "avg":
				if n, ok := planner.AsNumber(v); ok {
					st.sum.add(n)
					st.nnums++
				}
			case "median", "percentile":
				if n, ok := planner.AsNumber(v); ok {
					st.nums = append(st.nums, n)
				}
			case "stddev", "var":
				if n, ok := planner.AsNumber(v); ok {
					st.nnums++
					d := n - st.mean
					st.mean += d / float64(st.nnums)
					st.m2 += d * (n - st.mean)
				}
			case "mode":
				if st.modes == nil {
					st.modes = map[string]*modeCount{}
				}
				k := valueKey(v)
				if m := st.modes[k]; m != nil {
					m.n++
				} else {
					st.modes[k] = &modeCount{v: v, n: 1}
				}
			case "min", "max":
				if st.best.Kind == client.KindNull {
					st.best = v
				} else if c := orderCompare(v, st.best); (agg.Name == "min" && c < 0) || (agg.Name == "max" && c > 0) {
					st.best = v
				}
			}
		}
	}
	if len(order) == 0 && len(prog.GroupBy) == 0 {
		order = append(order, &group{states: make([]aggState, len(prog.Aggregates))})
	}
	out := make([][]client.Value, 0, len(order))
	nk := len(prog.GroupBy)
	grow := &planner.Row{Vals: make([]client.Value, nk+len(prog.Aggregates))}
	for _, g := range order {
		copy(grow.Vals, g.keys)
		for i, agg := range prog.Aggregates {
			st := g.states[i]
			var v client.Value
			switch agg.Name {
			case "count":
				v = client.Value{Kind: client.KindNumber, Num: float64(st.count)}
			case "sum":
				if st.nnums > 0 {
					v = planner.Number(st.sum.sum())
				}
			case "avg":
				if st.nnums > 0 {
					v = planner.Number(st.sum.mean(st.nnums))
				}
			case "median", "percentile":
				v = percentile(st.nums, agg.Param)
			case "var", "stddev":
				// the sample variance, as SQL's var_samp and stddev_samp: null below two values
				if st.nnums > 1 {
					x := st.m2 / float64(st.nnums-1)
					if agg.Name == "stddev" {
						x = math.Sqrt(x)
					}
					v = planner.Number(x)
				}
			case "mode":
				v = modeOf(st.modes)
			default:
				v = st.best
			}
			grow.Vals[nk+i] = v
		}
		it.ev.SetRow(grow)
		if !prog.KeepGroup(it.ev) {
			continue
		}
		row := make([]client.Value, len(prog.Outputs))
		for i, f := range prog.Outputs {
			row[i] = f(it.ev)
		}
		out = append(out, row)
	}
	return out, nil
}

// percentile is the p-th quantile of nums with linear interpolation between
// the two nearest ranks (SQL's percentile_cont); null when nums is empty.
func percentile(nums []float64, p float64) client.Value {
	if len(nums) == 0 {
		return client.Value{}
	}
	slices.Sort(nums)
	pos := p * float64(len(nums)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(nums)-1)
	return planner.Number(nums[lo] + (pos-float64(lo))*(nums[hi]-nums[lo]))
}

// modeOf is the most frequent value; a tie goes to the smallest value, so
// that the answer does not depend on the order of the rows.
func modeOf(counts map[string]*modeCount) client.Value {
	var best *modeCount
	for _, m := range counts {
		if best == nil || m.n > best.n || m.n == best.n && orderCompare(m.v, best.v) < 0 {
			best = m
		}
	}
	if best == nil {
		return client.Value{}
	}
	return best.v
}
