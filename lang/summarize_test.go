package lang

import "testing"

func TestParseSummarize(t *testing.T) {
	tests := []struct{ src, want string }{
		{"summarize records", "summarize records"},
		{"SUMMARIZE records WHERE age > 85", "summarize records where age > 85"},
		{"summarize select age, sbp from records where form = 'baseline'",
			"summarize select age, sbp from records where form = 'baseline'"},
		{"summarize select * from records", "summarize records"},
		{"summarize select * from records limit 5", "summarize select * from records limit 5"},
		{"summarize metadata", "summarize metadata"},
		{"summarize select distinct site from records", "summarize select distinct site from records"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if !s.Summarize || s.String() != tt.want {
			t.Errorf("Parse(%q) = %q (summarize %v), want %q", tt.src, s.String(), s.Summarize, tt.want)
		}
		again, err := Parse(s.String())
		if err != nil || !Equal(s, again) {
			t.Errorf("round trip of %q: %v", s.String(), err)
		}
	}
}

func TestParseFileSummarizeSplits(t *testing.T) {
	f, err := ParseFile("x.rq", "summarize records\nselect age from records\nsummarize select sbp from records")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Statements) != 3 || !f.Statements[0].Summarize || f.Statements[1].Summarize || !f.Statements[2].Summarize {
		t.Fatalf("statements: %v", f.Statements)
	}
}

func TestParseSummarizeErrors(t *testing.T) {
	for _, src := range []string{"summarize", "summarize explain select a from records",
		"summarize records order by a", "summarize records where"} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q): no error", src)
		} else {
			t.Logf("%s\n%s", src, Render(err, src))
		}
	}
}
