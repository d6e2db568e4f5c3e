package rq_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client/redcaptest"
)

// A query's plan is the same before and after its rows are read, and an
// explain analyze's figures come with its rows (and Rows.ExplainJSON), not in
// the plan: nothing writes into a plan after planning.
func TestQueryLeavesPlanUnchanged(t *testing.T) {
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 30, Seed: 1}))
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"), rq.WithMaxIDsPerBatch(5), rq.WithConcurrency(2))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const q = "select age, score from records where score > 5 and form = 'baseline'"
	rows, err := p.Query(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := rows.Plan()
	text, js := plan.Explain(), string(plan.ExplainJSON())
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Close(); err != nil || rows.Err() != nil || n == 0 {
		t.Fatalf("%d rows, %v, %v", n, err, rows.Err())
	}
	if plan.Explain() != text || string(plan.ExplainJSON()) != js {
		t.Errorf("reading the rows changed the plan:\nbefore %s\nafter  %s", text, plan.Explain())
	}

	rows, err = p.Query(ctx, "explain analyze "+q, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		lines = append(lines, rows.Value(0).String())
	}
	text = strings.Join(lines, "\n")
	if !strings.Contains(text, "rows read: ") || !strings.Contains(string(rows.ExplainJSON()), `"analyze"`) {
		t.Fatalf("explain analyze without the run's figures:\n%s\n%s", text, rows.ExplainJSON())
	}
	if !strings.Contains(text, "as few calls as 2 in flight") {
		t.Errorf("explain analyze ignores the engine's tuning:\n%s", text)
	}
	if strings.Contains(rows.Plan().Explain(), "analyze:") || strings.Contains(string(rows.Plan().ExplainJSON()), `"analyze"`) {
		t.Errorf("the run's figures were written into the plan:\n%s", rows.Plan().Explain())
	}
}
