package exec

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/axiomhq/hyperloglog"

	"github.com/redcapql/rq/client"
)

// Bounds of summarize's memory, per column. Counts (n, blank, missing codes,
// invalid values, choice codes) and min, max, mean and stddev are exact for
// any number of rows. Up to ExactValues values the median and the histogram
// are exact too; past it they come from a uniform sample of ExactValues
// values. Up to ExactDistinct distinct values the distinct count is exact;
// past it, it is a HyperLogLog estimate (about 1% error).
const (
	ExactValues   = 100_000
	ExactDistinct = 100_000
)

// summaryHistBins is the number of bars of a number or date histogram.
const summaryHistBins = 8

// colStats accumulates one column's summary in one pass.
type colStats struct {
	name  string
	field *client.Field // nil when the column is not a project field
	kind  client.Kind   // the kind of the values seen (the field's for fields)

	rows, n, blank, invalid int64
	missing                 map[string]int64
	examples                []string

	distinct map[string]struct{} // exact, until ExactDistinct
	hll      *hyperloglog.Sketch // after

	// numbers, dates, datetimes and times, as float64 (days for dates and
	// datetimes, seconds for times)
	nums     int64
	mean, m2 float64 // Welford's running mean and sum of squared deviations
	min, max float64
	sample   []float64
	rng      *rand.Rand
	codes    map[string]int64 // choice codes (checkbox: ticked codes)
}

func newColStats(name string, f *client.Field) *colStats {
	c := &colStats{name: name, field: f, missing: map[string]int64{}, distinct: map[string]struct{}{},
		rng: rand.New(rand.NewPCG(1, uint64(len(name))))}
	if f != nil {
		c.kind = f.Kind
		if len(f.Choices) > 0 {
			c.codes = map[string]int64{}
		}
	}
	return c
}

// choice reports whether the column is a choice field (radio, dropdown,
// checkbox, yes/no, true/false, form status): summarized by its codes.
func (c *colStats) choice() bool { return c.codes != nil }

// numeric reports whether the column gets min, max, mean, median and stddev.
func (c *colStats) numeric() bool {
	if c.choice() {
		return false
	}
	switch c.kind {
	case client.KindNumber, client.KindDate, client.KindDatetime, client.KindTime:
		return true
	}
	return false
}

// add counts one value; rec is the row's record id ("" when unknown).
func (c *colStats) add(v client.Value, rec string) {
	c.rows++
	switch {
	case v.Kind == client.KindNull && v.Missing != "":
		c.missing[v.Missing]++
		return
	case v.Kind == client.KindNull && v.Str != "":
		c.invalid++
		if len(c.examples) < 3 {
			ex := strconv.Quote(v.Str)
			if rec != "" {
				ex += " (record " + rec + ")"
			}
			c.examples = append(c.examples, ex)
		}
		return
	case v.Kind == client.KindNull, v.Kind == client.KindCodeSet && len(v.Codes) == 0,
		v.Kind == client.KindText && v.Str == "":
		c.blank++
		return
	}
	c.n++
	if c.field == nil && c.kind == client.KindNull {
		c.kind = v.Kind
	}
	c.addDistinct(v.String())
	if c.codes != nil {
		if v.Kind == client.KindCodeSet {
			for _, code := range v.Codes {
				c.codes[code]++
			}
		} else {
			c.codes[v.String()]++
		}
	}
	if x, ok := toFloat(v); ok && v.Kind == c.kind {
		c.addNum(x)
	}
}

func (c *colStats) addDistinct(s string) {
	if c.hll != nil {
		c.hll.Insert([]byte(s))
		return
	}
	c.distinct[s] = struct{}{}
	if len(c.distinct) > ExactDistinct {
		c.hll = hyperloglog.New16()
		for k := range c.distinct {
			c.hll.Insert([]byte(k))
		}
		c.distinct = nil
	}
}

func (c *colStats) addNum(x float64) {
	c.nums++
	if c.nums == 1 || x < c.min {
		c.min = x
	}
	if c.nums == 1 || x > c.max {
		c.max = x
	}
	d := x - c.mean
	c.mean += d / float64(c.nums)
	c.m2 += d * (x - c.mean)
	if len(c.sample) < ExactValues {
		c.sample = append(c.sample, x)
		return
	}
	// reservoir sampling (Algorithm R): every value seen so far is in the
	// sample with the same probability
	if j := c.rng.Int64N(c.nums); j < ExactValues {
		c.sample[j] = x
	}
}

// toFloat maps a number, date, datetime or time to a float: the number,
// days since 1970-01-01, or seconds since midnight.
func toFloat(v client.Value) (float64, bool) {
	switch v.Kind {
	case client.KindNumber:
		return v.Num, true
	case client.KindDate, client.KindDatetime:
		return float64(v.Time.Unix()) / 86400, true
	case client.KindTime:
		t := v.Time
		return float64(t.Hour()*3600 + t.Minute()*60 + t.Second()), true
	}
	return 0, false
}

