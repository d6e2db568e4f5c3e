package lang

import (
	"strings"
	"testing"
)

func TestParseExpr(t *testing.T) {
	e, err := ParseExpr("score > 5 and form = 'baseline'")
	if err != nil || !Equal(e, Field("score").Gt(5).And(Form("baseline"))) {
		t.Fatalf("ParseExpr = %v, %v", e, err)
	}
	if p := e.(*QueryGroup).Items[1].Pos(); p.Line != 1 || p.Column != 15 {
		t.Errorf("position %s, want 1:15", p)
	}
	for src, want := range map[string]string{
		"":              "found nothing",
		"score >":       "1:8: unexpected end of statement: expected a value after '>'",
		"score > 5 5":   "1:11: unexpected number 5 after the number 5",
		"(a = 1":        "unclosed parenthesis",
		"x = 'a":        "unclosed quote",
		"count(*) = 1)": "unmatched ')'",
		"sum(*) > 1":    "only count takes *",
		"and x = 1":     "1:1: expected a value, found 'and'",
	} {
		_, err := ParseExpr(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseExpr(%q) = %v, want %q", src, err, want)
		}
	}
}

func TestIntValue(t *testing.T) {
	s, err := Parse("select a from records limit 10 offset $skip")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := IntValue(s.Limit, nil); n != 10 || err != nil {
		t.Errorf("limit = %d, %v", n, err)
	}
	if n, err := IntValue(s.Offset, map[string]string{"skip": "20"}); n != 20 || err != nil {
		t.Errorf("offset = %d, %v", n, err)
	}
	for _, params := range []map[string]string{nil, {"skip": "-1"}, {"skip": "x"}, {"skip": "1.5"}} {
		if _, err := IntValue(s.Offset, params); err == nil || !strings.Contains(err.Error(), "1:39: parameter $skip") {
			t.Errorf("IntValue with %v: %v", params, err)
		}
	}
}
