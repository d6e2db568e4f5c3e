package lang

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckGiven(t *testing.T) {
	src := "param $min_age = 18;\nparam $site;\nselect count(*) from records where age >= $min_age and site = $site and dob > $since;\n"
	f, err := ParseFile("r.rq", src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		given map[string]string
		want  []string // each error as "Error() | Hint"
	}{
		{"nothing given", nil, nil},
		{"used and declared names", map[string]string{"min_age": "30", "site": "nyc", "since": "2024-01-01"}, nil},
		{"typo of a declared name", map[string]string{"min_agee": "30"},
			[]string{"r.rq: parameter $min_agee is given but no statement uses it | did you mean $min_age?"}},
		{"typo of a used, undeclared name", map[string]string{"snce": "2024-01-01"},
			[]string{"r.rq: parameter $snce is given but no statement uses it | did you mean $since?"}},
		{"the near name is given too", map[string]string{"min_age": "30", "min_agee": "30"},
			[]string{"r.rq: parameter $min_agee is given but no statement uses it | the file's parameters are $min_age, $site, $since"}},
		{"nothing near, in name order", map[string]string{"zeta": "1", "alpha": "2"},
			[]string{"r.rq: parameter $alpha is given but no statement uses it | the file's parameters are $min_age, $site, $since",
				"r.rq: parameter $zeta is given but no statement uses it | the file's parameters are $min_age, $site, $since"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var list ErrorList
			if err := f.CheckGiven(tc.given); err != nil && !errors.As(err, &list) {
				t.Fatalf("err %T %v, want an ErrorList", err, err)
			}
			for _, e := range list {
				got = append(got, e.Error()+" | "+e.Hint)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("CheckGiven(%v):\n got %q\nwant %q", tc.given, got, tc.want)
			}
		})
	}
	none, _ := ParseFile("", "select count(*) from records;")
	if err := none.CheckGiven(map[string]string{"x": "1"}); err == nil || err.Error() != "parameter $x is given but no statement uses it" ||
		err.(ErrorList)[0].Hint != "the file uses no parameters" {
		t.Errorf("file without parameters: %v", err)
	}
}

// The missing-parameter error is at the first use and points back at the declaration,
// as docs/language.md shows.
func TestCheckParamsPointsAtFirstUse(t *testing.T) {
	src := "param $site = 'nyc';\n\nparam $since comment 'start';\nselect count(*) from records\nwhere site = $site and dob > $since;\nselect count(*) from records where dob > $since;\n"
	f, err := ParseFile("report.rq", src)
	if err != nil {
		t.Fatal(err)
	}
	err = f.CheckParams(map[string]string{"site": "bos"})
	want := "report.rq:5:30: parameter $since has no value\n" +
		"    where site = $site and dob > $since;\n" +
		"                                 ^\n" +
		"hint: it is declared without a default at report.rq:3:1; give it with -p since=value\n"
	if got := Render(err, src); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
