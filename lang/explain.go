package lang

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// explain turns a participle error into an *Error in the user's words. participle knows
// which grammar element it expected; the tokens before the error say where in the
// statement the user was. The first case of errorCases (errorcases.go) that matches
// writes the message and hint.
func explain(err error, ch chunk) *Error {
	pe, ok := err.(participle.Error)
	if !ok {
		return &Error{Pos: Pos(ch.eof), Msg: err.Error()}
	}
	s := stopAt(pe, ch)
	e := &Error{Pos: Pos(s.tok.Pos)}
	for _, c := range errorCases {
		if c.when(s) {
			c.say(s, e)
			break
		}
	}
	return e
}

// stop is where the parser stopped: the offending token, its neighbours, the clause it
// is in and what participle expected there.
type stop struct {
	ch     chunk
	k      int    // index of tok in ch.toks (len(ch.toks) at the end)
	tok    token  // the offending token, EOF at the end
	prev   token  // the token before, or a tStart sentinel
	next   *token // the token after, nil at the end
	clause string // see clauseAt
	found  string // tok described
	expect string // participle's expectation: "GSource", `"from"`, ...
}

func stopAt(pe participle.Error, ch chunk) *stop {
	at := pe.Position()
	s := &stop{ch: ch, k: len(ch.toks), tok: token{Token: lexer.EOFToken(ch.eof)},
		prev: token{Token: lexer.Token{Type: tStart}}}
	if m := pe.Message(); strings.HasSuffix(m, ")") {
		if i := strings.Index(m, " (expected "); i >= 0 {
			s.expect = m[i+len(" (expected ") : len(m)-1]
		}
	}
	for i, t := range ch.toks {
		if t.Pos.Offset >= at.Offset {
			s.k = i
			break
		}
	}
	if s.k < len(ch.toks) {
		s.tok = ch.toks[s.k]
	}
	if s.k > 0 {
		s.prev = ch.toks[s.k-1]
	}
	if s.k+1 < len(ch.toks) {
		s.next = &ch.toks[s.k+1]
	}
	s.clause = clauseAt(ch.toks[:s.k])
	s.found = describe(s.tok)
	return s
}

// expects reports whether participle expected one of the grammar elements named.
func (s *stop) expects(prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s.expect, p) {
			return true
		}
	}
	return false
}

// atEnd reports whether the offending token ends the statement or starts a clause.
func (s *stop) atClauseEnd() bool {
	return s.tok.Type == lexer.EOF || s.tok.Type == tKeyword && clauseWords[s.tok.Value]
}

// after is " after <previous token>", or "" at the start.
func (s *stop) after() string {
	if s.k == 0 {
		return ""
	}
	return " after " + describe(s.prev)
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
var clauseWords = map[string]bool{"from": true, "where": true, "group": true, "having": true, "order": true, "limit": true, "offset": true}

// literalWords are reserved words that are values, not names.
var literalWords = map[string]bool{"true": true, "false": true, "null": true, "not": true, "and": true, "or": true}

// clauseAt names the clause the tokens end in: select, from, where, by, limit, as, param.
func clauseAt(toks []token) string {
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		switch {
		case t.Type == tKeyword && (t.Value == "select" || t.Value == "from" || t.Value == "where" ||
			t.Value == "by" || t.Value == "having" || t.Value == "limit" || t.Value == "offset"):
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

func isPunct(t token, v string) bool {
	return (t.Type == tPunct || t.Type == tCompare || t.Type == tArith) && t.Value == v
}
func isKeyword(t token, v string) bool { return t.Type == tKeyword && t.Value == v }
func isWord(t token, v string) bool    { return t.Type == tIdent && lower(t.Value) == v }
