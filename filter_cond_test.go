package rq_test

import (
	"context"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client/redcaptest"
)

// Filter's condition is parsed on its own (lang.ParseExpr): errors point
// into the condition, and nothing after it (order by, limit, ';') is
// silently dropped.
func TestFilterConditionErrors(t *testing.T) {
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 5, Seed: 1}))
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		t.Fatal(err)
	}
	for cond, want := range map[string]string{
		"sbp >> 140":             "1:6: ",
		"":                       "1:1: expected a condition or value, found nothing",
		"sbp > 140 limit 3":      "1:11: unexpected 'limit' after the number 140",
		"sbp > 140 order by sbp": "1:11: unexpected 'order' after the number 140",
		"sbp > 1\n  and age <":   "2:",
	} {
		_, err := p.Filter(context.Background(), cond)
		if err == nil || len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("Filter(%q): %v, want %q...", cond, err, want)
		}
	}
}
