package planner

import (
	"fmt"
	"github.com/redcapql/rq/planner/fetch"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// dumpPlan writes everything reachable from a plan, unexported fields
// included, as text: two dumps differ when anything in the plan changed.
// The planner, catalog and dictionary behind it are shared by every plan
// and left out; so are the insides of funcs (only nil-ness is seen).
func dumpPlan(p *Plan) string {
	var b strings.Builder
	dump(&b, reflect.ValueOf(p), 0, map[uintptr]bool{})
	return b.String()
}

func dump(b *strings.Builder, v reflect.Value, depth int, seen map[uintptr]bool) {
	if depth > 80 {
		b.WriteString("…")
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		switch v.Type().Elem().String() {
		case "planner.Planner", "client.Dictionary", "catalog.Catalog":
			fmt.Fprintf(b, "%s@%x", v.Type(), v.Pointer())
			return
		}
		if seen[v.Pointer()] {
			fmt.Fprintf(b, "@%x", v.Pointer())
			return
		}
		seen[v.Pointer()] = true
		fmt.Fprintf(b, "&%x", v.Pointer())
		dump(b, v.Elem(), depth+1, seen)
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString(v.Elem().Type().String())
		dump(b, v.Elem(), depth+1, seen)
	case reflect.Struct:
		if v.Type().PkgPath() == "sync" {
			return
		}
		b.WriteString("{")
		for i := range v.NumField() {
			fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
			dump(b, v.Field(i), depth+1, seen)
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("nil")
			return
		}
		fmt.Fprintf(b, "[%d:", v.Len())
		for i := range v.Len() {
			dump(b, v.Index(i), depth+1, seen)
			b.WriteString(",")
		}
		b.WriteString("]")
	case reflect.Map:
		// keys in a fixed order (pointer keys by address), so that pointers
		// are first seen in the same place in every dump
		keys := v.MapKeys()
		name := func(k reflect.Value) string {
			if k.Kind() == reflect.Pointer || k.Kind() == reflect.Interface && k.Elem().Kind() == reflect.Pointer {
				return fmt.Sprintf("%v", k)
			}
			return fmt.Sprintf("%#v", k)
		}
		sort.Slice(keys, func(i, j int) bool { return name(keys[i]) < name(keys[j]) })
		b.WriteString("map{")
		for _, k := range keys {
			b.WriteString(name(k) + "=")
			dump(b, v.MapIndex(k), depth+1, seen)
			b.WriteString(";")
		}
		b.WriteString("}")
	case reflect.Func:
		fmt.Fprintf(b, "func(nil=%v)", v.IsNil())
	case reflect.Chan:
		fmt.Fprintf(b, "chan(len=%d)", v.Len())
	default:
		fmt.Fprintf(b, "%v", v)
	}
}

// TestPlanUnchangedByExecution runs plans — fetch, typing, residual,
// grouping, aggregates, order and limit, an explain analyze — twice
// against the demo server, and checks that nothing in the plan changed:
// the engine's tuning goes in with the execution and the run's figures come
// back in their own values.
func TestPlanUnchangedByExecution(t *testing.T) {
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 30, Seed: 1}))
	c, err := client.New(srv.URL, srv.Token("rq demo study"), client.WithRateLimit(0))
	if err != nil {
		t.Fatal(err)
	}
	pl, _ := planners(t, c)
	tune := Tuning{Concurrency: 2, CellsPerBatch: 500, MaxIDsPerBatch: 4}
	for _, q := range []string{
		"select age, score from records where score > 5 and form = 'baseline'",
		"explain analyze select age, score from records where score > 5 and form = 'baseline'",
		"select record, [enrollment_arm_1][age] as age0, sbp from records where form = 'visit' and sbp > 100 order by sbp desc, record limit 5 offset 1",
		"select sex, count(*), avg(score) from records group by sex having count(*) > 1 order by sex",
		"select distinct med_name from records where med_name is not null",
		"select field_name, field_type from metadata where field_type <> 'descriptive' order by field_name limit 3",
	} {
		t.Run(q, func(t *testing.T) {
			p := mustPlan(t, pl, q, nil)
			before, text, js := dumpPlan(p), p.ExplainWith(ExplainOptions{Tuning: tune}), string(p.ExplainJSON())
			var results []string
			for range 2 {
				var raw fetch.RawRows
				var fetched *fetch.FetchRows
				var err error
				if p.Source == "records" {
					fetched, err = fetch.Fetch(t.Context(), c, p.Export, p.FetchOptions(tune))
					raw = fetched
				} else {
					raw, err = fetch.FetchSource(t.Context(), c, p.Source)
				}
				if err != nil {
					t.Fatal(err)
				}
				rows := runPlan(t.Context(), p, raw)
				results = append(results, strings.Join(collect(t, rows), "\n"))
				run := &RunStats{Local: new(LocalStats)}
				*run.Local = rows.Stats()
				if fetched != nil {
					st := fetched.Stats()
					run.Fetch = &st
				}
				if p.Analyze && !strings.Contains(p.ExplainWith(ExplainOptions{Tuning: tune, Run: run}), "rows read: ") {
					t.Errorf("explain analyze shows no run:\n%s", p.ExplainWith(ExplainOptions{Tuning: tune, Run: run}))
				}
			}
			if results[0] != results[1] {
				t.Errorf("two runs of one plan differ:\n%s\n---\n%s", results[0], results[1])
			}
			if after := dumpPlan(p); after != before {
				t.Errorf("the plan changed while running:\nbefore %s\nafter  %s", before, after)
			}
			if p.ExplainWith(ExplainOptions{Tuning: tune}) != text || string(p.ExplainJSON()) != js {
				t.Errorf("the plan explains differently after running")
			}
		})
	}
}
