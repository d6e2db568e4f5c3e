package rq_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client/redcaptest"
)

// Explain shows the calls made under the project's own batch limits: a
// pushed list of 12 records is one call by default, but an id step and
// batches when only 5 ids may go in a call.
func TestExplainUsesBatchOptions(t *testing.T) {
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 50, Seed: 1}))
	q := "select age from records where record in ('1','2','3','4','5','6','7','8','9','10','11','12')"
	for _, tc := range []struct {
		name string
		opts []rq.Option
		want string
	}{
		{"default limits", nil, "step: the only one"},
		{"5 ids per call", []rq.Option{rq.WithMaxIDsPerBatch(5)}, "step: 1 of 2, the record ids"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := rq.Open(srv.URL, srv.Token("rq demo study"), tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			e, err := p.Explain(context.Background(), q, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.Text, tc.want) {
				t.Errorf("explain lacks %q:\n%s", tc.want, e.Text)
			}
		})
	}
}
