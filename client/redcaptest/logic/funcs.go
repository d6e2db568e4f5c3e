package logic

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

type function struct {
	min, max int // argument counts; max -1: no limit
	fn       func(ev *evaluator, c *call) (value, error)
}

// now is the clock behind 'today' and 'now'; tests replace it.
var now = time.Now

// functions is REDCap's allow-list; any other name is a parse error.
var functions map[string]function

func init() {
	functions = map[string]function{
		"if": {3, 3, fnIf},
		// dates
		"datediff": {3, 5, fnDatediff},
		"calcdate": {3, 3, fnCalcdate},
		"year":     {1, 1, datePart(func(t time.Time) int { return t.Year() })},
		"month":    {1, 1, datePart(func(t time.Time) int { return int(t.Month()) })},
		"day":      {1, 1, datePart(func(t time.Time) int { return t.Day() })},
		// math
		"sum":         {1, -1, aggregate(aggSum)},
		"mean":        {1, -1, aggregate(aggMean)},
		"median":      {1, -1, aggregate(aggMedian)},
		"stdev":       {1, -1, aggregate(aggStdev)},
		"min":         {1, -1, aggregate(func(xs []float64) float64 { return slices.Min(xs) })},
		"max":         {1, -1, aggregate(func(xs []float64) float64 { return slices.Max(xs) })},
		"round":       {1, 2, rounder(roundHalfAway)},
		"roundup":     {1, 2, rounder(func(x float64) float64 { return math.Copysign(math.Ceil(math.Abs(x)), x) })},
		"rounddown":   {1, 2, rounder(math.Trunc)},
		"sqrt":        {1, 1, math1(math.Sqrt)},
		"abs":         {1, 1, math1(math.Abs)},
		"exponential": {1, 1, math1(math.Exp)},
		"log":         {1, 2, fnLog},
		"mod":         {2, 2, fnMod},
		"isnumber":    {1, 1, fnIsNumber},
		"isinteger":   {1, 1, fnIsInteger},
		// text
		"contains":     {2, 2, text2(func(h, n string) value { return boolV(strings.Contains(strings.ToLower(h), strings.ToLower(n))) })},
		"not_contain":  {2, 2, text2(func(h, n string) value { return boolV(!strings.Contains(strings.ToLower(h), strings.ToLower(n))) })},
		"starts_with":  {2, 2, text2(func(h, n string) value { return boolV(strings.HasPrefix(strings.ToLower(h), strings.ToLower(n))) })},
		"ends_with":    {2, 2, text2(func(h, n string) value { return boolV(strings.HasSuffix(strings.ToLower(h), strings.ToLower(n))) })},
		"find":         {2, 2, text2(fnFind)},
		"left":         {2, 2, fnLeft},
		"right":        {2, 2, fnRight},
		"mid":          {3, 3, fnMid},
		"length":       {1, 1, text1(func(s string) value { return numV(float64(utf8.RuneCountInString(s))) })},
		"concat":       {1, -1, fnConcat},
		"concat_ws":    {2, -1, fnConcatWS},
		"upper":        {1, 1, text1(func(s string) value { return strV(strings.ToUpper(s)) })},
		"lower":        {1, 1, text1(func(s string) value { return strV(strings.ToLower(s)) })},
		"trim":         {1, 1, text1(func(s string) value { return strV(strings.TrimSpace(s)) })},
		"replace_text": {3, 3, fnReplace},
		"calctext":     {1, 1, text1(func(s string) value { return strV(s) })},
		// missing-data codes
		"isblankormissingcode":  {1, 1, missing(func(blank, missing bool) bool { return blank || missing })},
		"isblanknotmissingcode": {1, 1, missing(func(blank, missing bool) bool { return blank && !missing })},
		"ismissingcode":         {1, 1, missing(func(blank, missing bool) bool { return missing })},
		"hasmissingcode":        {1, 1, missing(func(blank, missing bool) bool { return missing })},
	}
}

func (ev *evaluator) args(c *call) ([]value, error) {
	vs := make([]value, len(c.args))
	for i, a := range c.args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
}

func fnIf(ev *evaluator, c *call) (value, error) {
	cond, err := ev.eval(c.args[0])
	if err != nil {
		return value{}, err
	}
	if cond.truth() {
		return ev.eval(c.args[1])
	}
	return ev.eval(c.args[2])
}

