package lang

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"github.com/alecthomas/participle/v2/lexer"
)

// converter turns participle's grammar structs into the exported AST, checking what the
// grammar cannot: source names, literal values, limits, call forms, tree depth.
type converter struct {
	errs ErrorList
}

func (c *converter) fail(p lexer.Position, msg, hint string) {
	c.errs = append(c.errs, &Error{Pos: Pos(p), Msg: msg, Hint: hint})
}

func (c *converter) entry(g *gEntry) Node {
	if g.Param != nil {
		return c.paramDecl(g.Param)
	}
	if g.Summarize != nil {
		return c.summarize(g.Summarize)
	}
	return c.selectStmt(g.Select)
}

// summarize builds a Select with Summarize set; the short form
// "summarize records where c" is "summarize select * from records where c".
func (c *converter) summarize(g *gSummarize) *Select {
	if g.Select != nil {
		s := c.selectStmt(g.Select)
		if s.Explain {
			c.fail(g.Select.Pos, "explain cannot be summarized",
				"write explain and summarize as two statements")
		}
		s.Position, s.Summarize = Pos(g.Pos), true
		return s
	}
	s := &Select{Position: Pos(g.Pos), Summarize: true,
		Items: []*SelectItem{{Position: Pos(g.From.Pos), Star: true}}, From: c.source(g.From)}
	if g.Where != nil {
		s.Where = c.top(g.Where)
	}
	return s
}

func (c *converter) paramDecl(g *gParamDecl) *ParamDecl {
	d := &ParamDecl{Position: Pos(g.Pos), Name: unparam(g.Name)}
	if g.Default != nil {
		d.Default = c.literal(g.Default.Lit)
		if g.Default.Neg {
			l, ok := d.Default.(*Literal)
			if !ok || l.Kind != Number {
				c.fail(g.Default.Pos, "only a number can be negative", "")
			} else {
				d.Default = negate(l, Pos(g.Default.Pos))
			}
		}
	}
	if g.Comment != nil {
		d.Description = unquote(*g.Comment)
	}
	return d
}

func (c *converter) selectStmt(g *gSelect) *Select {
	s := &Select{Position: Pos(g.Pos), Explain: g.Explain || g.Analyze, Analyze: g.Analyze, Distinct: g.Distinct}
	for _, it := range g.Items {
		item := &SelectItem{Position: Pos(it.Pos), Star: it.Star}
		if it.Expr != nil {
			item.Expr = c.top(it.Expr)
		}
		if it.Alias != nil {
			item.Alias = c.name(it.Alias)
			if it.Star {
				c.fail(it.Alias.Pos, "'*' cannot be given a name: it stands for every column",
					"name the columns one by one: select a as x, b from ...")
			}
		}
		s.Items = append(s.Items, item)
	}
	s.From = c.source(g.From)
	if g.Where != nil {
		s.Where = c.top(g.Where)
	}
	for _, e := range g.GroupBy {
		s.GroupBy = append(s.GroupBy, c.top(e))
	}
	if g.Having != nil {
		s.Having = c.top(g.Having)
	}
	for _, o := range g.OrderBy {
		item := &OrderItem{Position: Pos(o.Pos), Expr: c.top(o.Expr), Desc: strings.EqualFold(o.Dir, "desc")}
		switch lower(o.Nulls) {
		case "first":
			item.Nulls = NullsFirst
		case "last":
			item.Nulls = NullsLast
		}
		s.OrderBy = append(s.OrderBy, item)
	}
	if g.Limit != nil {
		s.Limit = c.count(g.Limit, "limit")
	}
	if g.Offset != nil {
		s.Offset = c.count(g.Offset, "offset")
	}
	return s
}

func (c *converter) name(g *gName) string {
	switch {
	case g.Ident != nil:
		return *g.Ident
	case g.Brack != nil:
		return unbracket(*g.Brack)
	}
	if unquote(*g.Str) == "" {
		c.fail(g.Pos, "an alias cannot be empty", "")
	}
	return unquote(*g.Str)
}

func (c *converter) source(g *gSource) *Source {
	name := lower(g.Name)
	for _, s := range Sources {
		if s == name {
			return &Source{Position: Pos(g.Pos), Name: name}
		}
	}
	hint := "sources are " + strings.Join(Sources, ", ")
	if best := closest(name, Sources); best != "" {
		hint = fmt.Sprintf("did you mean %s? (%s)", best, hint)
	}
	c.fail(g.Pos, fmt.Sprintf("unknown source %q", g.Name), hint)
	return &Source{Position: Pos(g.Pos), Name: name}
}

func (c *converter) count(g *gCount, clause string) Expr {
	if g.Param != nil {
		return &Param{Position: Pos(g.Pos), Name: unparam(*g.Param)}
	}
	n, err := strconv.ParseInt(*g.Number, 10, 64)
	if err != nil || n < 0 {
		c.fail(g.Pos, fmt.Sprintf("%s needs a whole number, not %s", clause, *g.Number),
			fmt.Sprintf("e.g. %s 10", clause))
	}
	return &Literal{Position: Pos(g.Pos), Kind: Number, Text: *g.Number, Num: float64(n)}
}

