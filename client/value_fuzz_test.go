package client

import (
	"reflect"
	"testing"
)

// FuzzFieldParse checks that Parse never panics, that a value that does not
// fit is null, and that a parsed value's String() parses back to the same value.
func FuzzFieldParse(f *testing.F) {
	for _, s := range []string{"", "42", "-0.5", "1,5", " 7 ", "1e3", "2024-02-29", "2024-01-31 08:05:09",
		"23:59", "59:30", "NA", "UNK", "1,-1", "oth", "bos", "abc", "9999-99-99", "+", "."} {
		f.Add(s)
	}
	d := demoDict(f)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, fld := range d.Fields() {
			v, err := fld.Parse(raw)
			if err != nil {
				if !v.IsNull() || v.Missing != "" {
					t.Fatalf("%s.Parse(%q) = %+v with error %v", fld.Name, raw, v, err)
				}
				continue
			}
			if v.IsNull() {
				continue
			}
			if v.Kind != fld.Kind && !(fld.Kind == KindNumber && v.Kind == KindText) {
				t.Fatalf("%s.Parse(%q).Kind = %v, field kind %v", fld.Name, raw, v.Kind, fld.Kind)
			}
			back, err := fld.Parse(v.String())
			if err != nil || !reflect.DeepEqual(back, v) {
				t.Fatalf("%s: %q parsed to %+v, its String %q reparsed to %+v, %v", fld.Name, raw, v, v.String(), back, err)
			}
		}
	})
}
