package client

import (
	"strconv"
	"strings"
	"time"
)

// Parse converts a raw export value of f to a typed Value. A blank is null; a
// missing-data code is null with Missing set (unless the field has
// @NOMISSING). A value that does not fit the field's type gives a null Value
// and a *ValueError saying why. Checkbox fields take a comma-separated list of
// codes (combined checkbox export, or one EAV code); for the ___code columns
// use CodeSetFromColumns.
func (f *Field) Parse(raw string) (Value, error) {
	if raw == "" {
		return Value{}, nil
	}
	if f.missingCode(raw) {
		return Value{Missing: raw}, nil
	}
	switch f.parse {
	case parseText:
		return Value{Kind: KindText, Str: raw}, nil
	case parseInteger:
		s := trimNumber(raw)
		if !isInteger(s) {
			return f.bad(raw, "not an integer")
		}
		return number(f, raw, s)
	case parseNumber:
		s := trimNumber(raw)
		if !isNumber(s, '.') {
			return f.bad(raw, "not a number")
		}
		return number(f, raw, s)
	case parseNumberComma:
		s := trimNumber(raw)
		if !isNumber(s, ',') {
			return f.bad(raw, "not a number (comma or dot decimal)")
		}
		return number(f, raw, s)
	case parseDate:
		t, ok := scanDate(raw)
		if !ok || len(raw) != 10 {
			return f.bad(raw, "not a date (YYYY-MM-DD)")
		}
		return Value{Kind: KindDate, Time: t, Str: raw}, nil
	case parseDatetime:
		t, ok := scanDatetime(raw)
		if !ok {
			return f.bad(raw, "not a datetime (YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS)")
		}
		return Value{Kind: KindDatetime, Time: t, Str: raw}, nil
	case parseTime:
		h, m, s, ok := scanClock(raw)
		if !ok {
			return f.bad(raw, "not a time (HH:MM or HH:MM:SS)")
		}
		return Value{Kind: KindTime, Time: time.Date(0, 1, 1, h, m, s, 0, time.UTC), Str: raw}, nil
	case parseTimeMMSS:
		m, okm := two(raw, 0)
		s, oks := two(raw, 3)
		if len(raw) != 5 || raw[2] != ':' || !okm || !oks || m > 59 || s > 59 {
			return f.bad(raw, "not a time (MM:SS)")
		}
		return Value{Kind: KindTime, Time: time.Date(0, 1, 1, 0, m, s, 0, time.UTC), Str: raw}, nil
	case parseChoice:
		if _, ok := f.codes[raw]; !ok {
			return f.bad(raw, "not a choice code of the field")
		}
		if f.NumericCodes {
			return number(f, raw, raw)
		}
		return Value{Kind: KindText, Str: raw}, nil
	case parseCheckbox:
		return f.parseCodeList(raw)
	}
	return f.bad(raw, "descriptive field has no value")
}

// bad returns a null Value and the reason raw does not fit f.
func (f *Field) bad(raw, reason string) (Value, error) {
	return Value{}, &ValueError{Field: f.Name, Value: raw, Reason: reason}
}

// trimNumber drops spaces and tabs around a number, as PHP's is_numeric
// (and so REDCap) accepts them.
func trimNumber(s string) string {
	if s == "" || s[0] != ' ' && s[0] != '\t' && s[len(s)-1] != ' ' && s[len(s)-1] != '\t' {
		return s
	}
	return strings.Trim(s, " \t")
}

