package refeval

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of an oracle value (rq-language.md §4).
type Kind uint8

// The kinds; the zero Kind is null.
const (
	KindNull Kind = iota
	KindText
	KindNumber
	KindDate
	KindDatetime
	KindTime
	KindCodeSet
)

// Value is one typed value of the oracle. Num holds a number, Str a text
// (and, for other kinds, the export text it was read from), Time a date,
// datetime or time (on 0000-01-01), Codes a checkbox's ticked codes in
// choice order, Missing the missing-data code of a null that was one.
type Value struct {
	Kind    Kind
	Num     float64
	Str     string
	Time    time.Time
	Codes   []string
	Missing string
}

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.Kind == KindNull }

// Has reports whether a code set holds code.
func (v Value) Has(code string) bool { return slices.Contains(v.Codes, code) }

// String renders v as REDCap exports it: the export text it was read from;
// a computed value in plain decimal, ISO form or comma-joined codes; a null
// as its missing code or "".
func (v Value) String() string {
	switch {
	case v.Kind == KindNull:
		return v.Missing
	case v.Str != "" || v.Kind == KindText:
		return v.Str
	case v.Kind == KindNumber:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case v.Kind == KindCodeSet:
		return strings.Join(v.Codes, ",")
	}
	layout := map[Kind]string{KindDate: time.DateOnly, KindDatetime: time.DateTime, KindTime: time.TimeOnly}[v.Kind]
	return v.Time.Format(layout)
}

// Canon renders v for comparing results: kind and content, nulls alike
// whatever missing code they came from, numbers to 9 significant digits
// (sums and averages may differ in the last bits), code sets sorted.
func (v Value) Canon() string {
	switch v.Kind {
	case KindNull:
		return "NULL"
	case KindNumber:
		if v.Num == math.Trunc(v.Num) && math.Abs(v.Num) < 1e15 {
			return "n:" + strconv.FormatFloat(v.Num, 'f', -1, 64)
		}
		return "n:" + strconv.FormatFloat(v.Num, 'g', 9, 64)
	case KindText:
		return "s:" + v.Str
	case KindDate:
		return "d:" + v.Time.Format("2006-01-02")
	case KindDatetime:
		return "dt:" + v.Time.Format("2006-01-02 15:04:05")
	case KindTime:
		return "t:" + v.Time.Format("15:04:05")
	case KindCodeSet:
		codes := slices.Clone(v.Codes)
		slices.Sort(codes)
		return "c:" + strings.Join(codes, ",")
	}
	return fmt.Sprintf("?%v", v)
}

var (
	// REDCap's number syntax: a sign, digits with an optional fraction (or
	// a bare fraction), an optional exponent.
	numberSyntax      = regexp.MustCompile(`^[-+]?([0-9]+|[0-9]*\.[0-9]+)([eE][-+]?[0-9]+)?$`)
	commaNumberSyntax = regexp.MustCompile(`^[-+]?([0-9]+|[0-9]*[.,][0-9]+)([eE][-+]?[0-9]+)?$`)
	integerSyntax     = regexp.MustCompile(`^[-+]?[0-9]+$`)
	dateSyntax        = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	datetimeSyntax    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})?$`)
	clockSyntax       = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$`)
	minSecSyntax      = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}$`)

	numberSyntaxes = map[mode]*regexp.Regexp{modeInteger: integerSyntax, modeNumber: numberSyntax, modeNumberComma: commaNumberSyntax}
)

// parse types one raw export value of a (non-checkbox) field. A blank is
// null, a missing-data code null with Missing set, a value that does not
// fit the field null.
func (s *Schema) parse(f *Field, raw string) Value {
	if raw == "" {
		return Value{}
	}
	if !f.NoMissing && slices.ContainsFunc(s.missing, func(c Choice) bool { return c.Code == raw }) {
		return Value{Missing: raw}
	}
	switch f.mode {
	case modeText:
		return Value{Kind: KindText, Str: raw}
	case modeInteger, modeNumber, modeNumberComma:
		t := strings.Trim(raw, " \t") // as PHP's is_numeric
		if !numberSyntaxes[f.mode].MatchString(t) {
			return Value{}
		}
		n, err := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
		if err != nil {
			return Value{} // out of range
		}
		return Value{Kind: KindNumber, Num: n, Str: t}
	case modeDate:
		return timeValue(KindDate, raw, dateSyntax, "2006-01-02")
	case modeDatetime:
		layout := "2006-01-02 15:04"
		if len(raw) == len("2006-01-02 15:04:05") {
			layout = "2006-01-02 15:04:05"
		}
		return timeValue(KindDatetime, raw, datetimeSyntax, layout)
	case modeTime:
		layout := "15:04"
		if len(raw) == len("15:04:05") {
			layout = "15:04:05"
		}
		return timeValue(KindTime, raw, clockSyntax, layout)
	case modeMinSec:
		return timeValue(KindTime, raw, minSecSyntax, "04:05")
	case modeChoice:
		if _, ok := f.label(raw); !ok {
			return Value{}
		}
		if f.Kind == KindNumber {
			n, _ := strconv.ParseFloat(raw, 64)
			return Value{Kind: KindNumber, Num: n, Str: raw}
		}
		return Value{Kind: KindText, Str: raw}
	}
	return Value{}
}

// timeValue reads raw in layout when it has the shape; time.Parse checks the
// calendar and the clock's ranges.
func timeValue(k Kind, raw string, shape *regexp.Regexp, layout string) Value {
	if !shape.MatchString(raw) {
		return Value{}
	}
	t, err := time.Parse(layout, raw)
	if err != nil {
		return Value{}
	}
	return Value{Kind: k, Time: t, Str: raw}
}

// checkbox types a checkbox from its ___code columns' raw values (in
// Columns order): all blank is null; each "1" ticks its code, "0" does not;
// a ticked missing-data column makes the value null with Missing set; a
// mix of blanks and values, or anything else, does not fit (null).
func (f *Field) checkbox(raws []string) Value {
	blank := 0
	v := Value{Kind: KindCodeSet, Codes: []string{}}
	for i, raw := range raws {
		switch raw {
		case "":
			blank++
		case "0":
		case "1":
			if _, choice := f.label(f.colCode[i]); choice {
				v.Codes = append(v.Codes, f.colCode[i])
			} else {
				v.Missing = f.colCode[i]
			}
		default:
			return Value{}
		}
	}
	switch {
	case blank == len(raws) || blank > 0:
		return Value{}
	case v.Missing != "":
		return Value{Missing: v.Missing}
	}
	return v
}
