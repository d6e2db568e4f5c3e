package lang

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Operand is a value being built with the Go builder: a field, literal, parameter, call
// or arithmetic. It is an Expr; its comparison methods return a Cond.
//
//	lang.Field("score").Gt(5).And(lang.Form("baseline"))
//
// gives the same tree (positions aside) as parsing "score > 5 and form = 'baseline'".
type Operand struct{ Expr }

// Cond is a condition being built with the Go builder. It is an Expr; And, Or and Not
// combine conditions with the same precedence and flattening as the parser.
type Cond struct{ Expr }

// Field refers to a field or pseudo-column by name (record, event, form, ...). A reserved
// word (order, group, ...) is marked bracketed, as it must be written [order].
func Field(name string) Operand {
	return Operand{&Ref{Name: name, Bracketed: IsReserved(name) || !isIdent(name)}}
}

// ProjectField refers to the project field name, never a pseudo-column: [name].
func ProjectField(name string) Operand { return Operand{&Ref{Name: name, Bracketed: true}} }

// EventField refers to field's value on the record's row for event: [event][field].
func EventField(event, field string) Operand {
	return Operand{&Ref{Event: event, Name: field, Bracketed: true}}
}

// Var refers to the parameter $name.
func Var(name string) Operand { return Operand{&Param{Name: name}} }

// Value makes a literal from a Go value: nil (null), bool, any integer or float, string,
// time.Time (a date when it has no clock time, else a datetime) or an Expr, used as is.
// It panics on any other type, as that is a programming error.
func Value(v any) Operand { return Operand{toExpr(v)} }

// DateValue makes the literal date 'YYYY-MM-DD'.
func DateValue(year int, month time.Month, day int) Operand {
	return Operand{&Literal{Kind: Date, Text: fmt.Sprintf("%04d-%02d-%02d", year, int(month), day)}}
}

// Func calls the function name (lower, round, datediff, ...) on args (see Value).
func Func(name string, args ...any) Operand {
	c := &Call{Name: lower(name)}
	for _, a := range args {
		c.Args = append(c.Args, toExpr(a))
	}
	return Operand{c}
}

// CountAll is count(*).
func CountAll() Operand { return Operand{&Call{Name: "count", Star: true}} }

// CountDistinct is count(distinct x).
func CountDistinct(x any) Operand {
	return Operand{&Call{Name: "count", Distinct: true, Args: []Expr{toExpr(x)}}}
}

// Label is label(field): the label of a choice field's code.
func Label(field string) Operand { return Func("label", Field(field)) }

// Form scopes to instruments: form = 'name', or form in (...) for several.
func Form(names ...string) Cond { return pseudoIn("form", names) }

// Record selects records by id: record = 'id', or record in (...) for several.
func Record(ids ...string) Cond { return pseudoIn("record", ids) }

// Event selects events by unique name: event = 'name', or event in (...) for several.
func Event(names ...string) Cond { return pseudoIn("event", names) }

// Arm selects the arm number: arm = n.
func Arm(n int) Cond { return Field("arm").Eq(n) }

