package rq_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redcapql/rq/client/redcaptest"
)

// TestRecordOrderAndComparison checks what docs/cookbook.md says about the
// record id: order by record follows REDCap's record order (numeric ids by
// value), while a comparison such as record > '5' compares text.
func TestRecordOrderAndComparison(t *testing.T) {
	p, _ := demo(t, 20, redcaptest.Faults{})
	ctx := context.Background()
	ids := func(from, to int) string { // "from..to" as a comma list, either way
		var out []string
		for i := from; ; {
			out = append(out, strconv.Itoa(i))
			if i == to {
				return strings.Join(out, ",")
			}
			if from < to {
				i++
			} else {
				i--
			}
		}
	}
	tests := []struct{ query, want string }{
		{"select record from records where form = 'enrollment' order by record limit 12", ids(1, 12)},
		{"select record from records where form = 'enrollment' order by record desc limit 12", ids(20, 9)},
		{"select record_id from records where form = 'enrollment' order by record_id limit 11", ids(1, 11)},
		{"select record from records where form = 'enrollment' and record > '5'", ids(6, 9)},
		{"select record from records where form = 'enrollment' and record <= '10'", "1,10"},
		{"select record from records where form = 'enrollment' and (length(record) > 1 or record > '5')", ids(6, 20)},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var got []string
			for _, r := range reader(t)(p.Query(ctx, tc.query, nil)) {
				got = append(got, r[0])
			}
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("got %s, want %s", g, tc.want)
			}
		})
	}
}
