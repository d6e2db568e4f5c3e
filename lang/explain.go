package lang

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// explain turns a participle error into an *Error in the user's words. participle knows
// which grammar element it expected; the tokens before the error say where in the
// statement the user was, which is what the message and hint are built from.
func explain(err error, ch chunk) *Error {
	pe, ok := err.(participle.Error)
	if !ok {
		return &Error{Pos: Pos(ch.eof), Msg: err.Error()}
	}
	at := pe.Position()
	expect := ""
	if m := pe.Message(); strings.HasSuffix(m, ")") {
		if i := strings.Index(m, " (expected "); i >= 0 {
			expect = m[i+len(" (expected ") : len(m)-1]
		}
	}
	// Find the offending token and the one before it.
	k := len(ch.toks)
	for i, t := range ch.toks {
		if t.Pos.Offset >= at.Offset {
			k = i
			break
		}
	}
	tok := token{Token: lexer.EOFToken(ch.eof)}
	if k < len(ch.toks) {
		tok = ch.toks[k]
	}
	prev := &token{Token: lexer.Token{Type: tStart}} // never nil: a sentinel before the first token
	if k > 0 {
		prev = &ch.toks[k-1]
	}
	var next *token
	if k+1 < len(ch.toks) {
		next = &ch.toks[k+1]
	}
	e := &Error{Pos: Pos(tok.Pos)}
	clause := clauseAt(ch.toks[:k])
	found := describe(tok)

	switch {
	case k == 0 && !ch.exprOnly:
		e.Msg = fmt.Sprintf("expected a statement starting with 'select', found %s", found)
		e.Hint = "a query looks like: select age, score from records where score > 5"
		if tok.Type == tBracket || tok.Type == tIdent {
			e.Hint = "a condition goes in a where clause: select * from records where " + condText(ch)
		} else if tok.Type == tParam || isWord(tok, "param") {
			e.Hint = "a parameter is declared as: param $name = default comment 'description'"
		}

	case isKeyword(tok, "as") && next != nil && clause == "select":
		// participle backs out of the optional alias and reports the 'as' itself.
		e.Pos = Pos(next.Pos)
		e.Msg = fmt.Sprintf("expected a name after 'as', found %s", describe(*next))
		if next.Type == tKeyword {
			e.Hint = fmt.Sprintf("to use the reserved word '%s' as a name, write [%s]", next.Value, next.Value)
		}
	case k == 1 && isWord(*prev, "explain"):
		e.Msg = fmt.Sprintf("expected 'select' or 'analyze' after 'explain', found %s", found)
		if tok.Type == tIdent && closest(lower(tok.Value), []string{"analyze"}) != "" {
			e.Hint = "did you mean analyze?"
		}
	case tok.Type == tBracket && prev.Type == tBracket && k >= 2 && ch.toks[k-2].Type == tBracket:
		e.Msg = "a name has at most two bracketed parts: [event][field]"
		e.Hint = "[event][field] is the field's value on that event's row"
	case isPunct(*prev, ",") && (tok.Type == lexer.EOF || tok.Type == tKeyword && clauseWords[tok.Value]):
		e.Pos = Pos(prev.Pos)
		e.Msg = "trailing comma: expected another item after ','"
		if tok.Type == lexer.EOF {
			e.Hint = "remove the ',' at the end"
		} else {
			e.Hint = fmt.Sprintf("remove the ',' before '%s'", tok.Value)
		}
	case isKeyword(*prev, "as"):
		e.Msg = fmt.Sprintf("expected a name after 'as', found %s", found)
		if tok.Type == tKeyword {
			e.Hint = fmt.Sprintf("to use the reserved word '%s' as a name, write [%s]", tok.Value, tok.Value)
		}
	case (isKeyword(*prev, "group") || isKeyword(*prev, "order")):
		e.Msg = fmt.Sprintf("expected 'by' after '%s', found %s", prev.Value, found)
		e.Hint = fmt.Sprintf("write %s by ...", prev.Value)
	case k == 1 && isWord(*prev, "param"):
		e.Msg = fmt.Sprintf("expected a parameter name like $site after 'param', found %s", found)
		e.Hint = "a parameter is declared as: param $name = default comment 'description'"
	case inBetween(ch.toks[:k]):
		e.Msg = fmt.Sprintf("expected 'and' between the bounds of 'between', found %s", found)
		e.Hint = "write x between 1 and 5"
	case isPunct(tok, ",") && next != nil && clause == "select" && isKeyword(*next, "from"):
		e.Msg = "trailing comma: expected another item after ','"
		e.Hint = "remove the ',' before 'from'"
	case isPunct(tok, ",") && (next == nil || next.Type == tKeyword && clauseWords[next.Value]):
		e.Msg = "trailing comma: expected another item after ','"
		if next == nil {
			e.Hint = "remove the ',' at the end"
		} else {
			e.Hint = fmt.Sprintf("remove the ',' before '%s'", next.Value)
		}

	case strings.HasPrefix(expect, `"from"`):
		switch {
		case tok.Type == lexer.EOF || tok.Type == tKeyword && clauseWords[tok.Value]:
			e.Msg = fmt.Sprintf("missing 'from': expected 'from' before %s", found)
			e.Hint = "say which source to read, e.g. select age from records"
		case tok.Type == tIdent && closest(lower(tok.Value), []string{"from"}) == "from":
			e.Msg = fmt.Sprintf("expected 'from', found %s", found)
			e.Hint = "did you mean from?"
		case tok.Type == tIdent || tok.Type == tBracket:
			e.Msg = fmt.Sprintf("expected ',' or 'from' after %s, found %s", describe(*prev), found)
			e.Hint = fmt.Sprintf("separate items with ','; to name a column, write %s as %s", prev.raw, tok.raw)
		default:
			e.Msg = fmt.Sprintf("expected ',' or 'from' after %s, found %s", describe(*prev), found)
		}

	case expect == "GSource" || strings.HasPrefix(expect, "GSource"):
		e.Msg = fmt.Sprintf("expected a source after 'from', found %s", found)
		e.Hint = "sources are " + strings.Join(Sources, ", ")

	case strings.HasPrefix(expect, "GPrimary") || strings.HasPrefix(expect, "GItem") || strings.HasPrefix(expect, "GExpr") ||
		strings.HasPrefix(expect, "GValue") || strings.HasPrefix(expect, "GLiteral") || strings.HasPrefix(expect, "GDefault"):
		what := "a value"
		switch {
		case k == 0:
		case clause == "select" && (isKeyword(*prev, "select") || isPunct(*prev, ",")):
			what = "a field name, '*' or an expression"
		case isKeyword(*prev, "where") || isKeyword(*prev, "and") || isKeyword(*prev, "or") || isKeyword(*prev, "not"):
			what = "a condition"
		case isKeyword(*prev, "by"):
			what = "a field name or expression"
		case isPunct(*prev, "="):
			if prev.raw == "=" && clause == "param" {
				what = "a default value (text, number, true, false, null or a date)"
			}
		}
		after := ""
		if k > 0 {
			after = " after " + describe(*prev)
		}
		if tok.Type == lexer.EOF {
			e.Msg = fmt.Sprintf("unexpected end of statement: expected %s%s", what, after)
		} else {
			e.Msg = fmt.Sprintf("expected %s%s, found %s", what, after, found)
		}
		if tok.Type == tKeyword && !literalWords[tok.Value] {
			e.Hint = fmt.Sprintf("'%s' is a reserved word; to use it as a field name, write it in brackets: [%s]", tok.Value, tok.Value)
		}
		if isPunct(tok, "*") && clause == "select" {
			e.Hint = "'*' stands alone in the select list; it cannot be combined with other operators"
		}

	case expect == `"null"`:
		e.Msg = fmt.Sprintf("expected 'null' or 'not null' after 'is', found %s", found)
		e.Hint = "is tests for null only; compare values with = or <>"

	case expect == "GList":
		e.Msg = fmt.Sprintf("expected '(' after %s, found %s", describe(*prev), found)
		e.Hint = fmt.Sprintf("a list is written in parentheses: %s (1, 2, 3)", prev.raw)

	case strings.HasPrefix(expect, "GCount"):
		e.Msg = fmt.Sprintf("expected a whole number or a $parameter after %s, found %s", describe(*prev), found)
		e.Hint = fmt.Sprintf("e.g. %s 10", prev.raw)

	case expect == `")"`:
		e.Msg = fmt.Sprintf("expected ')' or ',' in the list, found %s", found)
	case expect == `"by"`:
		e.Msg = fmt.Sprintf("expected 'by' after %s, found %s", describe(*prev), found)
		e.Hint = fmt.Sprintf("write %s by ...", prev.raw)
	case expect == `"and"`:
		e.Msg = fmt.Sprintf("expected 'and' between the bounds of 'between', found %s", found)
		e.Hint = "write x between 1 and 5"
	case expect == "<param>" || expect == "Param" || expect == "<param>\"" || strings.Contains(expect, "Param"):
		e.Msg = fmt.Sprintf("expected a parameter name like $site after 'param', found %s", found)
	case strings.HasPrefix(expect, "GName") || strings.HasPrefix(expect, "<ident>") && clause == "as":
		e.Msg = fmt.Sprintf("expected a name after 'as', found %s", found)
		if tok.Type == tKeyword {
			e.Hint = fmt.Sprintf("to use the reserved word '%s' as a name, write [%s]", tok.Value, tok.Value)
		}
	case expect == "<string>" || expect == "String":
		e.Msg = fmt.Sprintf("expected text in quotes after %s, found %s", describe(*prev), found)

	default:
		// A complete part was followed by something that cannot continue it.
		if k > 0 {
			e.Msg = fmt.Sprintf("unexpected %s after %s", strings.TrimPrefix(found, "the "), describe(*prev))
		} else {
			e.Msg = "unexpected " + strings.TrimPrefix(found, "the ")
		}
		switch {
		case tok.Type == tKeyword && (tok.Value == "select"):
			e.Hint = "end the previous statement with ';'"
		case tok.Type == tIdent || tok.Type == tBracket || tok.Type == tNumber || tok.Type == tString:
			switch clause {
			case "where":
				e.Hint = "join conditions with and / or"
			case "select", "by":
				e.Hint = "separate items with ','"
			}
		case tok.Type == tPunct && compareOps[tok.Value] != 0 && tok.Value != "~":
			e.Hint = "a comparison has one operator: to test a range, write x between 1 and 5"
		case tok.Type == tKeyword && tok.Value == "from" && clause != "select":
			e.Hint = "'from' comes once, right after the select list"
		case tok.Type == tKeyword && clauseWords[tok.Value]:
			e.Hint = "clauses come in this order: select, from, where, group by, order by, limit, offset"
		}
	}
	return e
}