// top converts a whole expression and refuses trees too deep for the evaluators that
// will walk them recursively.
func (c *converter) top(g *gExpr) Expr {
	e := c.or(g)
	if e != nil && tooDeep(e, maxTreeDepth) {
		c.fail(lexer.Position(e.Pos()), fmt.Sprintf("expression is nested too deeply (more than %d levels)", maxTreeDepth),
			"split it into simpler conditions")
	}
	return e
}

// or applies precedence to a chain of operands joined by and/or: and binds tighter.
func (c *converter) or(g *gExpr) Expr {
	x := c.not(g.Left)
	if len(g.Right) == 0 {
		return x
	}
	var ors []Expr
	ands := []Expr{x}
	for _, r := range g.Right {
		if lower(r.Op) == "or" {
			ors = append(ors, group(And, ands[0], ands[1:]...))
			ands = nil
		}
		ands = append(ands, c.not(r.X))
	}
	ors = append(ors, group(And, ands[0], ands[1:]...))
	return group(Or, ors[0], ors[1:]...)
}

func (c *converter) not(g *gTerm) Expr {
	x := c.cmp(g.Left, g.Tail)
	for i := len(g.Nots) - 1; i >= 0; i-- {
		x = &QueryGroup{Position: Pos(g.Nots[i].Pos), Op: Not, Items: []Expr{x}}
	}
	return x
}

var compareOps = map[string]CompareOp{"=": Eq, "<>": Ne, "<": Lt, "<=": Le, ">": Gt, ">=": Ge, "~": Match}

func (c *converter) cmp(l *gValue, t *gCompare) Expr {
	left := c.add(l)
	if t == nil {
		return left
	}
	q := &Query{Position: left.Pos(), OpPos: Pos(t.Pos), Left: left}
	switch {
	case t.Is != nil:
		q.Op = IsNull
		if t.Is.Not {
			q.Op = IsNotNull
		}
	case t.Not != nil:
		switch {
		case t.Not.In != nil:
			q.Op, q.Right = NotIn, c.list(t.Not.In)
		case t.Not.Between != nil:
			q.Op, q.Right = NotBetween, []Expr{c.add(t.Not.Between.Lo), c.add(t.Not.Between.Hi)}
		default:
			q.Op, q.Right = NotLike, []Expr{c.add(t.Not.Like)}
		}
	case t.In != nil:
		q.Op, q.Right = In, c.list(t.In)
	case t.Between != nil:
		q.Op, q.Right = Between, []Expr{c.add(t.Between.Lo), c.add(t.Between.Hi)}
	case t.Like != nil:
		q.Op, q.Right = Like, []Expr{c.add(t.Like)}
	case t.Has != nil:
		switch strings.ToLower(t.Has.Mode) {
		case "any":
			q.Op, q.Right = HasAny, c.list(t.Has.List)
		case "all":
			q.Op, q.Right = HasAll, c.list(t.Has.List)
		default:
			q.Op, q.Right = Has, []Expr{c.add(t.Has.One)}
		}
	default:
		q.Op, q.Right = compareOps[t.Op], []Expr{c.add(t.Right)}
	}
	return q
}

func (c *converter) list(g *gList) []Expr {
	out := make([]Expr, 0, len(g.Items))
	for _, it := range g.Items {
		out = append(out, c.or(it))
	}
	return out
}

// add applies precedence to a chain of operands joined by + - * /: * and / bind tighter,
// and each operator groups to the left.
func (c *converter) add(g *gValue) Expr {
	sum := c.negs(c.primary(g.Left), g.Negs)
	var term Expr
	var termOp *gArith // the + or - that term follows; nil while term is the first
	flush := func() {
		if term == nil {
			return
		}
		sum = &Binary{Position: sum.Pos(), OpPos: Pos(termOp.Pos), Op: arithOps[termOp.Op], Left: sum, Right: term}
		term = nil
	}
	for _, r := range g.Right {
		x := c.negs(c.primary(r.X), r.Negs)
		switch r.Op {
		case "*", "/":
			if term == nil {
				sum = &Binary{Position: sum.Pos(), OpPos: Pos(r.Pos), Op: arithOps[r.Op], Left: sum, Right: x}
			} else {
				term = &Binary{Position: term.Pos(), OpPos: Pos(r.Pos), Op: arithOps[r.Op], Left: term, Right: x}
			}
		default:
			flush()
			term, termOp = x, r
		}
	}
	flush()
	return sum
}

var arithOps = map[string]ArithOp{"+": Add, "-": Sub, "*": Mul, "/": Div}

// negs applies unary minus signs, innermost last.
func (c *converter) negs(x Expr, negs []*gMinus) Expr {
	for i := len(negs) - 1; i >= 0; i-- {
		x = negate(x, Pos(negs[i].Pos))
	}
	return x
}

