package planner

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// tri is a truth value of SQL's three-valued logic.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func (t tri) not() tri {
	switch t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}

// triValue is a truth value as a value: 1, 0 or null.
func triValue(t tri) client.Value {
	switch t {
	case triTrue:
		return client.Value{Kind: client.KindNumber, Num: 1}
	case triFalse:
		return client.Value{Kind: client.KindNumber, Num: 0}
	}
	return client.Value{}
}

// valueTri reads a value as a truth value: null is unknown, 0 false, anything else true.
func valueTri(v client.Value) tri {
	switch v.Kind {
	case client.KindNull:
		return triUnknown
	case client.KindNumber:
		return triOf(v.Num != 0)
	case client.KindText:
		return triOf(v.Str != "")
	}
	return triTrue
}

// AsNumber reads a value as a number: numbers as they are, text when it is a
// number (REDCap compares numeric strings as numbers), else not ok.
func AsNumber(v client.Value) (float64, bool) {
	switch v.Kind {
	case client.KindNumber:
		return v.Num, true
	case client.KindText:
		s := strings.TrimSpace(v.Str)
		if s == "" || !decimalText(s) {
			return 0, false
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// decimalText reports whether s uses only decimal number characters (so hex
// floats, infinities and NaN, which PHP does not read as numbers, are not numbers).
func decimalText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', c == '+', c == '-', c == '.', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

func isTimeKind(k client.Kind) bool {
	return k == client.KindDate || k == client.KindDatetime || k == client.KindTime
}

// CompareValues orders two non-null values; ok is false when either is null
// or they cannot be compared (the comparison is then unknown).
func CompareValues(a, b client.Value) (int, bool) {
	if a.Kind == client.KindNull || b.Kind == client.KindNull {
		return 0, false
	}
	switch {
	case a.Kind == client.KindNumber && b.Kind == client.KindNumber:
		return cmpFloat(a.Num, b.Num), true
	case a.Kind == client.KindText && b.Kind == client.KindText:
		return strings.Compare(a.Str, b.Str), true
	case a.Kind == client.KindNumber || b.Kind == client.KindNumber:
		x, ok1 := AsNumber(a)
		y, ok2 := AsNumber(b)
		if !ok1 || !ok2 {
			return 0, false
		}
		return cmpFloat(x, y), true
	case isTimeKind(a.Kind) && isTimeKind(b.Kind):
		return a.Time.Compare(b.Time), true
	case a.Kind == client.KindCodeSet || b.Kind == client.KindCodeSet:
		return 0, false
	}
	return strings.Compare(a.String(), b.String()), true
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// compareOp applies = <> < <= > >= with three-valued logic.
func compareOp(op lang.CompareOp, a, b client.Value) tri {
	c, ok := CompareValues(a, b)
	if !ok {
		return triUnknown
	}
	switch op {
	case lang.Eq:
		return triOf(c == 0)
	case lang.Ne:
		return triOf(c != 0)
	case lang.Lt:
		return triOf(c < 0)
	case lang.Le:
		return triOf(c <= 0)
	case lang.Gt:
		return triOf(c > 0)
	case lang.Ge:
		return triOf(c >= 0)
	}
	return triUnknown
}

// inList is SQL's x in (list): true on a match, else unknown when x or an item is null.
func inList(x client.Value, list []client.Value) tri {
	if x.Kind == client.KindNull {
		return triUnknown
	}
	out := triFalse
	for _, v := range list {
		c, ok := CompareValues(x, v)
		if !ok {
			out = triUnknown
			continue
		}
		if c == 0 {
			return triTrue
		}
	}
	return out
}

// between is lo <= x and x <= hi.
func between(x, lo, hi client.Value) tri {
	return and3(compareOp(lang.Ge, x, lo), compareOp(lang.Le, x, hi))
}

func and3(a, b tri) tri {
	if a == triFalse || b == triFalse {
		return triFalse
	}
	if a == triTrue && b == triTrue {
		return triTrue
	}
	return triUnknown
}

func or3(a, b tri) tri {
	if a == triTrue || b == triTrue {
		return triTrue
	}
	if a == triFalse && b == triFalse {
		return triFalse
	}
	return triUnknown
}

// hasCodes tests a checkbox value: has (one code), has any, has all.
func hasCodes(x client.Value, codes []string, all bool) tri {
	if x.Kind != client.KindCodeSet {
		return triUnknown
	}
	for _, c := range codes {
		h := x.Has(c)
		if all && !h {
			return triFalse
		}
		if !all && h {
			return triTrue
		}
	}
	return triOf(all)
}

// textOf renders a value as text for the text functions and LIKE.
func textOf(v client.Value) (string, bool) {
	if v.Kind == client.KindNull {
		return "", false
	}
	if v.Kind == client.KindText {
		return v.Str, true
	}
	return v.String(), true
}

// likePattern is a compiled SQL LIKE pattern: % any run, _ one character,
// ASCII case-insensitive.
type likePattern struct {
	parts []string // literal runs between wildcards, lower-cased
	wild  []byte   // wildcard before parts[i+1]: '%' or '_'
}

func compileLike(p string) *likePattern {
	lp := &likePattern{}
	var cur []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' || c == '_' {
			lp.parts = append(lp.parts, string(cur))
			lp.wild = append(lp.wild, c)
			cur = cur[:0:0]
			continue
		}
		cur = append(cur, lowerASCII(c))
	}
	lp.parts = append(lp.parts, string(cur))
	return lp
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldASCII lower-cases ASCII letters only (as PHP 8's stripos does).
func foldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

// match reports whether s matches the pattern (backtracking over the runes of s).
func (lp *likePattern) match(s string) bool {
	return likeMatch(foldASCII(s), lp.parts, lp.wild)
}

func likeMatch(s string, parts []string, wild []byte) bool {
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	if len(wild) == 0 {
		return s == ""
	}
	switch wild[0] {
	case '_':
		if s == "" {
			return false
		}
		_, size := decodeRune(s)
		return likeMatch(s[size:], parts[1:], wild[1:])
	default: // '%'
		for i := 0; ; {
			if likeMatch(s[i:], parts[1:], wild[1:]) {
				return true
			}
			if i >= len(s) {
				return false
			}
			_, size := decodeRune(s[i:])
			i += size
		}
	}
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

// ---- arithmetic and functions ----

func arith(op lang.ArithOp, a, b client.Value) client.Value {
	x, ok1 := AsNumber(a)
	y, ok2 := AsNumber(b)
	if !ok1 || !ok2 {
		return client.Value{}
	}
	var r float64
	switch op {
	case lang.Add:
		r = x + y
	case lang.Sub:
		r = x - y
	case lang.Mul:
		r = x * y
	case lang.Div:
		if y == 0 {
			return client.Value{}
		}
		r = x / y
	}
	return Number(r)
}

// Number is x as a value: null when x is NaN or infinite (a division by
// zero, an overflow), which no REDCap value can hold.
func Number(x float64) client.Value {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return client.Value{}
	}
	return client.Value{Kind: client.KindNumber, Num: x}
}

func text(s string) client.Value { return client.Value{Kind: client.KindText, Str: s} }

// callFunc evaluates a scalar function on evaluated arguments. Null in gives
// null out (but coalesce, missing).
func callFunc(name string, args []client.Value, field *client.Field) client.Value {
	switch name {
	case "coalesce":
		for _, a := range args {
			if a.Kind != client.KindNull {
				return a
			}
		}
		return client.Value{}
	case "missing":
		return triValue(triOf(args[0].Kind == client.KindNull && args[0].Missing != ""))
	case "label":
		return labelOf(field, args[0])
	}
	for _, a := range args {
		if a.Kind == client.KindNull {
			return client.Value{}
		}
	}
	switch name {
	case "lower":
		s, _ := textOf(args[0])
		return text(strings.ToLower(s))
	case "upper":
		s, _ := textOf(args[0])
		return text(strings.ToUpper(s))
	case "trim":
		s, _ := textOf(args[0])
		return text(strings.TrimSpace(s))
	case "length":
		if args[0].Kind == client.KindCodeSet {
			return Number(float64(len(args[0].Codes)))
		}
		s, _ := textOf(args[0])
		return Number(float64(len([]rune(s))))
	case "contains", "starts_with", "ends_with":
		h, _ := textOf(args[0])
		n, _ := textOf(args[1])
		h, n = foldASCII(h), foldASCII(n)
		switch name {
		case "contains":
			return triValue(triOf(strings.Contains(h, n)))
		case "starts_with":
			return triValue(triOf(strings.HasPrefix(h, n)))
		}
		return triValue(triOf(strings.HasSuffix(h, n)))
	case "abs":
		x, ok := AsNumber(args[0])
		if !ok {
			return client.Value{}
		}
		return Number(math.Abs(x))
	case "round":
		x, ok := AsNumber(args[0])
		if !ok {
			return client.Value{}
		}
		digits := 0.0
		if len(args) > 1 {
			if digits, ok = AsNumber(args[1]); !ok {
				return client.Value{}
			}
		}
		p := math.Pow(10, math.Trunc(digits))
		return Number(math.Round(x*p) / p)
	case "year", "month", "day":
		if !isTimeKind(args[0].Kind) {
			return client.Value{}
		}
		t := args[0].Time
		switch name {
		case "year":
			return Number(float64(t.Year()))
		case "month":
			return Number(float64(t.Month()))
		}
		return Number(float64(t.Day()))
	case "datediff":
		if !isTimeKind(args[0].Kind) || !isTimeKind(args[1].Kind) {
			return client.Value{}
		}
		// As REDCap: the absolute difference unless signed (then b − a).
		d := args[1].Time.Sub(args[0].Time).Seconds() / datediffUnits[args[2].Str]
		if len(args) < 4 || args[3].Num == 0 {
			d = math.Abs(d)
		}
		return Number(d)
	}
	return client.Value{}
}

// labelOf gives a choice field's label for a value (labels joined by ", " for a checkbox).
func labelOf(f *client.Field, v client.Value) client.Value {
	if f == nil {
		return client.Value{}
	}
	if v.Kind == client.KindNull {
		return client.Value{} // a missing-data code is null: so is its label
	}
	if v.Kind == client.KindCodeSet {
		var ls []string
		for _, c := range v.Codes {
			if l, ok := f.ChoiceLabel(c); ok {
				ls = append(ls, l)
			}
		}
		return text(strings.Join(ls, ", "))
	}
	code := v.Str
	if v.Kind == client.KindNumber && code == "" {
		code = strconv.FormatFloat(v.Num, 'f', -1, 64)
	}
	if l, ok := f.ChoiceLabel(code); ok {
		return text(l)
	}
	return client.Value{}
}