// inBetween reports whether toks end inside "between lo", before its "and".
func inBetween(toks []token) bool {
	for i := len(toks) - 1; i >= 0 && i >= len(toks)-8; i-- {
		t := toks[i]
		if t.Type == tKeyword && t.Value == "and" || t.Type == tPunct && (t.Value == "(" || t.Value == ")") {
			return false
		}
		if t.Type == tKeyword && t.Value == "between" {
			return i < len(toks)-1
		}
	}
	return false
}

// clauseWords start a clause of a statement.
var clauseWords = map[string]bool{"from": true, "where": true, "group": true, "order": true, "limit": true, "offset": true}

// literalWords are reserved words that are values, not names.
var literalWords = map[string]bool{"true": true, "false": true, "null": true, "not": true, "and": true, "or": true}

// clauseAt names the clause the tokens end in: select, from, where, by, limit, as, param.
func clauseAt(toks []token) string {
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch {
		case t.Type == tKeyword && (t.Value == "select" || t.Value == "from" || t.Value == "where" ||
			t.Value == "by" || t.Value == "limit" || t.Value == "offset"):
			return t.Value
		case t.Type == tKeyword && t.Value == "as" && i == len(toks)-1:
			return "as"
		case t.Type == tIdent && lower(t.Value) == "param" && i == 0:
			return "param"
		}
	}
	return ""
}