func pseudoIn(col string, vals []string) Cond {
	if len(vals) == 1 {
		return Field(col).Eq(vals[0])
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return Field(col).In(args...)
}

func (o Operand) cmp(op CompareOp, vals ...any) Cond {
	q := &Query{Left: o.Expr, Op: op}
	for _, v := range vals {
		q.Right = append(q.Right, toExpr(v))
	}
	if q.Right == nil && (op == In || op == NotIn || op == HasAny || op == HasAll) {
		q.Right = []Expr{}
	}
	return Cond{q}
}

// Eq is o = v.
func (o Operand) Eq(v any) Cond { return o.cmp(Eq, v) }

// Ne is o <> v.
func (o Operand) Ne(v any) Cond { return o.cmp(Ne, v) }

// Lt is o < v.
func (o Operand) Lt(v any) Cond { return o.cmp(Lt, v) }

// Le is o <= v.
func (o Operand) Le(v any) Cond { return o.cmp(Le, v) }

// Gt is o > v.
func (o Operand) Gt(v any) Cond { return o.cmp(Gt, v) }

// Ge is o >= v.
func (o Operand) Ge(v any) Cond { return o.cmp(Ge, v) }

// In is o in (vs...).
func (o Operand) In(vs ...any) Cond { return o.cmp(In, vs...) }

// NotIn is o not in (vs...).
func (o Operand) NotIn(vs ...any) Cond { return o.cmp(NotIn, vs...) }

// Between is o between lo and hi.
func (o Operand) Between(lo, hi any) Cond { return o.cmp(Between, lo, hi) }

// NotBetween is o not between lo and hi.
func (o Operand) NotBetween(lo, hi any) Cond { return o.cmp(NotBetween, lo, hi) }

// IsNull is o is null.
func (o Operand) IsNull() Cond { return o.cmp(IsNull) }

// IsNotNull is o is not null.
func (o Operand) IsNotNull() Cond { return o.cmp(IsNotNull) }

// Like is o like pattern (SQL LIKE: % and _).
func (o Operand) Like(pattern any) Cond { return o.cmp(Like, pattern) }

// NotLike is o not like pattern.
func (o Operand) NotLike(pattern any) Cond { return o.cmp(NotLike, pattern) }

// Match is o ~ re (an RE2 regular expression).
func (o Operand) Match(re any) Cond { return o.cmp(Match, re) }

// Has is o has code (checkbox).
func (o Operand) Has(code any) Cond { return o.cmp(Has, code) }

// HasAny is o has any (codes...).
func (o Operand) HasAny(codes ...any) Cond { return o.cmp(HasAny, codes...) }

// HasAll is o has all (codes...).
func (o Operand) HasAll(codes ...any) Cond { return o.cmp(HasAll, codes...) }

// Plus is o + v.
func (o Operand) Plus(v any) Operand {
	return Operand{&Binary{Op: Add, Left: o.Expr, Right: toExpr(v)}}
}

// Minus is o - v.
func (o Operand) Minus(v any) Operand {
	return Operand{&Binary{Op: Sub, Left: o.Expr, Right: toExpr(v)}}
}

// Times is o * v.
func (o Operand) Times(v any) Operand {
	return Operand{&Binary{Op: Mul, Left: o.Expr, Right: toExpr(v)}}
}

// Over is o / v.
func (o Operand) Over(v any) Operand {
	return Operand{&Binary{Op: Div, Left: o.Expr, Right: toExpr(v)}}
}

// Neg is -o (folded into the literal for a number, as the parser does).
func (o Operand) Neg() Operand { return Operand{negate(o.Expr, Pos{})} }

// And is c and others..., flattened like the parser flattens "a and b and c".
func (c Cond) And(others ...Cond) Cond { return Cond{group(And, c.Expr, conds(others)...)} }

// Or is c or others..., flattened like the parser flattens "a or b or c".
func (c Cond) Or(others ...Cond) Cond { return Cond{group(Or, c.Expr, conds(others)...)} }

// Not is not c.
func (c Cond) Not() Cond { return Negate(c) }

// All is c1 and c2 and ...; with one condition it is that condition.
func All(cs ...Cond) Cond {
	if len(cs) == 0 {
		panic("lang.All: no conditions")
	}
	return cs[0].And(cs[1:]...)
}

// Any is c1 or c2 or ...; with one condition it is that condition.
func Any(cs ...Cond) Cond {
	if len(cs) == 0 {
		panic("lang.Any: no conditions")
	}
	return cs[0].Or(cs[1:]...)
}

// Negate is not c.
func Negate(c Cond) Cond { return Cond{&QueryGroup{Op: Not, Items: []Expr{c.Expr}}} }

func conds(cs []Cond) []Expr {
	out := make([]Expr, len(cs))
	for i, c := range cs {
		out[i] = c.Expr
	}
	return out
}

// group builds an And/Or group of first and rest, splicing in the items of operands that
// are groups of the same operator, so that the tree does not depend on grouping.
func group(op LogicOp, first Expr, rest ...Expr) Expr {
	if len(rest) == 0 {
		return first
	}
	g := &QueryGroup{Op: op, Position: first.Pos()}
	for _, e := range append([]Expr{first}, rest...) {
		if sub, ok := e.(*QueryGroup); ok && sub.Op == op {
			g.Items = append(g.Items, sub.Items...)
			continue
		}
		g.Items = append(g.Items, e)
	}
	return g
}

// negate returns -x, folding a positive number literal into a negative one.
func negate(x Expr, at Pos) Expr {
	if l, ok := x.(*Literal); ok && l.Kind == Number && len(l.Text) > 0 && l.Text[0] != '-' {
		p := at
		if !p.IsValid() {
			p = l.Position
		}
		return &Literal{Position: p, Kind: Number, Text: "-" + l.Text, Num: -l.Num}
	}
	return &Unary{Position: at, Op: Neg, X: x}
}

// toExpr converts a builder argument into an Expr.
func toExpr(v any) Expr {
	switch v := v.(type) {
	case nil:
		return &Literal{Kind: Null, Text: "null"}
	case Operand:
		return v.Expr
	case Cond:
		return v.Expr
	case Expr:
		return v
	case bool:
		if v {
			return &Literal{Kind: Bool, Text: "true", Bool: true}
		}
		return &Literal{Kind: Bool, Text: "false"}
	case string:
		return &Literal{Kind: String, Text: v}
	case int:
		return intLit(int64(v))
	case int8:
		return intLit(int64(v))
	case int16:
		return intLit(int64(v))
	case int32:
		return intLit(int64(v))
	case int64:
		return intLit(v)
	case uint:
		return uintLit(uint64(v))
	case uint8:
		return uintLit(uint64(v))
	case uint16:
		return uintLit(uint64(v))
	case uint32:
		return uintLit(uint64(v))
	case uint64:
		return uintLit(v)
	case float32:
		return floatLit(float64(v))
	case float64:
		return floatLit(v)
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return &Literal{Kind: Date, Text: v.Format("2006-01-02")}
		}
		if v.Second() == 0 && v.Nanosecond() == 0 {
			return &Literal{Kind: Datetime, Text: v.Format("2006-01-02 15:04")}
		}
		return &Literal{Kind: Datetime, Text: v.Format("2006-01-02 15:04:05")}
	}
	panic(fmt.Sprintf("lang: cannot use %T as a query value", v))
}