func (c *converter) primary(g *gPrimary) Expr {
	switch {
	case g.Paren != nil:
		return c.or(g.Paren)
	case g.Param != nil:
		return &Param{Position: Pos(g.Pos), Name: unparam(*g.Param)}
	case g.Lit != nil:
		return c.literal(g.Lit)
	case g.Pinned != nil:
		if len(g.Pinned.Parts) == 2 {
			return &Ref{Position: Pos(g.Pos), Event: unbracket(g.Pinned.Parts[0]), Name: unbracket(g.Pinned.Parts[1]), Bracketed: true}
		}
		return &Ref{Position: Pos(g.Pos), Name: unbracket(g.Pinned.Parts[0]), Bracketed: true}
	case g.Case != nil:
		k := &Case{Position: Pos(g.Pos)}
		for _, w := range g.Case.Whens {
			k.Whens = append(k.Whens, &When{Position: Pos(w.Pos), Cond: c.or(w.Cond), Then: c.or(w.Then)})
		}
		if g.Case.Else != nil {
			k.Else = c.or(g.Case.Else)
		}
		return k
	case g.Call != nil:
		call := &Call{Position: Pos(g.Pos), Name: lower(*g.Name), Star: g.Call.Star, Distinct: g.Call.Distinct}
		for _, a := range g.Call.Args {
			call.Args = append(call.Args, c.or(a))
		}
		switch {
		case call.Star && call.Name != "count":
			c.fail(g.Pos, fmt.Sprintf("%s(*) is not allowed: only count takes *", call.Name),
				fmt.Sprintf("write %s(field)", call.Name))
		case call.Distinct && !takesDistinct(call.Name):
			c.fail(g.Pos, fmt.Sprintf("distinct is not allowed in %s(): only %s take it", call.Name, distinctNames()), "")
		case call.Distinct && len(call.Args) != 1:
			c.fail(g.Pos, fmt.Sprintf("%s(distinct ...) takes exactly one argument", call.Name), "")
		}
		return call
	}
	return &Ref{Position: Pos(g.Pos), Name: *g.Name}
}

func (c *converter) literal(g *gLiteral) Expr {
	p := Pos(g.Pos)
	switch {
	case g.Number != nil:
		f, err := strconv.ParseFloat(*g.Number, 64)
		if err != nil || math.IsInf(f, 0) {
			c.fail(g.Pos, fmt.Sprintf("number %s is out of range", *g.Number), "")
		}
		return &Literal{Position: p, Kind: Number, Text: *g.Number, Num: f}
	case g.Str != nil:
		return &Literal{Position: p, Kind: String, Text: unquote(*g.Str)}
	case g.True:
		return &Literal{Position: p, Kind: Bool, Text: "true", Bool: true}
	case g.False:
		return &Literal{Position: p, Kind: Bool, Text: "false"}
	case g.Null:
		return &Literal{Position: p, Kind: Null, Text: "null"}
	case g.Date != nil:
		text := unquote(*g.Date)
		if _, ok := ParseDate(text); !ok {
			c.fail(g.Pos, fmt.Sprintf("invalid date %q", text), "a date is written date 'YYYY-MM-DD', e.g. date '2024-01-31'")
		}
		return &Literal{Position: p, Kind: Date, Text: text}
	default:
		text := unquote(*g.Datetime)
		if _, ok := ParseDatetime(text); !ok {
			c.fail(g.Pos, fmt.Sprintf("invalid datetime %q", text),
				"a datetime is written datetime 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS'")
		}
		return &Literal{Position: p, Kind: Datetime, Text: text}
	}
}

// datetimeLayouts are the forms a datetime literal may take (REDCap's datetime_ymd and
// datetime_seconds_ymd, and the same with ISO 8601's 'T').
var datetimeLayouts = []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05"}

// ParseDatetime parses the text of a datetime literal (local time, no zone).
func ParseDatetime(s string) (time.Time, bool) {
	for _, l := range datetimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseDate parses the text of a date literal, YYYY-MM-DD.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// tooDeep reports whether e nests more than limit levels, without recursing further.
func tooDeep(e Expr, limit int) bool {
	if limit < 0 {
		return true
	}
	switch e := e.(type) {
	case *QueryGroup:
		for _, it := range e.Items {
			if tooDeep(it, limit-1) {
				return true
			}
		}
	case *Query:
		if tooDeep(e.Left, limit-1) {
			return true
		}
		for _, r := range e.Right {
			if tooDeep(r, limit-1) {
				return true
			}
		}
	case *Binary:
		return tooDeep(e.Left, limit-1) || tooDeep(e.Right, limit-1)
	case *Unary:
		return tooDeep(e.X, limit-1)
	case *Call:
		for _, a := range e.Args {
			if tooDeep(a, limit-1) {
				return true
			}
		}
	case *Case:
		for _, w := range e.Whens {
			if tooDeep(w.Cond, limit-1) || tooDeep(w.Then, limit-1) {
				return true
			}
		}
		return e.Else != nil && tooDeep(e.Else, limit-1)
	}
	return false
}

// closest returns the candidate nearest to s by edit distance, if it is near enough.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD || (d == bestD && best == "") && d <= 2 {
			best, bestD = c, d
		}
	}
	if bestD > 2 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (99 for long words,
// which never get a suggestion).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	return levenshtein.ComputeDistance(a, b)
}
