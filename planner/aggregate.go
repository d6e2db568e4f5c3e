package planner

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
)

// aggState accumulates one aggregate of one group.
type aggState struct {
	count    int64
	sum      decimalSum
	nums     int64
	best     client.Value
	distinct map[string]bool
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
		return "n" + strconv.FormatFloat(v.Num, 'g', -1, 64)
	}
	return strconv.Itoa(int(v.Kind)) + v.String()
}

// aggregateAll groups the kept rows, accumulates the aggregates of each
// group and evaluates the output items over each group's row: its keys,
// then its aggregates' results (see program.gslots).
func (it *rowIter) aggregateAll() ([][]client.Value, error) {
	prog := it.p.prog
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
		it.ev.r = r
		kb.Reset()
		keys := make([]client.Value, len(prog.groupFns))
		for i, f := range prog.groupFns {
			keys[i] = f(it.ev)
			kb.WriteString(valueKey(keys[i]))
			kb.WriteByte(0)
		}
		g := byKey[kb.String()]
		if g == nil {
			g = &group{keys: keys, states: make([]aggState, len(prog.aggs))}
			byKey[kb.String()] = g
			order = append(order, g)
		}
		for i, agg := range prog.aggs {
			st := &g.states[i]
			if agg.Star {
				st.count++
				continue
			}
			v := prog.aggArgs[i](it.ev)
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
				if n, ok := asNumber(v); ok {
					st.sum.add(n)
					st.nums++
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
	if len(order) == 0 && len(prog.groupBy) == 0 {
		order = append(order, &group{states: make([]aggState, len(prog.aggs))})
	}
	out := make([][]client.Value, 0, len(order))
	nk := len(prog.groupBy)
	grow := &trow{vals: make([]client.Value, nk+len(prog.aggs))}
	for _, g := range order {
		copy(grow.vals, g.keys)
		for i, agg := range prog.aggs {
			st := g.states[i]
			var v client.Value
			switch agg.Name {
			case "count":
				v = client.Value{Kind: client.KindNumber, Num: float64(st.count)}
			case "sum":
				if st.nums > 0 {
					v = number(st.sum.sum())
				}
			case "avg":
				if st.nums > 0 {
					v = number(st.sum.mean(st.nums))
				}
			default:
				v = st.best
			}
			grow.vals[nk+i] = v
		}
		it.ev.r = grow
		row := make([]client.Value, len(prog.items))
		for i, f := range prog.outs {
			row[i] = f(it.ev)
		}
		out = append(out, row)
	}
	return out, nil
}
