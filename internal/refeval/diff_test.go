package refeval

import (
	"strings"
	"testing"

	"github.com/redcapql/rq/lang"
)

// TestDiffRows: the comparison the differential test rests on finds every
// kind of difference, and only differences.
func TestDiffRows(t *testing.T) {
	tests := []struct {
		name      string
		want, got []string
		inOrder   bool
		says      []string // "" for agreement
	}{
		{"same rows, another order, unordered", []string{"a", "b", "b"}, []string{"b", "a", "b"}, false, nil},
		{"same rows, another order, ordered", []string{"a", "b"}, []string{"b", "a"}, true,
			[]string{"2 rows, want 2", "first difference at row 0", "want: a", "got:  b"}},
		{"a row missing", []string{"a", "b", "b"}, []string{"b", "a"}, false, []string{"2 rows, want 3", "missing: b"}},
		{"an extra row", []string{"a"}, []string{"a", "c"}, false, []string{"2 rows, want 1", "extra:   c"}},
		{"a row fewer, ordered", []string{"a", "b"}, []string{"a"}, true, []string{"first difference at row 1", "got:  (none)"}},
		{"many missing", strings.Split("a b c d e f g", " "), nil, false, []string{"0 rows, want 7", "... 2 more missing"}},
		{"both empty", nil, nil, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DiffRows(tc.want, tc.got, tc.inOrder)
			if (d == "") != (len(tc.says) == 0) {
				t.Fatalf("DiffRows = %q, want a difference: %v", d, len(tc.says) > 0)
			}
			for _, s := range tc.says {
				if !strings.Contains(d, s) {
					t.Errorf("DiffRows = %q, want it to say %q", d, s)
				}
			}
		})
	}
}

// TestOrdered: only order by, or a limit without grouping, fixes the order.
func TestOrdered(t *testing.T) {
	for src, want := range map[string]bool{
		"select age from records":                                false,
		"select age from records order by age":                   true,
		"select age from records limit 3":                        true,
		"select sex, count(*) from records group by sex limit 3": false,
	} {
		s, err := lang.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if Ordered(s) != want {
			t.Errorf("Ordered(%s) = %v", src, !want)
		}
	}
}