func describe(t token) string {
	switch t.Type {
	case tStart:
		return "the start"
	case lexer.EOF:
		return "the end of the statement"
	case tKeyword:
		if t.raw == "&&" || t.raw == "||" {
			return fmt.Sprintf("'%s'", t.raw)
		}
		return fmt.Sprintf("'%s'", t.Value)
	case tString:
		return "the text " + quoteShort(t.text)
	case tNumber:
		return "the number " + t.Value
	case tParam:
		return "$" + t.text
	case tBracket:
		return "[" + t.text + "]"
	}
	return fmt.Sprintf("'%s'", shorten(t.raw))
}

func quoteShort(s string) string {
	var b strings.Builder
	writeQuoted(&b, shorten(s))
	return b.String()
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// condText returns the statement's source text, for a hint that wraps it in a query.
func condText(ch chunk) string {
	if len(ch.toks) == 0 {
		return ""
	}
	var parts []string
	for _, t := range ch.toks {
		parts = append(parts, t.raw)
	}
	return shorten(strings.Join(parts, " "))
}

func isPunct(t token, v string) bool   { return t.Type == tPunct && t.Value == v }
func isKeyword(t token, v string) bool { return t.Type == tKeyword && t.Value == v }
func isWord(t token, v string) bool    { return t.Type == tIdent && lower(t.Value) == v }
