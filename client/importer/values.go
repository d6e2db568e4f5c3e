package importer

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
)

var (
	reEmail = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	reZip   = regexp.MustCompile(`^[0-9]{5}(-?[0-9]{4})?$`)
	reAlpha = regexp.MustCompile(`^[A-Za-z\s]+$`)
	reSSN   = regexp.MustCompile(`^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$`)
	reMRN10 = regexp.MustCompile(`^[0-9]{10}$`)
	reDP    = regexp.MustCompile(`^number_([1-9])dp(_comma_decimal)?$`)
	// reDate is a date in the file's order: three groups of digits split by - or /.
	reDate = regexp.MustCompile(`^([0-9]{1,4})[-/]([0-9]{1,2})[-/]([0-9]{1,4})$`)
)

// checkValue checks one non-blank value (trimmed, but for notes) of a
// column. It returns "" when the value fits, else why it does not and
// whether that is only a warning.
func (im *Importer) checkValue(col *column, v string) (msg string, warning bool) {
	f := col.field
	if col.code != "" { // checkbox ___code column
		if v != "0" && v != "1" {
			return "a checkbox column holds 0 (unchecked) or 1 (checked)", false
		}
		return "", false
	}
	if col.status {
		if v != "0" && v != "1" && v != "2" {
			return "a form status is 0 (Incomplete), 1 (Unverified) or 2 (Complete)", false
		}
		return "", false
	}
	text := v
	if f.Kind == client.KindDate || f.Kind == client.KindDatetime {
		iso, ok := im.isoDate(v)
		if !ok {
			return "not a date" + im.dateHint(f), false
		}
		text = iso
	}
	val, err := f.Parse(text)
	if err != nil {
		var ve *client.ValueError
		if errors.As(err, &ve) && ve.Reason != "" {
			if f.Kind == client.KindDate || f.Kind == client.KindDatetime {
				return ve.Reason + im.dateHint(f), false
			}
			if len(f.Choices) > 0 {
				return ve.Reason + "; " + validCodes(f), false
			}
			return ve.Reason, false
		}
		return err.Error(), false
	}
	if val.Missing != "" {
		return "", false // a missing-data code
	}
	if msg := checkValidation(f, v); msg != "" {
		return msg, false
	}
	if msg := im.checkRange(f, val); msg != "" {
		return msg, im.allowOutOfRange
	}
	return "", false
}

// dateHint tells the expected date layout.
func (im *Importer) dateHint(f *client.Field) string {
	layout := map[string]string{"": "YYYY-MM-DD", "YMD": "YYYY-MM-DD", "MDY": "MM/DD/YYYY", "DMY": "DD/MM/YYYY"}[im.dateFormat]
	if f.Kind == client.KindDatetime {
		layout += " HH:MM"
		if strings.HasPrefix(f.Validation, "datetime_seconds") {
			layout += ":SS"
		}
	}
	return " (want " + layout + ")"
}

// isoDate rewrites a date or datetime written in the file's date format as
// YYYY-MM-DD[ time], as REDCap stores it.
func (im *Importer) isoDate(v string) (string, bool) {
	date, clock, hasClock := strings.Cut(v, " ")
	m := reDate.FindStringSubmatch(date)
	if m == nil {
		return "", false
	}
	var y, mo, d string
	switch im.dateFormat {
	case "MDY":
		mo, d, y = m[1], m[2], m[3]
	case "DMY":
		d, mo, y = m[1], m[2], m[3]
	default:
		y, mo, d = m[1], m[2], m[3]
	}
	if len(y) != 4 || len(mo) > 2 || len(d) > 2 {
		return "", false
	}
	iso := y + "-" + pad2(mo) + "-" + pad2(d)
	if hasClock {
		iso += " " + strings.TrimSpace(clock)
	}
	return iso, true
}

