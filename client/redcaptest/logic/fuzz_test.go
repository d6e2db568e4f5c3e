package logic

import "testing"

// FuzzLogicParse checks that any input either parses or fails with *Error,
// that evaluation never panics, and that String() output parses back to
// the same canonical text.
func FuzzLogicParse(f *testing.F) {
	for _, s := range []string{
		"[age] > 5", "[e][cb(-1)][2] = '1' and [x] <> ''", "if([a] > 1, 'x', \"y\") = 'x'",
		"datediff([dob], 'today', 'y', true) >= 18", "(2)^(3) + -[a] * .5 / 1e3",
		"not ([a] = 1 or [b] = 2) && [c] != 3 || ![d]", "%5Bage%5D &gt; 5", "// c\n# d\n[a]=1",
		"[record-name] = '1' and [med][last-instance] = 'x'", "concat_ws(',', [a], 'b') = 'a,b'",
		"sum([a],[b]) > mean(1,2,3)", "isblankormissingcode([x])", "[a:value] = 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q): error of type %T", s, err)
			}
			return
		}
		_, _ = e.Eval(demoRow())
		out := e.String()
		e2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(String(%q) = %q): %v", s, out, err)
		}
		if e2.String() != out {
			t.Fatalf("String not stable: %q -> %q", out, e2.String())
		}
	})
}