func intLit(n int64) Expr {
	return &Literal{Kind: Number, Text: strconv.FormatInt(n, 10), Num: float64(n)}
}

func uintLit(n uint64) Expr {
	return &Literal{Kind: Number, Text: strconv.FormatUint(n, 10), Num: float64(n)}
}

func floatLit(f float64) Expr {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		panic(fmt.Sprintf("lang: %v is not a query number", f))
	}
	format := byte('f')
	if math.Abs(f) >= 1e21 || (f != 0 && math.Abs(f) < 1e-6) {
		format = 'e'
	}
	return &Literal{Kind: Number, Text: strconv.FormatFloat(f, format, -1, 64), Num: f}
}

// SelectFields builds the statement select [f1], [f2], ... from source
// where cond: project fields by name (never pseudo-columns), cond nil for
// none. It is how a Go caller asks for fields without writing rq text.
func SelectFields(source string, fields []string, where Expr) *Select {
	s := &Select{From: &Source{Name: source}, Where: where}
	for _, f := range fields {
		s.Items = append(s.Items, &SelectItem{Expr: ProjectField(f).Expr})
	}
	return s
}

// AsExplain returns a copy of s as if written explain [analyze] before it
// (analyze says which); s is not changed.
func (s *Select) AsExplain(analyze bool) *Select {
	c := *s
	c.Explain, c.Analyze = true, analyze
	return &c
}
