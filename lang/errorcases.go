package lang

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// errorCase is one kind of syntax error: when it applies, and what it says. explain uses
// the first case that applies, so the specific cases come before the general ones. Each
// case has an example in testdata/lang-errors.
type errorCase struct {
	name string
	when func(s *stop) bool
	say  func(s *stop, e *Error)
}

var errorCases = []errorCase{
	{"no statement",
		func(s *stop) bool { return s.k == 0 && !s.ch.exprOnly },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a statement starting with 'select', found %s", s.found)
			e.Hint = "a query looks like: select age, score from records where score > 5"
			switch {
			case s.tok.Type == tIdent && keywordHint(s.tok, statementWords) != "":
				e.Hint = keywordHint(s.tok, statementWords)
			case isWord(s.tok, "describe") || isWord(s.tok, "desc") || isWord(s.tok, "show"):
				e.Hint = fmt.Sprintf("rq has no %s statement: in the shell, \\d name describes a form or field; "+
					"in a query, select * from metadata lists the fields", lower(s.tok.Value))
			case (s.tok.Type == tBracket || s.tok.Type == tIdent) && hasComparison(s.ch.toks):
				e.Hint = "a condition goes in a where clause: select * from records where " + condText(s.ch)
			case s.tok.Type == tParam || isWord(s.tok, "param"):
				e.Hint = "a parameter is declared as: param $name = default comment 'description'"
			}
		}},
	{"as backed out of",
		// participle backs out of the optional alias and reports the 'as' itself.
		func(s *stop) bool { return isKeyword(s.tok, "as") && s.next != nil && s.clause == "select" },
		func(s *stop, e *Error) {
			e.Pos = Pos(s.next.Pos)
			e.Msg = fmt.Sprintf("expected a name after 'as', found %s", describe(*s.next))
			e.Hint = reservedAsName(*s.next)
		}},
	{"explain what",
		func(s *stop) bool { return s.k == 1 && isWord(s.prev, "explain") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected 'select' or 'analyze' after 'explain', found %s", s.found)
			if s.tok.Type == tIdent && closest(lower(s.tok.Value), []string{"analyze"}) != "" {
				e.Hint = "did you mean analyze?"
			}
		}},
	{"three brackets",
		func(s *stop) bool {
			return s.tok.Type == tBracket && s.prev.Type == tBracket && s.k >= 2 && s.ch.toks[s.k-2].Type == tBracket
		},
		func(s *stop, e *Error) {
			e.Msg = "a name has at most two bracketed parts: [event][field]"
			e.Hint = "[event][field] is the field's value on that event's row"
		}},
	{"trailing comma before a clause",
		func(s *stop) bool { return isPunct(s.prev, ",") && s.atClauseEnd() },
		func(s *stop, e *Error) {
			e.Pos = Pos(s.prev.Pos)
			e.Msg = "trailing comma: expected another item after ','"
			e.Hint = removeComma(&s.tok)
		}},
	{"name after as",
		func(s *stop) bool { return isKeyword(s.prev, "as") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a name after 'as', found %s", s.found)
			e.Hint = reservedAsName(s.tok)
		}},
	{"nulls without first or last",
		func(s *stop) bool { return isWord(s.prev, "nulls") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected 'first' or 'last' after 'nulls', found %s", s.found)
			e.Hint = "write order by x nulls first, or nulls last"
		}},
	{"unfinished case",
		func(s *stop) bool { return openCase(s.ch.toks[:s.k]) != "" && !isWord(s.tok, "end") },
		func(s *stop, e *Error) {
			want := "'when', 'else' or 'end'"
			switch openCase(s.ch.toks[:s.k]) {
			case "case":
				want = "'when'"
			case "when":
				want = "'then'"
			}
			if s.tok.Type == lexer.EOF {
				e.Msg = fmt.Sprintf("unexpected end of statement: expected %s in the case expression", want)
			} else {
				e.Msg = fmt.Sprintf("expected %s in the case expression, found %s", want, s.found)
			}
			e.Hint = "a case expression is written case when cond then value [when ...] [else value] end"
		}},
	{"group or order without by",
		func(s *stop) bool { return isKeyword(s.prev, "group") || isKeyword(s.prev, "order") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected 'by' after '%s', found %s", s.prev.Value, s.found)
			e.Hint = fmt.Sprintf("write %s by ...", s.prev.Value)
		}},
	{"param without name",
		func(s *stop) bool { return s.k == 1 && isWord(s.prev, "param") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a parameter name like $site after 'param', found %s", s.found)
			e.Hint = "a parameter is declared as: param $name = default comment 'description'"
		}},
	{"between without and",
		func(s *stop) bool { return inBetween(s.ch.toks[:s.k]) },
		betweenAnd},
	{"trailing comma before from",
		func(s *stop) bool {
			return isPunct(s.tok, ",") && s.next != nil && s.clause == "select" && isKeyword(*s.next, "from")
		},
		func(s *stop, e *Error) {
			e.Msg = "trailing comma: expected another item after ','"
			e.Hint = "remove the ',' before 'from'"
		}},
	{"trailing comma at a comma",
		func(s *stop) bool {
			return isPunct(s.tok, ",") && (s.next == nil || s.next.Type == tKeyword && clauseWords[s.next.Value])
		},
		func(s *stop, e *Error) {
			e.Msg = "trailing comma: expected another item after ','"
			e.Hint = removeComma(s.next)
		}},
	{"from expected",
		func(s *stop) bool { return s.expects(`"from"`) },
		func(s *stop, e *Error) {
			switch {
			case s.atClauseEnd():
				e.Msg = fmt.Sprintf("missing 'from': expected 'from' before %s", s.found)
				e.Hint = "say which source to read, e.g. select age from records"
			case s.tok.Type == tIdent && closest(lower(s.tok.Value), []string{"from"}) == "from":
				e.Msg = fmt.Sprintf("expected 'from', found %s", s.found)
				e.Hint = "did you mean from?"
			default:
				e.Msg = fmt.Sprintf("expected ',' or 'from' after %s, found %s", describe(s.prev), s.found)
				if s.tok.Type == tIdent || s.tok.Type == tBracket {
					e.Hint = fmt.Sprintf("separate items with ','; to name a column, write %s as %s", s.prev.raw, s.tok.raw)
				}
			}
		}},
	{"source expected",
		func(s *stop) bool { return s.expects("GSource") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a source after 'from', found %s", s.found)
			e.Hint = "sources are " + strings.Join(Sources, ", ")
		}},
	{"value expected",
		func(s *stop) bool {
			return s.expects("GPrimary", "GItem", "GExpr", "GValue", "GLiteral", "GDefault")
		},
		func(s *stop, e *Error) {
			what := expectedValue(s)
			if s.tok.Type == lexer.EOF {
				e.Msg = fmt.Sprintf("unexpected end of statement: expected %s%s", what, s.after())
			} else {
				e.Msg = fmt.Sprintf("expected %s%s, found %s", what, s.after(), s.found)
			}
			if s.tok.Type == tKeyword && !literalWords[s.tok.Value] {
				e.Hint = fmt.Sprintf("'%s' is a reserved word; to use it as a field name, write it in brackets: [%s]", s.tok.Value, s.tok.Value)
			}
			if isPunct(s.tok, "*") && s.clause == "select" {
				e.Hint = "'*' stands alone in the select list; it cannot be combined with other operators"
			}
		}},
	{"is without null",
		func(s *stop) bool { return s.expect == `"null"` },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected 'null' or 'not null' after 'is', found %s", s.found)
			e.Hint = "is tests for null only; compare values with = or <>"
		}},
	{"list without parentheses",
		func(s *stop) bool { return s.expect == "GList" },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected '(' after %s, found %s", describe(s.prev), s.found)
			e.Hint = fmt.Sprintf("a list is written in parentheses: %s (1, 2, 3)", s.prev.raw)
		}},
	{"count expected",
		func(s *stop) bool { return s.expects("GCount") },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a whole number or a $parameter after %s, found %s", describe(s.prev), s.found)
			e.Hint = fmt.Sprintf("e.g. %s 10", s.prev.raw)
		}},
	{"list not closed",
		func(s *stop) bool { return s.expect == `")"` },
		func(s *stop, e *Error) { e.Msg = fmt.Sprintf("expected ')' or ',' in the list, found %s", s.found) }},
	{"by expected",
		func(s *stop) bool { return s.expect == `"by"` },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected 'by' after %s, found %s", describe(s.prev), s.found)
			e.Hint = fmt.Sprintf("write %s by ...", s.prev.raw)
		}},
	{"and expected",
		func(s *stop) bool { return s.expect == `"and"` },
		betweenAnd},
	{"parameter name expected",
		func(s *stop) bool {
			return strings.Contains(s.expect, "Param") || strings.HasPrefix(s.expect, "<param>")
		},
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a parameter name like $site after 'param', found %s", s.found)
		}},
	{"name expected",
		func(s *stop) bool { return s.expects("GName") || s.expects("<ident>") && s.clause == "as" },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected a name after 'as', found %s", s.found)
			e.Hint = reservedAsName(s.tok)
		}},
	{"text expected",
		func(s *stop) bool { return s.expect == "<string>" || s.expect == "String" },
		func(s *stop, e *Error) {
			e.Msg = fmt.Sprintf("expected text in quotes after %s, found %s", describe(s.prev), s.found)
		}},
	{"cannot continue",
		// A complete part was followed by something that cannot continue it.
		func(s *stop) bool { return true },
		func(s *stop, e *Error) {
			e.Msg = "unexpected " + strings.TrimPrefix(s.found, "the ") + s.after()
			e.Hint = continueHint(s)
		}},
}

