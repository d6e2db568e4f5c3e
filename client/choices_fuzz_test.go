package client

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseChoices checks that ParseChoices never panics, yields distinct
// non-blank codes, and that FormatChoices round-trips labels without "|".
func FuzzParseChoices(f *testing.F) {
	for _, s := range []string{"1, Male | 2, Female", "a|b", "1, x&#44;y | 1, z", "-1, Unknown | 1.5, Half", " | ,", "1,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseChoices(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, c := range cs {
			if c.Code == "" || seen[c.Code] {
				t.Fatalf("ParseChoices(%q) = %q: blank or repeated code", s, cs)
			}
			seen[c.Code] = true
			col := CheckboxColumnName("f", c.Code)
			if strings.Trim(col[4:], "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
				t.Fatalf("CheckboxColumnName(f, %q) = %q", c.Code, col)
			}
		}
		if strings.Contains(s, "&#44;") {
			return // a decoded comma in a label does not re-encode
		}
		back, err := ParseChoices(FormatChoices(cs))
		if err != nil || !reflect.DeepEqual(back, cs) {
			t.Fatalf("round trip of %q: %q -> %q, %v", s, cs, back, err)
		}
	})
}
