package client

import (
	"fmt"
	"strings"
)

// Choice is one coded option of a radio, dropdown or checkbox field, or one
// missing-data code.
type Choice struct {
	Code  string
	Label string
}

// ParseChoices parses a REDCap choice string such as "1, Male | 2, Female".
// Items are split on "|" and each item at its first comma, both parts trimmed;
// an item without a comma is both code and label; "&#44;" is a literal comma
// (decoded after splitting); empty items are skipped. When a code repeats, its
// non-blank labels are joined with ", " into one choice at the code's first
// position. An item whose code is blank is an error.
func ParseChoices(s string) ([]Choice, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := make([]Choice, 0, strings.Count(s, "|")+1)
	for n, item := range strings.Split(s, "|") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		code, label, ok := strings.Cut(item, ",")
		code = decodeComma(strings.TrimSpace(code))
		if ok {
			label = decodeComma(strings.TrimSpace(label))
		} else {
			label = code
		}
		if code == "" {
			return nil, fmt.Errorf("choice %d %q: blank code", n+1, item)
		}
		dup := false
		for i := range out {
			if out[i].Code == code {
				switch {
				case out[i].Label == "":
					out[i].Label = label
				case label != "":
					out[i].Label += ", " + label
				}
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, Choice{Code: code, Label: label})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func decodeComma(s string) string {
	if !strings.Contains(s, "&#44;") {
		return s
	}
	return strings.ReplaceAll(s, "&#44;", ",")
}

// FormatChoices renders choices back into REDCap's "code, label | ..." form,
// escaping commas in codes as "&#44;".
func FormatChoices(cs []Choice) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(strings.ReplaceAll(c.Code, ",", "&#44;"))
		b.WriteString(", ")
		b.WriteString(c.Label)
	}
	return b.String()
}

// CheckboxColumnName returns the export column of a checkbox code: field +
// "___" + the code with "-" and "." turned into "_", lowercased, and anything
// outside [a-z0-9_] removed. So code "-1" of x gives "x____1", "1.5" gives "x___1_5".
func CheckboxColumnName(field, code string) string {
	b := make([]byte, 0, len(field)+3+len(code))
	b = append(b, field...)
	b = append(b, "___"...)
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '-' || c == '.':
			b = append(b, '_')
		case 'A' <= c && c <= 'Z':
			b = append(b, c+'a'-'A')
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_':
			b = append(b, c)
		}
	}
	return string(b)
}