func betweenAnd(s *stop, e *Error) {
	e.Msg = fmt.Sprintf("expected 'and' between the bounds of 'between', found %s", s.found)
	e.Hint = "write x between 1 and 5"
}

// openCase returns the last of when, then and else in the innermost case expression
// that toks leave open ("case" itself when none follows yet), or "" when none is open.
func openCase(toks []token) string {
	var stack []string
	for _, t := range toks {
		switch {
		case isKeyword(t, "case"):
			stack = append(stack, "case")
		case len(stack) == 0:
		case isWord(t, "when") || isWord(t, "then") || isWord(t, "else"):
			stack[len(stack)-1] = lower(t.Value)
		case isWord(t, "end"):
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1]
}

// hasComparison reports whether toks hold a comparison operator: they look like a
// condition.
func hasComparison(toks []token) bool {
	for _, t := range toks {
		if t.Type == tCompare || t.Type == tKeyword && (t.Value == "in" || t.Value == "is" ||
			t.Value == "like" || t.Value == "between" || t.Value == "has") {
			return true
		}
	}
	return false
}

// removeComma is the hint for a trailing comma before next (nil: at the end).
func removeComma(next *token) string {
	if next == nil || next.Type == lexer.EOF {
		return "remove the ',' at the end"
	}
	return fmt.Sprintf("remove the ',' before '%s'", next.Value)
}

// reservedAsName is the hint when a reserved word is used as a name.
func reservedAsName(t token) string {
	if t.Type != tKeyword {
		return ""
	}
	return fmt.Sprintf("to use the reserved word '%s' as a name, write [%s]", t.Value, t.Value)
}

// expectedValue says what kind of value the clause wanted.
func expectedValue(s *stop) string {
	switch {
	case s.k == 0:
	case s.clause == "select" && (isKeyword(s.prev, "select") || isPunct(s.prev, ",")):
		return "a field name, '*' or an expression"
	case isKeyword(s.prev, "where") || isKeyword(s.prev, "and") || isKeyword(s.prev, "or") || isKeyword(s.prev, "not"):
		return "a condition"
	case isKeyword(s.prev, "by"):
		return "a field name or expression"
	case isPunct(s.prev, "=") && s.prev.raw == "=" && s.clause == "param":
		return "a default value (text, number, true, false, null or a date)"
	}
	return "a value"
}

// continueHint is the hint when a complete part is followed by a token that cannot
// continue it.
func continueHint(s *stop) string {
	t := s.tok
	switch {
	case t.Type == tKeyword && t.Value == "select":
		return "end the previous statement with ';'"
	case t.Type == tIdent && keywordHint(t, clauseKeywords) != "":
		return keywordHint(t, clauseKeywords)
	case t.Type == tIdent || t.Type == tBracket || t.Type == tNumber || t.Type == tString:
		switch s.clause {
		case "where":
			return "join conditions with and / or"
		case "select", "by":
			return "separate items with ','"
		}
	case t.Type == tCompare && t.Value != "~":
		return "a comparison has one operator: to test a range, write x between 1 and 5"
	case t.Type == tKeyword && t.Value == "from" && s.clause != "select":
		return "'from' comes once, right after the select list"
	case t.Type == tKeyword && clauseWords[t.Value]:
		return "clauses come in this order: select, from, where, group by, having, order by, limit, offset"
	}
	return ""
}

// statementWords start a statement; clauseKeywords start a clause or modify one. A
// misspelling of one gets "did you mean" rather than a hint about the grammar.
var (
	statementWords = []string{"select", "explain", "summarize"}
	clauseKeywords = []string{"from", "where", "group", "having", "order", "limit", "offset", "and", "or", "asc", "desc", "nulls"}
)

// keywordHint suggests the keyword t is a misspelling of, or "".
func keywordHint(t token, words []string) string {
	w := lower(t.Value)
	if len(w) < 3 {
		return ""
	}
	for _, k := range words {
		if w == k {
			return ""
		}
	}
	if k := closest(w, words); k != "" && (editDistance(w, k) <= 1 || len(k) >= 5) {
		return fmt.Sprintf("did you mean %s?", k)
	}
	return ""
}
