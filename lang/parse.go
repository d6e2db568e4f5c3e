package lang

import (
	"fmt"

	"github.com/alecthomas/participle/v2/lexer"
)

// Parse parses exactly one statement (a trailing ';' is allowed). On error it returns an
// ErrorList (every error found) and a nil statement.
func Parse(src string) (*Select, error) {
	f, err := ParseFile("", src)
	if err != nil {
		return nil, err
	}
	if len(f.Params) > 0 {
		return nil, ErrorList{{Pos: f.Params[0].Position,
			Msg:  "a parameter declaration is not a query",
			Hint: "declarations belong in .rq files; give parameter values with -p name=value or \\set"}}
	}
	switch len(f.Statements) {
	case 0:
		return nil, ErrorList{{Pos: Pos{Line: 1, Column: 1}, Msg: "expected a query, found nothing",
			Hint: "a query looks like: select age, score from records where score > 5"}}
	case 1:
		return f.Statements[0], nil
	}
	return nil, ErrorList{{Pos: f.Statements[1].Position,
		Msg:  fmt.Sprintf("expected one statement, found %d", len(f.Statements)),
		Hint: "run several statements from a .rq file; here, give one"}}
}

// ParseFile parses a whole .rq file: parameter declarations and statements separated by
// ';' (a ';' may be left out before a line that starts a new statement or declaration).
// Errors in one statement do not stop the others from being checked: on error the File
// holds every entry that parsed and the error is an ErrorList of all problems found.
func ParseFile(name, src string) (*File, error) {
	s := scan(name, src)
	errs := s.errs
	f := &File{Name: name}
	var spans []span
	for _, ch := range split(s.toks) {
		if ch.hasError() {
			continue
		}
		if e := checkParens(ch.toks); e != nil {
			errs = append(errs, e)
			continue
		}
		n, perrs := parseChunk(ch)
		if len(perrs) > 0 {
			errs = append(errs, perrs...)
			continue
		}
		switch n := n.(type) {
		case *ParamDecl:
			f.Params = append(f.Params, n)
		case *Select:
			f.Statements = append(f.Statements, n)
		}
		f.entries = append(f.entries, entry{node: n})
		spans = append(spans, ch.span)
	}
	attachComments(f, spans, s.comments)
	sortErrors(errs)
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors], &Error{Pos: errs[maxErrors].Pos,
			Msg: fmt.Sprintf("too many errors: stopping after %d", maxErrors)})
	}
	return f, errs.err()
}

// parseChunk parses one statement or declaration with the participle grammar.
func parseChunk(ch chunk) (Node, ErrorList) {
	g, err := grammar.ParseFromLexer(ch.peeking())
	if err != nil {
		return nil, ErrorList{explain(err, ch)}
	}
	c := &converter{}
	n := c.entry(g)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return n, nil
}

// span is the source range of one entry, with its terminating ';' if any.
type span struct {
	start, end int // byte offsets
	endLine    int // line of the last byte
}

// chunk is the tokens of one statement or declaration.
type chunk struct {
	toks     []token
	exprOnly bool           // a condition on its own (ParseExpr), not a statement
	eof      lexer.Position // where the statement ends: its ';' or just after its last token
	span
}

func (c chunk) hasError() bool {
	for _, t := range c.toks {
		if t.Type == tError {
			return true
		}
	}
	return false
}

// peeking makes the chunk a participle token stream ending in EOF.
func (c chunk) peeking() *lexer.PeekingLexer {
	toks := make([]token, len(c.toks), len(c.toks)+1)
	copy(toks, c.toks)
	toks = append(toks, token{Token: lexer.EOFToken(c.eof)})
	pl, _ := lexer.Upgrade(&tokenStream{toks: toks, eof: c.eof}) // a tokenStream never fails
	return pl
}

// split cuts the token stream into statements at ';', and before "select", "explain" and
// "param $x" when they cannot continue the statement before (a forgotten ';'). Chunks
// share the token array.
func split(toks []token) []chunk {
	var out []chunk
	start := 0
	flush := func(end int, eof lexer.Position, endOff, endLine int) {
		if end > start {
			out = append(out, chunk{toks: toks[start:end:end], eof: eof,
				span: span{start: toks[start].Pos.Offset, end: endOff, endLine: endLine}})
		}
	}
	afterLast := func(end int) (lexer.Position, int, int) {
		last := toks[end-1]
		p := last.Pos
		for i := 0; i < len(last.raw); i++ {
			if last.raw[i] == '\n' {
				p.Line++
				p.Column = 1
			} else {
				p.Column++
			}
		}
		p.Offset = last.end
		return p, last.end, p.Line
	}
	i := 0
	for ; i < len(toks) && toks[i].Type != lexer.EOF; i++ {
		t := toks[i]
		if t.Type == tPunct && t.Value == ";" {
			flush(i, t.Pos, t.end, t.Pos.Line)
			start = i + 1
			continue
		}
		if i > start && startsEntry(toks, i) {
			eof, endOff, endLine := afterLast(i)
			flush(i, eof, endOff, endLine)
			start = i
		}
	}
	if i > start {
		eof, endOff, endLine := afterLast(i)
		flush(i, eof, endOff, endLine)
	}
	return out
}

// startsEntry reports whether toks[i] must begin a new statement or declaration.
func startsEntry(toks []token, i int) bool {
	t := toks[i]
	next := func(k int) token {
		if i+k < len(toks) {
			return toks[i+k]
		}
		return token{}
	}
	prevWord := ""
	if i > 0 && toks[i-1].Type == tIdent {
		prevWord = lower(toks[i-1].Value)
	}
	switch {
	case t.Type == tKeyword && t.Value == "select":
		return prevWord != "explain" && prevWord != "analyze" && prevWord != "summarize"
	case t.Type == tIdent && lower(t.Value) == "summarize":
		n := next(1)
		return n.Type == tKeyword && n.Value == "select" || n.Type == tIdent && isSourceName(lower(n.Value))
	case t.Type == tIdent && lower(t.Value) == "explain":
		n := next(1)
		return n.Type == tKeyword && n.Value == "select" ||
			n.Type == tIdent && lower(n.Value) == "analyze" && next(2).Type == tKeyword && next(2).Value == "select"
	case t.Type == tIdent && lower(t.Value) == "param":
		return next(1).Type == tParam
	}
	return false
}

// checkParens finds an unmatched ')' or an unclosed '(' in one statement, which the
// grammar would otherwise report far from the cause.
func checkParens(toks []token) *Error {
	var open []token
	for _, t := range toks {
		if t.Type != tPunct {
			continue
		}
		switch t.Value {
		case "(":
			open = append(open, t)
		case ")":
			if len(open) == 0 {
				return &Error{Pos: Pos(t.Pos), Msg: "unmatched ')': no '(' is open here",
					Hint: "remove it, or add the missing '(' before it"}
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		t := open[len(open)-1]
		return &Error{Pos: Pos(t.Pos), Msg: "unclosed parenthesis: this '(' has no matching ')'",
			Hint: "add ')' where the parenthesised part ends"}
	}
	return nil
}

func sortErrors(errs ErrorList) {
	// insertion sort: lists are short and mostly sorted already
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Pos.Offset < errs[j-1].Pos.Offset; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// isSourceName reports whether name (lower case) is one of Sources.
func isSourceName(name string) bool {
	for _, s := range Sources {
		if s == name {
			return true
		}
	}
	return false
}
