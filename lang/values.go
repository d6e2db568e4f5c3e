package lang

import (
	"fmt"
	"strconv"
)

// IntValue returns the whole number that a limit or offset stands for: the literal's
// value, or the parameter's value from params. The error names the position and the
// parameter.
func IntValue(e Expr, params map[string]string) (int64, error) {
	switch e := e.(type) {
	case *Literal:
		if e.Kind == Number && e.Num >= 0 && e.Num == float64(int64(e.Num)) {
			return int64(e.Num), nil
		}
		return 0, &Error{Pos: e.Position, Msg: fmt.Sprintf("expected a whole number, not %s", e)}
	case *Param:
		v, ok := params[e.Name]
		if !ok {
			return 0, &Error{Pos: e.Position, Msg: fmt.Sprintf("parameter $%s has no value", e.Name)}
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, &Error{Pos: e.Position, Msg: fmt.Sprintf("parameter $%s must be a whole number of 0 or more, not %q", e.Name, v)}
		}
		return n, nil
	case nil:
		return 0, &Error{Msg: "no value"}
	}
	return 0, &Error{Pos: e.Pos(), Msg: fmt.Sprintf("expected a whole number, not %s", e)}
}

// ParseExpr parses a condition or value on its own, such as "score > 5 and form =
// 'baseline'" (what follows where in a statement).
func ParseExpr(src string) (Expr, error) {
	s := scan("", src)
	if len(s.errs) > 0 {
		return nil, s.errs
	}
	toks := s.toks[:len(s.toks)-1] // without EOF
	if len(toks) == 0 {
		return nil, ErrorList{{Pos: Pos{Line: 1, Column: 1}, Msg: "expected a condition or value, found nothing"}}
	}
	if e := checkParens(toks); e != nil {
		return nil, ErrorList{e}
	}
	ch := chunk{toks: toks, exprOnly: true, eof: s.toks[len(s.toks)-1].Pos}
	g, err := exprGrammar.ParseFromLexer(ch.peeking())
	if err != nil {
		return nil, ErrorList{explain(err, ch)}
	}
	c := &converter{}
	e := c.top(g)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return e, nil
}