// checkValidation checks the text validations Field.Parse leaves as text.
func checkValidation(f *client.Field, v string) string {
	if f.FieldType == "slider" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return "a slider takes a whole number"
		}
		lo, hi := 0, 100
		if x, err := strconv.Atoi(strings.TrimSpace(f.Meta.TextValidationMin)); err == nil {
			lo = x
		}
		if x, err := strconv.Atoi(strings.TrimSpace(f.Meta.TextValidationMax)); err == nil {
			hi = x
		}
		if n < lo || n > hi {
			return fmt.Sprintf("a slider takes a whole number from %d to %d", lo, hi)
		}
		return ""
	}
	if f.FieldType != "text" {
		return ""
	}
	switch f.Validation {
	case "email":
		if !reEmail.MatchString(v) {
			return "not an e-mail address (like joe@example.org)"
		}
	case "zipcode":
		if !reZip.MatchString(v) {
			return "not a 5 or 9 digit U.S. ZIP code"
		}
	case "phone":
		digits := 0
		for _, r := range v {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune(" ()-.", r):
			default:
				return "not a 10 digit U.S. phone number"
			}
		}
		if digits != 10 {
			return "not a 10 digit U.S. phone number"
		}
	case "alpha_only":
		if !reAlpha.MatchString(v) {
			return "letters only"
		}
	case "ssn":
		if !reSSN.MatchString(v) {
			return "not a social security number (123-45-6789)"
		}
	case "mrn_10d":
		if !reMRN10.MatchString(v) {
			return "not a 10 digit medical record number"
		}
	default:
		if m := reDP.FindStringSubmatch(f.Validation); m != nil {
			n, _ := strconv.Atoi(m[1])
			point := "."
			if m[2] != "" {
				point = ","
			}
			_, frac, ok := strings.Cut(strings.TrimSpace(v), point)
			if !ok && m[2] != "" {
				_, frac, ok = strings.Cut(strings.TrimSpace(v), ".")
			}
			if !ok || len(frac) != n {
				return fmt.Sprintf("want exactly %d decimal place(s)", n)
			}
		}
	}
	return ""
}

// checkRange compares a typed value with the field's validation min and
// max. Bounds rq cannot read (blank, "today", "now", a [field] reference)
// are not checked.
func (im *Importer) checkRange(f *client.Field, v client.Value) string {
	if f.FieldType != "text" {
		return ""
	}
	lo, hi := strings.TrimSpace(f.Meta.TextValidationMin), strings.TrimSpace(f.Meta.TextValidationMax)
	if lo == "" && hi == "" {
		return ""
	}
	bound := func(s string) (client.Value, bool) {
		if s == "" {
			return client.Value{}, false
		}
		b, err := f.Parse(s)
		if err != nil || b.Kind != v.Kind {
			// a date bound written in the field's display order
			if iso, ok := im.isoDate(s); ok {
				if b, err = f.Parse(iso); err == nil && b.Kind == v.Kind {
					return b, true
				}
			}
			return client.Value{}, false
		}
		return b, true
	}
	cmp := func(a, b client.Value) int {
		switch v.Kind {
		case client.KindNumber:
			switch {
			case a.Num < b.Num:
				return -1
			case a.Num > b.Num:
				return 1
			}
			return 0
		case client.KindDate, client.KindDatetime, client.KindTime:
			return a.Time.Compare(b.Time)
		}
		return 0
	}
	lb, hasLo := bound(lo)
	hb, hasHi := bound(hi)
	switch {
	case hasLo && cmp(v, lb) < 0, hasHi && cmp(v, hb) > 0:
		switch {
		case hasLo && hasHi:
			return fmt.Sprintf("out of range: the field allows %s to %s", lo, hi)
		case hasLo:
			return "out of range: the field's minimum is " + lo
		default:
			return "out of range: the field's maximum is " + hi
		}
	}
	return ""
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// validCodes lists a choice field's codes with their labels, for an error
// about a code the field does not have: "valid codes: 1 (Female), 2 (Male)".
func validCodes(f *client.Field) string {
	const most = 20
	parts := make([]string, 0, min(len(f.Choices), most+1))
	for i, c := range f.Choices {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more", len(f.Choices)-most))
			break
		}
		parts = append(parts, c.Code+" ("+c.Label+")")
	}
	return "valid codes: " + strings.Join(parts, ", ")
}
