package lang

import (
	"math"
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"
)

// The fast path. participle's reflection-driven parser costs tens of microseconds per
// statement, too slow for the ≤ 20 µs target on the headline query. So each statement is
// first given to this hand-written recursive-descent parser, which follows grammar.go rule
// for rule and builds the same tree with the same positions. It gives up (ok == false) on
// anything it does not accept, and the participle grammar then parses the statement and
// reports the error. The participle grammar remains the definition: the EBNF in the docs
// is generated from it, every error message comes from it, and tests and FuzzParse check
// that both accept exactly the same statements and build identical trees.

type fastParser struct {
	toks []token
	i    int
}

// bail unwinds the fast parser; fastEntry recovers it.
type bail struct{}

func fastEntry(toks []token) (n Node, ok bool) {
	p := &fastParser{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bail); !isBail {
				panic(r)
			}
			n, ok = nil, false
		}
	}()
	if p.isWord("param") {
		n = p.paramDecl()
	} else {
		n = p.selectStmt()
	}
	if p.i != len(p.toks) {
		return nil, false
	}
	return n, true
}

func (p *fastParser) fail() { panic(bail{}) }

func (p *fastParser) peek() *token {
	if p.i < len(p.toks) {
		return &p.toks[p.i]
	}
	return &token{Token: lexer.Token{Type: lexer.EOF}}
}

func (p *fastParser) next() *token {
	if p.i >= len(p.toks) {
		p.fail()
	}
	t := &p.toks[p.i]
	p.i++
	return t
}

func (p *fastParser) isKw(v string) bool {
	t := p.peek()
	return t.Type == tKeyword && t.Value == v
}

func (p *fastParser) isPunct(v string) bool {
	t := p.peek()
	return t.Type == tPunct && t.Value == v
}

// isWord matches a non-reserved grammar word (explain, param, asc, ...) in any case.
func (p *fastParser) isWord(v string) bool {
	t := p.peek()
	return t.Type == tIdent && len(t.Value) == len(v) && lower(t.Value) == v
}

func (p *fastParser) accept(ok bool) bool {
	if ok {
		p.i++
	}
	return ok
}

func (p *fastParser) expect(ok bool) *token {
	if !ok {
		p.fail()
	}
	return p.next()
}

func (p *fastParser) expectType(typ lexer.TokenType) *token { return p.expect(p.peek().Type == typ) }

func (p *fastParser) paramDecl() *ParamDecl {
	start := p.next() // param
	d := &ParamDecl{Position: Pos(start.Pos), Name: p.expectType(tParam).text}
	if p.accept(p.isPunct("=")) {
		at := p.peek().Pos
		neg := p.accept(p.isPunct("-"))
		lit := p.literal()
		if lit == nil {
			p.fail()
		}
		d.Default = lit
		if neg {
			if lit.Kind != Number {
				p.fail()
			}
			d.Default = negate(lit, Pos(at))
		}
	}
	if p.accept(p.isWord("comment")) {
		d.Description = p.expectType(tString).text
	}
	return d
}

func (p *fastParser) selectStmt() *Select {
	s := &Select{Position: Pos(p.peek().Pos)}
	if p.accept(p.isWord("explain")) {
		s.Explain = true
		s.Analyze = p.accept(p.isWord("analyze"))
	}
	p.expect(p.isKw("select"))
	for {
		s.Items = append(s.Items, p.item())
		if !p.accept(p.isPunct(",")) {
			break
		}
	}
	p.expect(p.isKw("from"))
	src := p.expectType(tIdent)
	name := lower(src.Value)
	if !isSource(name) {
		p.fail()
	}
	s.From = &Source{Position: Pos(src.Pos), Name: name}
	if p.accept(p.isKw("where")) {
		s.Where = p.top()
	}
	if p.accept(p.isKw("group")) {
		p.expect(p.isKw("by"))
		for {
			s.GroupBy = append(s.GroupBy, p.top())
			if !p.accept(p.isPunct(",")) {
				break
			}
		}
	}
	if p.accept(p.isKw("order")) {
		p.expect(p.isKw("by"))
		for {
			at := p.peek().Pos
			o := &OrderItem{Position: Pos(at), Expr: p.top()}
			if !p.accept(p.isWord("asc")) {
				o.Desc = p.accept(p.isWord("desc"))
			}
			s.OrderBy = append(s.OrderBy, o)
			if !p.accept(p.isPunct(",")) {
				break
			}
		}
	}
	if p.accept(p.isKw("limit")) {
		s.Limit = p.count()
		if p.accept(p.isKw("offset")) {
			s.Offset = p.count()
		}
	}
	return s
}

