package redcaptest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Explanations REDCap puts in the fourth column of an import error line.
const (
	msgNotInteger  = "This value you provided is not an integer. Please try again."
	msgNotNumber   = "This value you provided is not a number. Please try again."
	msgBadFormat   = "The value you provided could not be validated because it does not follow the expected format. Please try again."
	msgBadTime     = "The value entered must be a time value in the following format HH:MM within the range 00:00-23:59 (e.g., 04:32 or 23:19)."
	msgBadEmail    = "This field must be a valid email address (like joe@user.com). Please re-enter it now."
	msgBadZip      = "This field must be a 5 or 9 digit U.S. ZIP Code (like 94043). Please re-enter it now."
	msgBadPhone    = "This field must be a 10 digit U.S. phone number (like 415 555 1212). Please re-enter it now."
	msgBadChoice   = "The value is not a valid category for " // + the field name
	msgBadYesNo    = "The value you provided must be 0 (No) or 1 (Yes)"
	msgBadTrue     = "The value you provided must be 0 (False) or 1 (True)"
	msgBadCheckbox = "The value you provided for this checkbox must be 0 (unchecked) or 1 (checked)"
	msgBadStatus   = "The value you provided for the form status must be 0 (Incomplete), 1 (Unverified) or 2 (Complete)"
	msgBadSlider   = "The value you provided for this slider must be an integer from 0 to 100"
	msgBadCalc     = "The value of a calculated field must be a number"
)

// fieldRule is what the import validator needs to know about one field.
type fieldRule struct {
	Name       string
	Form       string
	Type       string   // REDCap field_type
	Validation string   // text_validation_type_or_show_slider_number
	Min, Max   string   // text_validation_min / max (warnings only, as in REDCap)
	Codes      []string // choice codes (radio, dropdown, checkbox)
}

var (
	reInteger = regexp.MustCompile(`^[-+]?[0-9]+$`)
	reNumber  = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$`)
	reNumberC = regexp.MustCompile(`^[-+]?([0-9]+(,[0-9]*)?|,[0-9]+)$`)
	reEmail   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	reZip     = regexp.MustCompile(`^[0-9]{5}(-?[0-9]{4})?$`)
	reAlpha   = regexp.MustCompile(`^[A-Za-z\s]+$`)
	reSSN     = regexp.MustCompile(`^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$`)
	reMRN10   = regexp.MustCompile(`^[0-9]{10}$`)
	reTimeHM  = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2})$`)
	reTimeHMS = regexp.MustCompile(`^([0-9]{1,2}):([0-9]{2}):([0-9]{2})$`)
	reDateYMD = regexp.MustCompile(`^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})$`)
	reDateXYZ = regexp.MustCompile(`^([0-9]{1,2})[-/]([0-9]{1,2})[-/]([0-9]{4})$`)
)

// legacyValidation maps REDCap's old validation names to the current ones
// (the ones the metadata export shows); loaders and imports share it.
func legacyValidation(v string) string {
	switch v {
	case "int":
		return "integer"
	case "float":
		return "number"
	case "date":
		return "date_ymd"
	case "datetime":
		return "datetime_ymd"
	case "datetime_seconds":
		return "datetime_seconds_ymd"
	}
	return v
}

// normalizeImportValue checks one non-blank value against its field and
// returns the value as REDCap stores it (dates in ISO form). A non-empty
// second result is the explanation of why the value was refused.
// dateFormat is the import's dateFormat parameter (YMD, MDY or DMY).
func normalizeImportValue(f *fieldRule, raw, dateFormat string) (string, string) {
	v := raw
	switch f.Type {
	case "radio", "dropdown", "select", "sql":
		if f.Type == "sql" {
			return v, ""
		}
		for _, c := range f.Codes {
			if c == v {
				return v, ""
			}
		}
		return v, msgBadChoice + f.Name
	case "yesno":
		if v == "0" || v == "1" {
			return v, ""
		}
		return v, msgBadYesNo
	case "truefalse":
		if v == "0" || v == "1" {
			return v, ""
		}
		return v, msgBadTrue
	case "slider":
		if !reInteger.MatchString(v) {
			return v, msgBadSlider
		}
		n, _ := strconv.Atoi(v)
		lo, hi := 0, 100
		if x, err := strconv.Atoi(f.Min); err == nil {
			lo = x
		}
		if x, err := strconv.Atoi(f.Max); err == nil {
			hi = x
		}
		if n < lo || n > hi {
			return v, msgBadSlider
		}
		return v, ""
	case "calc":
		if reNumber.MatchString(v) {
			return v, ""
		}
		return v, msgBadCalc
	case "text":
		return normalizeTextValue(legacyValidation(f.Validation), v, dateFormat)
	}
	return v, "" // notes and anything else take free text
}

// patternChecks are the validations a value passes by matching one
// pattern, with the message for a value that does not.
var patternChecks = map[string]struct {
	re  *regexp.Regexp
	msg string
}{
	"integer":              {reInteger, msgNotInteger},
	"number":               {reNumber, msgNotNumber},
	"number_comma_decimal": {reNumberC, msgBadFormat},
	"email":                {reEmail, msgBadEmail},
	"zipcode":              {reZip, msgBadZip},
	"alpha_only":           {reAlpha, msgBadFormat},
	"ssn":                  {reSSN, msgBadFormat},
	"mrn_10d":              {reMRN10, msgBadFormat},
}

