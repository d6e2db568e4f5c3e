package planner

import (
	"math"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// exprBoundEnv is the best case expr-lang offers a residual: a typed
// struct of float64 columns (no map, no nulls).
type exprBoundEnv struct {
	Score, Age float64
}

// BenchmarkExprBestCase runs BenchmarkResidualExpr's condition through
// expr-lang on its fastest path: a typed struct env, a typed function
// signature (no reflection), constant folding, one VM reused, no nulls.
// It bounds what the residual could reach through expr programs, against
// the closures BenchmarkResidualExpr measures (docs/performance.md,
// "Functions and arithmetic in the residual").
func BenchmarkExprBestCase(b *testing.B) {
	abs := func(x float64) float64 { return math.Abs(x) }
	prog, err := expr.Compile(`abs(Score - 5) > 1 and Age * 2 >= 36 and Age * 2 <= 130`,
		expr.Env(exprBoundEnv{}),
		expr.Function("abs", func(p ...any) (any, error) { return abs(p[0].(float64)), nil }, abs))
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]exprBoundEnv, 1024)
	for i := range rows {
		rows[i] = exprBoundEnv{Score: float64(i % 11), Age: float64(18 + i%60)}
	}
	var m vm.VM
	env := &exprBoundEnv{}
	kept := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		*env = rows[i&1023]
		out, err := m.Run(prog, env)
		if err != nil {
			b.Fatal(err)
		}
		if out.(bool) {
			kept++
		}
	}
	if kept == 0 {
		b.Fatal("no row kept: the condition is not what the benchmark means to run")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