func isSource(name string) bool {
	for _, s := range Sources {
		if s == name {
			return true
		}
	}
	return false
}

func (p *fastParser) item() *SelectItem {
	it := &SelectItem{Position: Pos(p.peek().Pos)}
	if p.accept(p.isPunct("*")) {
		it.Star = true
	} else {
		it.Expr = p.top()
	}
	if p.accept(p.isKw("as")) {
		t := p.next()
		switch t.Type {
		case tIdent:
			it.Alias = t.Value
		case tBracket:
			it.Alias = t.text
		case tString:
			if t.text == "" {
				p.fail()
			}
			it.Alias = t.text
		default:
			p.fail()
		}
	}
	return it
}

func (p *fastParser) count() Expr {
	t := p.next()
	switch t.Type {
	case tParam:
		return &Param{Position: Pos(t.Pos), Name: t.text}
	case tNumber:
		n, err := strconv.ParseInt(t.Value, 10, 64)
		if err != nil || n < 0 {
			p.fail()
		}
		return &Literal{Position: Pos(t.Pos), Kind: Number, Text: t.Value, Num: float64(n)}
	}
	p.fail()
	return nil
}

func (p *fastParser) top() Expr {
	e := p.or()
	if tooDeep(e, maxTreeDepth) {
		p.fail()
	}
	return e
}

func (p *fastParser) or() Expr {
	x := p.and()
	if !p.isKw("or") {
		return x
	}
	items := []Expr{x}
	for p.accept(p.isKw("or")) {
		items = append(items, p.and())
	}
	return group(Or, items[0], items[1:]...)
}

func (p *fastParser) and() Expr {
	x := p.not()
	if !p.isKw("and") {
		return x
	}
	items := []Expr{x}
	for p.accept(p.isKw("and")) {
		items = append(items, p.not())
	}
	return group(And, items[0], items[1:]...)
}

func (p *fastParser) not() Expr {
	var nots []lexer.Position
	for p.isKw("not") {
		nots = append(nots, p.next().Pos)
	}
	x := p.cmp()
	for i := len(nots) - 1; i >= 0; i-- {
		x = &QueryGroup{Position: Pos(nots[i]), Op: Not, Items: []Expr{x}}
	}
	return x
}

func (p *fastParser) cmp() Expr {
	left := p.add()
	t := p.peek()
	q := &Query{Position: left.Pos(), OpPos: Pos(t.Pos), Left: left}
	switch {
	case t.Type == tKeyword && t.Value == "is":
		p.next()
		q.Op = IsNull
		if p.accept(p.isKw("not")) {
			q.Op = IsNotNull
		}
		p.expect(p.isKw("null"))
	case t.Type == tKeyword && t.Value == "not":
		p.next()
		switch {
		case p.accept(p.isKw("in")):
			q.Op, q.Right = NotIn, p.list()
		case p.accept(p.isKw("between")):
			q.Op, q.Right = NotBetween, p.between()
		case p.accept(p.isKw("like")):
			q.Op, q.Right = NotLike, []Expr{p.add()}
		default:
			p.fail()
		}
	case t.Type == tKeyword && t.Value == "in":
		p.next()
		q.Op, q.Right = In, p.list()
	case t.Type == tKeyword && t.Value == "between":
		p.next()
		q.Op, q.Right = Between, p.between()
	case t.Type == tKeyword && t.Value == "like":
		p.next()
		q.Op, q.Right = Like, []Expr{p.add()}
	case t.Type == tKeyword && t.Value == "has":
		p.next()
		switch {
		case p.accept(p.isKw("any")):
			q.Op, q.Right = HasAny, p.list()
		case p.accept(p.isKw("all")):
			q.Op, q.Right = HasAll, p.list()
		default:
			q.Op, q.Right = Has, []Expr{p.add()}
		}
	case t.Type == tPunct && compareOps[t.Value] != 0:
		p.next()
		q.Op, q.Right = compareOps[t.Value], []Expr{p.add()}
	default:
		return left
	}
	return q
}

func (p *fastParser) between() []Expr {
	lo := p.add()
	p.expect(p.isKw("and"))
	return []Expr{lo, p.add()}
}