// parseDate reads REDCap's stored date/datetime forms, 'today' and 'now',
// and (with format mdy or dmy) the display orders.
func parseDate(s, format string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return time.Time{}, false
	case "today":
		y, m, d := now().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
	case "now":
		n := now()
		return time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), n.Minute(), n.Second(), 0, time.UTC), true
	}
	layouts := []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "15:04", "15:04:05"}
	switch format {
	case "mdy":
		layouts = append(layouts, "01-02-2006", "01/02/2006", "01-02-2006 15:04", "01/02/2006 15:04", "01-02-2006 15:04:05")
	case "dmy":
		layouts = append(layouts, "02-01-2006", "02/01/2006", "02-01-2006 15:04", "02/01/2006 15:04", "02-01-2006 15:04:05")
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var unitSeconds = map[string]float64{
	"y": 365.2425 * 86400, "M": 30.44 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1,
}

func fnDatediff(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	format, signed := "ymd", false
	for _, v := range vs[3:] {
		switch t := strings.ToLower(v.text()); {
		case v.k == vStr && (t == "ymd" || t == "mdy" || t == "dmy"):
			format = t
		case v.k == vStr && t == "true":
			signed = true
		default:
			signed = v.truth()
		}
	}
	unit, ok := unitSeconds[vs[2].text()]
	if !ok {
		return nanV(), nil
	}
	d1, ok1 := parseDate(vs[0].text(), format)
	d2, ok2 := parseDate(vs[1].text(), format)
	if !ok1 || !ok2 {
		return nanV(), nil
	}
	diff := d2.Sub(d1).Seconds() / unit
	if !signed {
		diff = math.Abs(diff)
	}
	return numV(diff), nil
}

func fnCalcdate(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	raw := strings.TrimSpace(vs[0].text())
	t, ok := parseDate(raw, "ymd")
	unit, uok := unitSeconds[vs[2].text()]
	off := vs[1].number()
	if !ok || !uok || isNaN(off) {
		return strV(""), nil
	}
	t = t.Add(time.Duration(off * unit * float64(time.Second)))
	switch {
	case len(raw) == 10 || strings.EqualFold(raw, "today"):
		return strV(t.Format("2006-01-02")), nil
	case len(raw) == 16:
		return strV(t.Format("2006-01-02 15:04")), nil
	}
	return strV(t.Format("2006-01-02 15:04:05")), nil
}

func datePart(part func(time.Time) int) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		v, err := ev.eval(c.args[0])
		if err != nil {
			return value{}, err
		}
		t, ok := parseDate(v.text(), "ymd")
		if !ok {
			return nanV(), nil
		}
		return numV(float64(part(t))), nil
	}
}

// aggregate applies f to the numeric arguments; non-numbers are skipped and
// no numbers at all gives NaN (blank).
func aggregate(f func([]float64) float64) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		vs, err := ev.args(c)
		if err != nil {
			return value{}, err
		}
		xs := make([]float64, 0, len(vs))
		for _, v := range vs {
			if x := v.number(); !isNaN(x) {
				xs = append(xs, x)
			}
		}
		if len(xs) == 0 {
			return nanV(), nil
		}
		return numV(f(xs)), nil
	}
}

func aggSum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func aggMean(xs []float64) float64 { return aggSum(xs) / float64(len(xs)) }

func aggMedian(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// aggStdev is the sample standard deviation (n-1), 0 for one value.
func aggStdev(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	m := aggMean(xs)
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

func roundHalfAway(x float64) float64 { return math.Round(x) }

func rounder(f func(float64) float64) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		vs, err := ev.args(c)
		if err != nil {
			return value{}, err
		}
		x := vs[0].number()
		dp := 0.0
		if len(vs) > 1 {
			dp = math.Trunc(vs[1].number())
		}
		if isNaN(x) || isNaN(dp) {
			return nanV(), nil
		}
		p := math.Pow(10, dp)
		// round the scaled value first to absorb binary noise (2.675 -> 267.5).
		scaled := x * p
		if r := math.Round(scaled*1e9) / 1e9; math.Abs(r-scaled) < 1e-9*math.Max(1, math.Abs(scaled)) {
			scaled = r
		}
		return numV(f(scaled) / p), nil
	}
}

func math1(f func(float64) float64) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		v, err := ev.eval(c.args[0])
		if err != nil {
			return value{}, err
		}
		return numV(f(v.number())), nil
	}
}

