package exec

import (
	"math"
	"strconv"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestColStatsBounded feeds a column more values than summarize keeps: the
// counts, min, max and mean stay exact, the sample and the distinct set stop
// growing, and the median and distinct count are close estimates.
func TestColStatsBounded(t *testing.T) {
	const total = ExactValues + ExactValues/2
	c := newColStats("x", nil)
	for i := 1; i <= total; i++ {
		c.add(client.Value{Kind: client.KindNumber, Num: float64(i), Str: strconv.Itoa(i)}, "")
	}
	if c.n != total || c.min != 1 || c.max != total || math.Abs(c.mean-(total+1)/2.0) > 1e-6 {
		t.Errorf("n %d min %v max %v mean %v", c.n, c.min, c.max, c.mean)
	}
	if len(c.sample) != ExactValues || c.distinct != nil || c.hll == nil {
		t.Fatalf("sample %d values, exact distinct set kept: %v", len(c.sample), c.distinct != nil)
	}
	r := c.row(nil)
	med := r[15].Num
	if math.Abs(med-total/2.0)/total > 0.01 {
		t.Errorf("median %v, want about %v", med, total/2)
	}
	if d := r[11].Num; math.Abs(d-total)/total > 0.02 {
		t.Errorf("distinct %v, want about %v", d, total)
	}
}

func TestBars(t *testing.T) {
	for _, tt := range []struct {
		in   []int64
		want string
	}{
		{[]int64{0, 1, 8}, " ▁█"},
		{[]int64{4, 8}, "▄█"},
		{[]int64{0, 0}, ""},
	} {
		if got := bars(tt.in); got != tt.want {
			t.Errorf("bars(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
