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
	sum      float64
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
			g = &group{keys: keys, states: make([]aggState, len(prog.items))}
			byKey[kb.String()] = g
			order = append(order, g)
		}
		for i, item := range prog.items {
			if item.agg == nil {
				continue
			}
			st := &g.states[i]
			if item.agg.Star {
				st.count++
				continue
			}
			v := prog.aggArgs[i](it.ev)
			if v.Kind == client.KindNull {
				continue
			}
			if item.agg.Distinct {
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
			switch item.agg.Name {
			case "sum", "avg":
				if n, ok := asNumber(v); ok {
					st.sum += n
					st.nums++
				}
			case "min", "max":
				if st.best.Kind == client.KindNull {
					st.best = v
				} else if c := orderCompare(v, st.best); (item.agg.Name == "min" && c < 0) || (item.agg.Name == "max" && c > 0) {
					st.best = v
				}
			}
		}
	}
	if len(order) == 0 && len(prog.groupBy) == 0 {
		order = append(order, &group{states: make([]aggState, len(prog.items))})
	}
	out := make([][]client.Value, 0, len(order))
	for _, g := range order {
		row := make([]client.Value, len(prog.items))
		for i, item := range prog.items {
			if item.agg == nil {
				row[i] = g.keys[item.group]
				continue
			}
			st := g.states[i]
			switch item.agg.Name {
			case "count":
				row[i] = client.Value{Kind: client.KindNumber, Num: float64(st.count)}
			case "sum":
				if st.nums > 0 {
					row[i] = number(st.sum)
				}
			case "avg":
				if st.nums > 0 {
					row[i] = number(st.sum / float64(st.nums))
				}
			default:
				row[i] = st.best
			}
		}
		out = append(out, row)
	}
	return out, nil
}