// clockValue checks a time value (hh:mm, hh:mm:ss or mm:ss) against re,
// whose groups are its parts, each at most its limit; it returns the value
// with two-digit parts, or v and msg when it does not fit.
func clockValue(v string, re *regexp.Regexp, msg string, limits ...int) (string, string) {
	m := re.FindStringSubmatch(v)
	if m == nil {
		return v, msg
	}
	parts := make([]string, len(limits))
	for i, limit := range limits {
		n, _ := strconv.Atoi(m[i+1])
		if n > limit {
			return v, msg
		}
		parts[i] = fmt.Sprintf("%02d", n)
	}
	return strings.Join(parts, ":"), ""
}

func normalizeTextValue(validation, v, dateFormat string) (string, string) {
	if pc, ok := patternChecks[validation]; ok {
		if pc.re.MatchString(v) {
			return v, ""
		}
		return v, pc.msg
	}
	switch {
	case validation == "":
		return v, ""
	case strings.HasPrefix(validation, "number_") && strings.HasSuffix(validation, "dp"),
		strings.HasPrefix(validation, "number_") && strings.HasSuffix(validation, "dp_comma_decimal"):
		// number_1dp .. number_4dp: exactly that many decimals.
		comma := strings.HasSuffix(validation, "_comma_decimal")
		nd := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(validation, "_comma_decimal"), "number_"), "dp")
		n, err := strconv.Atoi(nd)
		if err != nil {
			return v, ""
		}
		sep := `\.`
		if comma {
			sep = `,`
		}
		re := regexp.MustCompile(fmt.Sprintf(`^[-+]?[0-9]+%s[0-9]{%d}$`, sep, n))
		if re.MatchString(v) {
			return v, ""
		}
		return v, msgBadFormat
	case strings.HasPrefix(validation, "date_"):
		d, ok := parseImportDate(v, dateFormat)
		if !ok {
			return v, msgBadFormat
		}
		return d, ""
	case strings.HasPrefix(validation, "datetime_seconds_"):
		return normalizeDatetime(v, dateFormat, true)
	case strings.HasPrefix(validation, "datetime_"):
		return normalizeDatetime(v, dateFormat, false)
	case validation == "time":
		return clockValue(v, reTimeHM, msgBadTime, 23, 59)
	case validation == "time_hh_mm_ss":
		return clockValue(v, reTimeHMS, msgBadFormat, 23, 59, 59)
	case validation == "time_mm_ss":
		return clockValue(v, reTimeHM, msgBadFormat, 59, 59)
	case validation == "phone":
		digits := 0
		for _, r := range v {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune(" ()-.", r):
			default:
				return v, msgBadPhone
			}
		}
		if digits != 10 {
			return v, msgBadPhone
		}
		return v, ""
	}
	return v, "" // other validations (postal codes, vmrn, ...) are not checked
}

// parseImportDate reads a date and returns it as YYYY-MM-DD. A year-first
// date (dashes or slashes) is always accepted; with dateFormat MDY or DMY a
// year-last date (slashes or dashes) is read in that order. The date must
// exist.
func parseImportDate(v, dateFormat string) (string, bool) {
	var y, m, d int
	df := strings.ToUpper(dateFormat)
	if p := reDateYMD.FindStringSubmatch(v); p != nil {
		// Year first is unambiguous: accepted whatever dateFormat says
		// (phpcap's repeating-forms payload mixes both forms in one file).
		y, _ = strconv.Atoi(p[1])
		m, _ = strconv.Atoi(p[2])
		d, _ = strconv.Atoi(p[3])
	} else if p := reDateXYZ.FindStringSubmatch(v); p != nil && (df == "MDY" || df == "DMY") {
		a, _ := strconv.Atoi(p[1])
		b, _ := strconv.Atoi(p[2])
		y, _ = strconv.Atoi(p[3])
		if df == "MDY" {
			m, d = a, b
		} else {
			d, m = a, b
		}
	} else {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func normalizeDatetime(v, dateFormat string, seconds bool) (string, string) {
	datePart, timePart, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		datePart, timePart, ok = strings.Cut(v, "T")
	}
	if !ok {
		return v, msgBadFormat
	}
	d, okd := parseImportDate(datePart, dateFormat)
	if !okd {
		return v, msgBadFormat
	}
	re := reTimeHM
	if seconds {
		re = reTimeHMS
	}
	m := re.FindStringSubmatch(strings.TrimSpace(timePart))
	if m == nil {
		return v, msgBadFormat
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h > 23 || mi > 59 {
		return v, msgBadFormat
	}
	if seconds {
		s, _ := strconv.Atoi(m[3])
		if s > 59 {
			return v, msgBadFormat
		}
		return fmt.Sprintf("%s %02d:%02d:%02d", d, h, mi, s), ""
	}
	return fmt.Sprintf("%s %02d:%02d", d, h, mi), ""
}
