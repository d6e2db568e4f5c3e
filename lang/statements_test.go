package lang

import (
	"reflect"
	"testing"
)

func TestEnds(t *testing.T) {
	for _, tt := range []struct {
		src  string
		ends []int
		open bool
	}{
		{"select 1 from records;", []int{21}, false},
		{"select 1 from records", nil, false},
		{"select ';' from records; select 2", []int{23}, false},
		{"select 'it''s;' from records;", []int{28}, false},
		{"select a -- no; end\n from records;", []int{33}, false},
		{"select /* ; */ a;", []int{16}, false},
		{"select 'open;", nil, true},
		{"select a /* open;", nil, true},
		{"select [a;b] from records;", []int{25}, false},
		{"a;b;;", []int{1, 3, 4}, false},
		{`\d x; y`, []int{4}, false},
		{"select 1; -- done;", []int{8}, false},
		{"select 1 -- not yet;", nil, false},
		{"where x = 'a--b';", []int{16}, false},
		{"a; b /* ; */ ;", []int{1, 13}, false},
		{"  ;  ", []int{2}, false},
		{"a; /* open;", []int{1}, true},
		{`x = "q;" ;`, []int{9}, false},
	} {
		ends, open := Ends(tt.src)
		if !reflect.DeepEqual(ends, tt.ends) || open != tt.open {
			t.Errorf("Ends(%q) = %v, %v; want %v, %v", tt.src, ends, open, tt.ends, tt.open)
		}
		if Complete(tt.src) != (len(tt.ends) > 0) {
			t.Errorf("Complete(%q) = %v", tt.src, Complete(tt.src))
		}
	}
}

func TestBlankAndStripComments(t *testing.T) {
	for _, tt := range []struct {
		src, stripped string
		blank         bool
	}{
		{"", "", true},
		{"  -- note\n /* x */ ", "  \n  ", true},
		{"/* open", "/* open", false},
		{`\d baseline -- note`, `\d baseline `, false},
		{`\set x '--not a comment' -- is`, `\set x '--not a comment' `, false},
		{"a /* two\nlines */ b", "a \n b", false},
	} {
		if got := StripComments(tt.src); got != tt.stripped {
			t.Errorf("StripComments(%q) = %q, want %q", tt.src, got, tt.stripped)
		}
		if got := Blank(tt.src); got != tt.blank {
			t.Errorf("Blank(%q) = %v, want %v", tt.src, got, tt.blank)
		}
	}
}

func TestResolve(t *testing.T) {
	f, err := ParseFile("f.rq", "param $a = 5; param $b = -2; param $c; select x from records where x > $a and y < $b and z = $c")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Resolve(nil, true); err == nil {
		t.Error("a parameter without a default and without a value resolved")
	}
	got, err := f.Resolve(map[string]string{"c": "1", "a": "7"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"a": "7", "b": "-2", "c": "1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve = %v, want %v", got, want)
	}
	if _, err := f.Resolve(map[string]string{"c": "1", "d": "2"}, true); err == nil {
		t.Error("an unused given parameter passed in strict mode")
	}
	if _, err := f.Resolve(map[string]string{"c": "1", "d": "2"}, false); err != nil {
		t.Errorf("lenient mode: %v", err)
	}
	if d := f.Defaults(); !reflect.DeepEqual(d, map[string]string{"a": "5", "b": "-2"}) {
		t.Errorf("Defaults = %v", d)
	}
}