// number converts text, the trimmed raw value already checked by isNumber
// (',' or '.' decimal mark). Short plain decimals are converted exactly
// without strconv: a mantissa below 2^53 divided by an exact power of ten
// rounds correctly.
func number(f *Field, raw, text string) (Value, error) {
	if n, ok := fastNumber(text); ok {
		return Value{Kind: KindNumber, Num: n, Str: text}, nil
	}
	s := text
	var buf [64]byte
	if i := strings.IndexByte(text, ','); i >= 0 {
		if len(text) <= len(buf) {
			n := copy(buf[:], text)
			buf[i] = '.'
			s = string(buf[:n])
		} else {
			s = text[:i] + "." + text[i+1:]
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return f.bad(raw, "number out of range")
	}
	return Value{Kind: KindNumber, Num: n, Str: text}, nil
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastNumber converts [-+]digits[(.|,)digits] of at most 15 digits; ok is
// false for anything else (exponents, long mantissas), left to strconv.
func fastNumber(s string) (float64, bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		i = 1
	}
	var m uint64
	digits, frac, point := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if point {
				frac++
			}
		case (c == '.' || c == ',') && !point:
			point = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	n := float64(m) / pow10[frac]
	if neg {
		n = -n
	}
	return n, true
}

// parseCodeList reads "1,3" (codes of a checkbox) into a code set.
func (f *Field) parseCodeList(raw string) (Value, error) {
	seen := make([]bool, len(f.Choices))
	for _, c := range strings.Split(raw, ",") {
		i, ok := f.codes[strings.TrimSpace(c)]
		if !ok {
			return f.bad(raw, "code "+strconv.Quote(c)+" is not a choice of the checkbox")
		}
		seen[i] = true
	}
	v := Value{Kind: KindCodeSet}
	for i, ok := range seen {
		if ok {
			v.Codes = append(v.Codes, f.Choices[i].Code)
		}
	}
	return v, nil
}

// CodeSetFromColumns builds a checkbox's value from its ___code columns,
// given in Columns() order: "1" ticks the code, "0" does not. All blank (a
// form not designated for the event) is null; a ticked missing-data column
// gives null with Missing set. For other fields it is an error.
func (f *Field) CodeSetFromColumns(vals []string) (Value, error) {
	if f.parse != parseCheckbox {
		return Value{}, &ValueError{Field: f.Name, Reason: "not a checkbox field"}
	}
	if len(vals) != len(f.columns) {
		return Value{}, &ValueError{Field: f.Name, Reason: "got " + strconv.Itoa(len(vals)) + " column values, want " + strconv.Itoa(len(f.columns))}
	}
	v := Value{Kind: KindCodeSet, Codes: []string{}}
	blank := 0
	for i, s := range vals {
		code := f.colCode[i]
		switch s {
		case "":
			blank++
		case "0":
		case "1":
			if i >= len(f.Choices) { // a missing-data column
				v.Missing = code
			} else {
				v.Codes = append(v.Codes, code)
			}
		default:
			return Value{}, &ValueError{Field: f.Name, Column: f.columns[i], Value: s, Reason: "checkbox column holds neither 0 nor 1"}
		}
	}
	if blank == len(vals) {
		return Value{}, nil
	}
	if blank > 0 {
		return Value{}, &ValueError{Field: f.Name, Value: strings.Join(vals, ","), Reason: "some checkbox columns blank, others not"}
	}
	if v.Missing != "" {
		return Value{Missing: v.Missing}, nil
	}
	return v, nil
}

// isInteger reports whether s is [-+]?[0-9]+.
func isInteger(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNumber reports whether s is [-+]?[0-9]*(point)?[0-9]+([eE][-+]?[0-9]+)?,
// REDCap's number syntax, with point as the decimal mark; a comma point also
// accepts '.'.
func isNumber(s string, point byte) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	intDigits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		intDigits++
	}
	if i < len(s) && (s[i] == point || s[i] == '.') {
		i++
		frac := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			frac++
		}
		if frac == 0 {
			return false
		}
	} else if intDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// two reads two decimal digits at s[i:].
func two(s string, i int) (int, bool) {
	if i+2 > len(s) {
		return 0, false
	}
	a, b := s[i]-'0', s[i+1]-'0'
	if a > 9 || b > 9 {
		return 0, false
	}
	return int(a)*10 + int(b), true
}

// scanDate reads YYYY-MM-DD at the start of s and checks the calendar.
func scanDate(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	y1, ok1 := two(s, 0)
	y2, ok2 := two(s, 2)
	mo, ok3 := two(s, 5)
	d, ok4 := two(s, 8)
	if !ok1 || !ok2 || !ok3 || !ok4 || mo < 1 || mo > 12 || d < 1 {
		return time.Time{}, false
	}
	y := y1*100 + y2
	if d > daysIn(y, mo) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// scanClock reads HH:MM or HH:MM:SS (the whole of s).
func scanClock(s string) (h, m, sec int, ok bool) {
	if len(s) != 5 && len(s) != 8 || s[2] != ':' {
		return 0, 0, 0, false
	}
	h, ok1 := two(s, 0)
	m, ok2 := two(s, 3)
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, 0, 0, false
	}
	if len(s) == 8 {
		var ok3 bool
		if sec, ok3 = two(s, 6); !ok3 || s[5] != ':' || sec > 59 {
			return 0, 0, 0, false
		}
	}
	return h, m, sec, true
}

// scanDatetime reads YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS (the whole of s).
func scanDatetime(s string) (time.Time, bool) {
	if len(s) != 16 && len(s) != 19 || s[10] != ' ' {
		return time.Time{}, false
	}
	t, ok := scanDate(s)
	if !ok {
		return time.Time{}, false
	}
	h, m, sec, ok := scanClock(s[11:])
	if !ok {
		return time.Time{}, false
	}
	return t.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second), true
}
