package logic

import (
	"math"
	"strconv"
	"strings"
)

type vkind uint8

const (
	vNum vkind = iota
	vStr
	vBool
)

// value is an intermediate result. References keep their raw text in str
// (for blank tests, string functions and missing codes) and set ref.
type value struct {
	k   vkind
	num float64
	str string
	b   bool
	ref bool
}

func numV(f float64) value  { return value{k: vNum, num: f} }
func strV(s string) value   { return value{k: vStr, str: s} }
func boolV(b bool) value    { return value{k: vBool, b: b} }
func nanV() value           { return numV(math.NaN()) }
func isNaN(f float64) bool  { return f != f }
func (v value) blank() bool { return v.text() == "" }

// text is the value as a string, the way PHP would print it (NaN as blank).
func (v value) text() string {
	switch v.k {
	case vStr:
		return v.str
	case vBool:
		if v.b {
			return "1"
		}
		return ""
	}
	if v.ref {
		return v.str
	}
	return formatNum(v.num)
}

// number converts for arithmetic: non-numeric text is NaN.
func (v value) number() float64 {
	switch v.k {
	case vNum:
		return v.num
	case vBool:
		if v.b {
			return 1
		}
		return 0
	}
	if f, ok := numeric(v.str); ok {
		return f
	}
	return math.NaN()
}

// truth is the value in a boolean context; NaN (blank) is false.
func (v value) truth() bool {
	switch v.k {
	case vBool:
		return v.b
	case vNum:
		return v.num != 0 && !isNaN(v.num)
	}
	return v.str != "" && v.str != "0"
}

func formatNum(f float64) string {
	switch {
	case isNaN(f):
		return ""
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'G', 14, 64)
}

// numeric reports whether s is a PHP 8 numeric string (optional surrounding
// whitespace, sign, digits with an optional fraction and exponent).
func numeric(s string) (float64, bool) {
	t := strings.Trim(s, " \t\n\r\v\f")
	if t == "" {
		return 0, false
	}
	i := 0
	if t[i] == '+' || t[i] == '-' {
		i++
	}
	digits := 0
	for i < len(t) && isDigit(t[i]) {
		i++
		digits++
	}
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && isDigit(t[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		j := i + 1
		if j < len(t) && (t[j] == '+' || t[j] == '-') {
			j++
		}
		if j < len(t) && isDigit(t[j]) {
			for j < len(t) && isDigit(t[j]) {
				j++
			}
			i = j
		}
	}
	if i != len(t) {
		return 0, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// compare applies op with REDCap's rules: numbers (NaN never equal or
// ordered), PHP 8 loose comparison between strings and numbers, booleans.
func compare(op string, a, b value) bool {
	var c int // -1, 0, 1; or NaN handling below
	switch {
	case a.k == vBool || b.k == vBool:
		x, y := a.truth(), b.truth()
		c = boolCmp(x, y)
	case a.k == vNum || b.k == vNum:
		x, y := a, b
		var fx, fy float64
		numericCmp := true
		if x.k == vNum {
			fx = x.num
		} else if f, ok := numeric(x.str); ok {
			fx = f
		} else {
			numericCmp = false
		}
		if y.k == vNum {
			fy = y.num
		} else if f, ok := numeric(y.str); ok {
			fy = f
		} else {
			numericCmp = false
		}
		if isNaN(fx) && x.k == vNum || isNaN(fy) && y.k == vNum {
			return op == "<>"
		}
		if numericCmp {
			c = floatCmp(fx, fy)
		} else {
			// number against a non-numeric string: compare as strings.
			c = strings.Compare(x.text(), y.text())
		}
	default:
		fx, okx := numeric(a.str)
		fy, oky := numeric(b.str)
		if okx && oky {
			c = floatCmp(fx, fy)
		} else {
			c = strings.Compare(a.str, b.str)
		}
	}
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func floatCmp(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func boolCmp(x, y bool) int {
	switch {
	case x == y:
		return 0
	case !x:
		return -1
	}
	return 1
}