// fromFloat is toFloat's inverse for the column's kind.
func (c *colStats) fromFloat(x float64) client.Value {
	switch c.kind {
	case client.KindDate: // the mean or median of dates: the nearest day
		return client.Value{Kind: client.KindDate, Time: time.Unix(int64(math.Round(x))*86400, 0).UTC()}
	case client.KindDatetime:
		return client.Value{Kind: client.KindDatetime, Time: time.Unix(int64(math.Round(x*86400)), 0).UTC()}
	case client.KindTime:
		s := int(math.Round(x))
		return client.Value{Kind: client.KindTime, Time: time.Date(0, 1, 1, s/3600, s/60%60, s%60, 0, time.UTC)}
	}
	return numberValue(x)
}

// numberValue is a number rounded for reading: at most 4 decimals.
func numberValue(x float64) client.Value {
	r := math.Round(x*1e4) / 1e4
	return client.Value{Kind: client.KindNumber, Num: r, Str: strconv.FormatFloat(r, 'f', -1, 64)}
}

// median of the sample: the middle value, or the mean of the two middle ones.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// distinctCount is the exact count, or the estimate past ExactDistinct.
func (c *colStats) distinctCount() int64 {
	if c.hll != nil {
		return int64(c.hll.Estimate())
	}
	return int64(len(c.distinct))
}

// missingText lists the missing-data codes met, in the project's order of
// codes: "UNK 3, NA 1".
func (c *colStats) missingText(order []client.Choice) string {
	var parts []string
	seen := map[string]bool{}
	for _, m := range order {
		if n := c.missing[m.Code]; n > 0 {
			parts = append(parts, m.Code+" "+strconv.FormatInt(n, 10))
			seen[m.Code] = true
		}
	}
	var rest []string
	for code := range c.missing {
		if !seen[code] {
			rest = append(rest, code)
		}
	}
	slices.Sort(rest)
	for _, code := range rest {
		parts = append(parts, code+" "+strconv.FormatInt(c.missing[code], 10))
	}
	return strings.Join(parts, ", ")
}

// topText lists the choice codes met, most frequent first (ties in the
// field's order), at most 5: "2 Female 54, 1 Male 46".
func (c *colStats) topText() string {
	type cc struct {
		code  string
		n     int64
		order int
	}
	var all []cc
	for i, ch := range c.field.Choices {
		if n := c.codes[ch.Code]; n > 0 {
			all = append(all, cc{ch.Code, n, i})
		}
	}
	slices.SortStableFunc(all, func(a, b cc) int {
		if a.n != b.n {
			if a.n > b.n {
				return -1
			}
			return 1
		}
		return a.order - b.order
	})
	var parts []string
	for i, x := range all {
		if i == 5 {
			parts = append(parts, "…")
			break
		}
		label, _ := c.field.ChoiceLabel(x.code)
		parts = append(parts, x.code+" "+label+" "+strconv.FormatInt(x.n, 10))
	}
	return strings.Join(parts, ", ")
}

// blocks are the bar heights of a histogram, lowest first.
var blocks = []rune("▁▂▃▄▅▆▇█")

// bars draws counts as one block each, scaled to the largest; a zero count
// is a space.
func bars(counts []int64) string {
	var top int64
	for _, n := range counts {
		top = max(top, n)
	}
	if top == 0 {
		return ""
	}
	var b strings.Builder
	for _, n := range counts {
		if n == 0 {
			b.WriteByte(' ')
			continue
		}
		i := int(math.Ceil(float64(n)*float64(len(blocks))/float64(top))) - 1
		b.WriteRune(blocks[max(0, min(i, len(blocks)-1))])
	}
	return b.String()
}

// histogram is the column's distribution: one bar per choice in the field's
// order, or summaryHistBins equal-width bins from min to max for numbers and
// dates (from the sample past ExactValues).
func (c *colStats) histogram() string {
	if c.choice() {
		counts := make([]int64, len(c.field.Choices))
		for i, ch := range c.field.Choices {
			counts[i] = c.codes[ch.Code]
		}
		return bars(counts)
	}
	if !c.numeric() || c.nums == 0 {
		return ""
	}
	counts := make([]int64, summaryHistBins)
	width := (c.max - c.min) / summaryHistBins
	for _, x := range c.sample {
		i := 0
		if width > 0 {
			i = min(int((x-c.min)/width), summaryHistBins-1)
		}
		counts[i]++
	}
	if width == 0 {
		counts = counts[:1]
	}
	return bars(counts)
}