func (p *fastParser) list() []Expr {
	p.expect(p.isPunct("("))
	out := []Expr{}
	if p.accept(p.isPunct(")")) {
		return out
	}
	for {
		out = append(out, p.or())
		if !p.accept(p.isPunct(",")) {
			break
		}
	}
	p.expect(p.isPunct(")"))
	return out
}

func (p *fastParser) add() Expr {
	x := p.mul()
	for p.isPunct("+") || p.isPunct("-") {
		t := p.next()
		op := Add
		if t.Value == "-" {
			op = Sub
		}
		x = &Binary{Position: x.Pos(), OpPos: Pos(t.Pos), Op: op, Left: x, Right: p.mul()}
	}
	return x
}

func (p *fastParser) mul() Expr {
	x := p.unary()
	for p.isPunct("*") || p.isPunct("/") {
		t := p.next()
		op := Mul
		if t.Value == "/" {
			op = Div
		}
		x = &Binary{Position: x.Pos(), OpPos: Pos(t.Pos), Op: op, Left: x, Right: p.unary()}
	}
	return x
}

func (p *fastParser) unary() Expr {
	var negs []lexer.Position
	for p.isPunct("-") {
		negs = append(negs, p.next().Pos)
	}
	x := p.primary()
	for i := len(negs) - 1; i >= 0; i-- {
		x = negate(x, Pos(negs[i]))
	}
	return x
}

func (p *fastParser) primary() Expr {
	t := p.peek()
	switch t.Type {
	case tPunct:
		if t.Value == "(" {
			p.next()
			x := p.or()
			p.expect(p.isPunct(")"))
			return x
		}
	case tParam:
		p.next()
		return &Param{Position: Pos(t.Pos), Name: t.text}
	case tBracket:
		p.next()
		if p.peek().Type == tBracket {
			f := p.next()
			return &Ref{Position: Pos(t.Pos), Event: t.text, Name: f.text, Bracketed: true}
		}
		return &Ref{Position: Pos(t.Pos), Name: t.text, Bracketed: true}
	case tIdent:
		p.next()
		if !p.isPunct("(") {
			return &Ref{Position: Pos(t.Pos), Name: t.Value}
		}
		return p.call(t)
	}
	if lit := p.literal(); lit != nil {
		return lit
	}
	p.fail()
	return nil
}

func (p *fastParser) call(name *token) Expr {
	p.next() // (
	c := &Call{Position: Pos(name.Pos), Name: lower(name.Value)}
	switch {
	case p.accept(p.isPunct("*")):
		c.Star = true
	case p.isPunct(")"):
	default:
		c.Distinct = p.accept(p.isKw("distinct"))
		for {
			c.Args = append(c.Args, p.or())
			if !p.accept(p.isPunct(",")) {
				break
			}
		}
	}
	p.expect(p.isPunct(")"))
	if c.Star && c.Name != "count" || c.Distinct && (!aggregates[c.Name] || len(c.Args) != 1) {
		p.fail()
	}
	return c
}

// literal parses a literal, or returns nil without consuming anything.
func (p *fastParser) literal() *Literal {
	t := p.peek()
	at := Pos(t.Pos)
	switch t.Type {
	case tNumber:
		p.next()
		f, err := strconv.ParseFloat(t.Value, 64)
		if err != nil || math.IsInf(f, 0) {
			p.fail()
		}
		return &Literal{Position: at, Kind: Number, Text: t.Value, Num: f}
	case tString:
		p.next()
		return &Literal{Position: at, Kind: String, Text: t.text}
	case tKeyword:
		switch t.Value {
		case "true":
			p.next()
			return &Literal{Position: at, Kind: Bool, Text: "true", Bool: true}
		case "false":
			p.next()
			return &Literal{Position: at, Kind: Bool, Text: "false"}
		case "null":
			p.next()
			return &Literal{Position: at, Kind: Null, Text: "null"}
		case "date", "datetime":
			p.next()
			s := p.expectType(tString).text
			if t.Value == "date" {
				if _, ok := ParseDate(s); !ok {
					p.fail()
				}
				return &Literal{Position: at, Kind: Date, Text: s}
			}
			if _, ok := ParseDatetime(s); !ok {
				p.fail()
			}
			return &Literal{Position: at, Kind: Datetime, Text: s}
		}
	}
	return nil
}
