package planner

import (
	"strconv"
	"testing"

	"github.com/redcapql/rq/lang"
)

// BenchmarkPlanHeadline plans the headline query (checking, pushdown,
// compiling the residual); the statement is parsed once.
func BenchmarkPlanHeadline(b *testing.B) {
	pl := demoPlanner(b)
	stmt, err := lang.Parse("select age, score from records where score > 5 and form = 'baseline'")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pl.Plan(stmt, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePlanHeadline parses and plans the headline query, as a user's
// statement is: the target is ≤ 100 µs (participle is the only parser).
func BenchmarkParsePlanHeadline(b *testing.B) {
	pl := demoPlanner(b)
	b.ReportAllocs()
	for b.Loop() {
		stmt, err := lang.Parse("select age, score from records where score > 5 and form = 'baseline'")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pl.Plan(stmt, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// residualRows types n rows with score and age values (some blank or invalid).
func residualRows(b *testing.B, p *Plan, n int) []*Row {
	cols := []string{"record_id", "redcap_event_name", "score", "age"}
	raw := &memRows{cols: cols}
	for i := range n {
		r := []string{strconv.Itoa(i), "enrollment_arm_1", strconv.Itoa(i % 11), strconv.Itoa(10 + i%80)}
		if i%17 == 0 {
			r[2] = ""
		}
		raw.rows = append(raw.rows, r)
	}
	rows, err := TypeRows(p, raw)
	if err != nil {
		b.Fatal(err)
	}
	return rows
}

func benchResidual(b *testing.B, src string) {
	benchFilter(b, src, false)
}

// benchFilter times the residual of src, compiled as the planner does or,
// with viaExpr, with every conjunct that computes values as one expr
// program (how it ran before the closures, kept as the tests' oracle).
func benchFilter(b *testing.B, src string, viaExpr bool) {
	pl := demoPlanner(b, WithoutPushdown())
	p := mustPlan(b, pl, src, nil)
	rows := residualRows(b, p, 1<<16)
	ev := newEvalCtx(0, p.scratch)
	filter := p.prog.filter
	if viaExpr {
		cp := &compiler{a: p.a, allExpr: true}
		filter = nil
		for _, e := range p.residual {
			c, err := cp.residual(e)
			if err != nil {
				b.Fatal(err)
			}
			filter = append(filter, c)
		}
		ev = newEvalCtx(0, cp.nscratch)
	}
	prog := p.Program() // exec's path: Env.SetRow, Program.Keep
	if viaExpr {
		prog = &Program{filter: filter}
	}
	kept := 0
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, r := range rows {
			ev.SetRow(r)
			if prog.Keep(ev) {
				kept++
			}
		}
		n += len(rows)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
	if kept == 0 {
		b.Fatal("nothing kept")
	}
}

// BenchmarkResidual evaluates the residual of
// score > 5 and age between 18 and 65 over typed rows, on one goroutine.
func BenchmarkResidual(b *testing.B) {
	benchResidual(b, "select record from records where score > 5 and age between 18 and 65")
}

// BenchmarkResidualExpr evaluates a residual that goes through expr
// programs (function calls and arithmetic), for comparison.
func BenchmarkResidualExpr(b *testing.B) {
	benchResidual(b, residualExprQuery)
}

const residualExprQuery = "select record from records where abs(score - 5) > 1 and age * 2 between 36 and 130"

// BenchmarkResidualExprVM is BenchmarkResidualExpr through expr programs,
// for the before/after ratio in one run.
func BenchmarkResidualExprVM(b *testing.B) {
	benchFilter(b, residualExprQuery, true)
}

// BenchmarkRun measures the whole local pipeline (typing raw rows,
// residual, projection) for the headline query over raw demo-shaped rows.
func BenchmarkRun(b *testing.B) {
	pl := demoPlanner(b, WithoutPushdown())
	p := mustPlan(b, pl, "select age, score from records where score > 5 and form = 'baseline'", nil)
	cols := demoColumns(b)
	idx := func(c string) int {
		for i, x := range cols {
			if x == c {
				return i
			}
		}
		b.Fatalf("no column %s", c)
		return -1
	}
	var rows [][]string
	for i := range 1 << 15 {
		r := make([]string, len(cols))
		r[idx("record_id")] = strconv.Itoa(i / 3)
		switch i % 3 {
		case 0:
			r[idx("redcap_event_name")] = "enrollment_arm_1"
			r[idx("age")] = strconv.Itoa(18 + i%70)
			r[idx("score")] = strconv.Itoa(i % 11)
			r[idx("baseline_complete")] = "2"
		default:
			r[idx("redcap_event_name")] = "week_4_arm_1"
			r[idx("sbp")] = "120"
			r[idx("visit_complete")] = "2"
		}
		rows = append(rows, r)
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		out := runPlan(b.Context(), p, &memRows{cols: cols, rows: rows})
		for out.Next() {
		}
		if out.Err() != nil {
			b.Fatal(out.Err())
		}
		n += len(rows)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
