package client

import (
	"strconv"
	"strings"
	"time"
)

// Value is one typed REDCap value. Which of Num, Str, Time and Codes is
// meaningful depends on Kind; Str also keeps the value's export text.
type Value struct {
	Kind    Kind      // KindNull for blank, missing or not fitting
	Num     float64   // KindNumber; KindBool: 1 (true) or 0 (false)
	Str     string    // KindText; for other kinds the export text it was parsed from (may be empty); for a null, the raw text of a value that did not fit its field
	Time    time.Time // KindDate, KindDatetime (UTC, as REDCap stores no zone); KindTime (on 0000-01-01)
	Codes   []string  // KindCodeSet: ticked codes in dictionary order
	Missing string    // the missing-data code when the raw value was one (Kind is then KindNull)
}

// IsNull reports whether v is null (blank, missing or not fitting its field).
func (v Value) IsNull() bool { return v.Kind == KindNull }

// Has reports whether a code set holds code.
func (v Value) Has(code string) bool {
	for _, c := range v.Codes {
		if c == code {
			return true
		}
	}
	return false
}

// String renders v in REDCap's raw export form: the missing code for a
// missing value, "" for other nulls, ISO dates and times, dot-decimal numbers
// (or the exact text they were parsed from), comma-joined codes for a code
// set and true or false for a boolean.
func (v Value) String() string {
	switch v.Kind {
	case KindNull:
		return v.Missing
	case KindText:
		return v.Str
	case KindBool:
		return strconv.FormatBool(v.Num != 0)
	}
	if v.Str != "" {
		return v.Str
	}
	switch v.Kind {
	case KindNumber:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case KindDate:
		return v.Time.Format("2006-01-02")
	case KindDatetime:
		if v.Time.Second() != 0 {
			return v.Time.Format("2006-01-02 15:04:05")
		}
		return v.Time.Format("2006-01-02 15:04")
	case KindTime:
		if v.Time.Second() != 0 {
			return v.Time.Format("15:04:05")
		}
		return v.Time.Format("15:04")
	case KindCodeSet:
		return strings.Join(v.Codes, ",")
	}
	return ""
}

// Any returns v as a plain Go value: nil, float64, string, time.Time,
// []string or bool.
func (v Value) Any() any {
	switch v.Kind {
	case KindBool:
		return v.Num != 0
	case KindText:
		return v.Str
	case KindNumber:
		return v.Num
	case KindDate, KindDatetime, KindTime:
		return v.Time
	case KindCodeSet:
		return v.Codes
	}
	return nil
}

// ValueError says why a raw export value does not fit its field.
type ValueError struct {
	Record string // record id, when known
	Field  string // field name
	Column string // export column, when it differs from Field (checkbox columns)
	Value  string // the raw value
	Reason string // what is wrong, e.g. "not an integer"
}

// Error formats the error as `record 3, field "age": value "abc": not an integer`.
func (e *ValueError) Error() string {
	var b strings.Builder
	if e.Record != "" {
		b.WriteString("record ")
		b.WriteString(strconv.Quote(e.Record))
		b.WriteString(", ")
	}
	b.WriteString("field ")
	b.WriteString(strconv.Quote(e.Field))
	if e.Column != "" && e.Column != e.Field {
		b.WriteString(" (column ")
		b.WriteString(strconv.Quote(e.Column))
		b.WriteString(")")
	}
	b.WriteString(": value ")
	b.WriteString(strconv.Quote(e.Value))
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}