func fnLog(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	x := vs[0].number()
	if len(vs) == 1 {
		return numV(math.Log(x)), nil
	}
	return numV(math.Log(x) / math.Log(vs[1].number())), nil
}

func fnMod(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	y := vs[1].number()
	if y == 0 {
		return nanV(), nil
	}
	return numV(math.Mod(vs[0].number(), y)), nil
}

func fnIsNumber(ev *evaluator, c *call) (value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return value{}, err
	}
	if v.k == vNum && !v.ref {
		return boolV(!isNaN(v.num)), nil
	}
	_, ok := numeric(v.text())
	return boolV(ok), nil
}

func fnIsInteger(ev *evaluator, c *call) (value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return value{}, err
	}
	if v.k == vNum && !v.ref {
		return boolV(!isNaN(v.num) && v.num == math.Trunc(v.num)), nil
	}
	s := strings.TrimSpace(v.text())
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return boolV(false), nil
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return boolV(false), nil
		}
	}
	return boolV(true), nil
}

func text1(f func(string) value) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		v, err := ev.eval(c.args[0])
		if err != nil {
			return value{}, err
		}
		return f(v.text()), nil
	}
}

func text2(f func(a, b string) value) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		vs, err := ev.args(c)
		if err != nil {
			return value{}, err
		}
		return f(vs[0].text(), vs[1].text()), nil
	}
}

// fnFind is find(needle, haystack): the 1-based position, 0 when absent,
// case-insensitive.
func fnFind(needle, haystack string) value {
	i := strings.Index(strings.ToLower(haystack), strings.ToLower(needle))
	if i < 0 {
		return numV(0)
	}
	return numV(float64(utf8.RuneCountInString(strings.ToLower(haystack)[:i]) + 1))
}

func count(v value) int {
	n := v.number()
	if isNaN(n) || n < 0 {
		return 0
	}
	return int(n)
}

func fnLeft(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	r := []rune(vs[0].text())
	n := min(count(vs[1]), len(r))
	return strV(string(r[:n])), nil
}

func fnRight(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	r := []rune(vs[0].text())
	n := min(count(vs[1]), len(r))
	return strV(string(r[len(r)-n:])), nil
}

// fnMid is mid(text, start, count) with a 1-based start.
func fnMid(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	r := []rune(vs[0].text())
	start := count(vs[1]) - 1
	if start < 0 {
		start = 0
	}
	if start >= len(r) {
		return strV(""), nil
	}
	n := min(count(vs[2]), len(r)-start)
	return strV(string(r[start : start+n])), nil
}

func fnConcat(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.text())
	}
	return strV(b.String()), nil
}

// fnConcatWS joins the non-blank arguments with the separator.
func fnConcatWS(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	var parts []string
	for _, v := range vs[1:] {
		if t := v.text(); t != "" {
			parts = append(parts, t)
		}
	}
	return strV(strings.Join(parts, vs[0].text())), nil
}

func fnReplace(ev *evaluator, c *call) (value, error) {
	vs, err := ev.args(c)
	if err != nil {
		return value{}, err
	}
	if vs[1].text() == "" {
		return strV(vs[0].text()), nil
	}
	return strV(strings.ReplaceAll(vs[0].text(), vs[1].text(), vs[2].text())), nil
}

// missing evaluates a missing-code test. A bare checkbox argument has a
// missing code when one of the code options is ticked.
func missing(test func(blank, missing bool) bool) func(*evaluator, *call) (value, error) {
	return func(ev *evaluator, c *call) (value, error) {
		var codes []string
		if mc, ok := ev.row.(MissingCodes); ok {
			codes = mc.MissingCodes()
		}
		if r, ok := c.args[0].(*fieldRef); ok && !r.hasCode && ev.row.Kind(r.field) == Checkbox {
			ticked := false
			for _, code := range codes {
				cr := *r
				cr.code, cr.hasCode = code, true
				v, err := ev.ref(&cr)
				if err != nil {
					return value{}, err
				}
				if v.num == 1 {
					ticked = true
				}
			}
			return boolV(test(false, ticked)), nil
		}
		v, err := ev.eval(c.args[0])
		if err != nil {
			return value{}, err
		}
		t := v.text()
		return boolV(test(t == "", slices.Contains(codes, t))), nil
	}
}
