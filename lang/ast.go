package lang

import "fmt"

// Pos is a position in the source: file name, byte offset, 1-based line and column.
// The zero Pos means "no position" (nodes built with the Go builder have none).
type Pos struct {
	Filename string
	Offset   int // byte offset from the start of the input, 0-based
	Line     int // 1-based
	Column   int // 1-based, counted in bytes
}

// IsValid reports whether p is a real position (Line > 0).
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders p as "file:line:col", "line:col" without a file name, or "-" when invalid.
func (p Pos) String() string {
	if !p.IsValid() {
		if p.Filename != "" {
			return p.Filename
		}
		return "-"
	}
	if p.Filename == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// Node is any syntax tree node. String prints it as canonical rq source.
type Node interface {
	Pos() Pos
	String() string
}

// Expr is a value or condition: *Query, *QueryGroup, *Ref, *Literal, *Param, *Call,
// *Case, *Binary or *Unary.
type Expr interface {
	Node
	exprNode()
}

// File is a parsed .rq file: parameter declarations and statements in source order.
type File struct {
	Name       string
	Params     []*ParamDecl
	Statements []*Select
	entries    []entry  // params and statements interleaved, with comments, for Format
	tail       []string // comments after the last entry
}

// ParamDecl declares a parameter in a .rq file:
//
//	param $name [= default] [comment 'description'];
type ParamDecl struct {
	Position    Pos
	Name        string // without the '$'
	Default     Expr   // nil when the parameter is required; else a *Literal (or negated number)
	Description string // "" when absent
}

// Select is one statement:
//
//	[explain [analyze]] select [distinct] items from source [where ...] [group by ...]
//	[having ...] [order by ...] [limit n [offset m]]
type Select struct {
	Position Pos // of the first token ("explain", "select" or "summarize")
	// Summarize: the statement returns one row per column of its result, not the result
	// (summarize select ...; "summarize records where c" is "summarize select * from
	// records where c").
	Summarize bool
	Explain   bool
	Analyze   bool // explain analyze: run and report; implies Explain
	Distinct  bool // select distinct: each output row once
	Items     []*SelectItem
	From      *Source
	Where     Expr         // nil when absent
	GroupBy   []Expr       // nil when absent
	Having    Expr         // nil when absent: a condition on each group's row
	OrderBy   []*OrderItem // nil when absent
	Limit     Expr         // nil, a non-negative integer *Literal, or a *Param
	Offset    Expr         // nil, a non-negative integer *Literal, or a *Param
}

// SelectItem is one entry of the select list: "*" or an expression with an optional alias.
type SelectItem struct {
	Position Pos
	Star     bool // "*"; Expr is nil then
	Expr     Expr
	Alias    string // "" when absent
}

// Source is what a statement reads from: records, metadata, fields, instruments, events,
// arms, fem, repeating, users, dags or project. Name is always lower case.
type Source struct {
	Position Pos
	Name     string
}

// Sources lists every valid Source name.
var Sources = []string{"records", "metadata", "fields", "instruments", "events", "arms",
	"fem", "repeating", "users", "dags", "project"}

// OrderItem is one "order by" key.
type OrderItem struct {
	Position Pos
	Expr     Expr
	Desc     bool
	Nulls    NullsOrder // where nulls go; NullsDefault: last ascending, first descending
}

// NullsOrder says where an order by key puts nulls.
type NullsOrder int

// Where nulls go.
const (
	NullsDefault NullsOrder = iota // after every value ascending, before them descending
	NullsFirst                     // nulls first
	NullsLast                      // nulls last
)

// Case is a conditional value: the Then of the first When whose condition is true, else
// Else (null when Else is nil).
//
//	case when score > 5 then 'high' when score > 2 then 'mid' else 'low' end
type Case struct {
	Position Pos // of "case"
	Whens    []*When
	Else     Expr // nil when absent
}

// When is one "when cond then value" of a Case.
type When struct {
	Position Pos // of "when"
	Cond     Expr
	Then     Expr
}

// Query is a leaf condition: Left Op Right, as in "score > 5", "x in (1, 2)",
// "x between 1 and 5" (Right holds both bounds), "x is null" (Right is empty).
type Query struct {
	Position Pos // of Left
	OpPos    Pos // of the operator's first token
	Left     Expr
	Op       CompareOp
	Right    []Expr
}

// QueryGroup combines conditions: And and Or hold two or more Items (nested groups of the
// same operator are flattened), Not holds exactly one.
type QueryGroup struct {
	Position Pos // of the first item, or of "not"
	Op       LogicOp
	Items    []Expr
}

// Ref names a column: a field, a pseudo-column (record, event, form, ...), or, with Event
// set, the value of a field on that event's row of the record ([event][field]).
// Bracketed is true when written in brackets; a bracketed name always means a project
// field, never a pseudo-column or keyword.
type Ref struct {
	Position  Pos
	Event     string // "" unless event-pinned
	Name      string
	Bracketed bool
}

// Literal is a constant. Text is the value as text: the unquoted string, the number as
// written, "true"/"false", "null", or the date/datetime text.
type Literal struct {
	Position Pos
	Kind     LitKind
	Text     string
	Num      float64 // Kind == Number
	Bool     bool    // Kind == Bool
}

// Param is a parameter reference, $name. Name excludes the '$'.
type Param struct {
	Position Pos
	Name     string
}

// Call is a function or aggregate call: lower(x), count(*), count(distinct x), label(x).
// Name is lower case.
type Call struct {
	Position Pos
	Name     string
	Args     []Expr
	Star     bool // count(*)
	Distinct bool // count(distinct x)
}

// Binary is arithmetic: Left Op Right.
type Binary struct {
	Position Pos // of Left
	OpPos    Pos
	Op       ArithOp
	Left     Expr
	Right    Expr
}

// Unary is a unary minus. (Negative number literals are folded into the *Literal.)
type Unary struct {
	Position Pos
	Op       UnaryOp
	X        Expr
}

// CompareOp is the operator of a Query.
type CompareOp int

// Comparison operators.
const (
	Eq         CompareOp = iota + 1 // =  (also == and, from REDCap, nothing else)
	Ne                              // <> (also !=)
	Lt                              // <
	Le                              // <=
	Gt                              // >
	Ge                              // >=
	In                              // in (...)
	NotIn                           // not in (...)
	Between                         // between a and b
	NotBetween                      // not between a and b
	IsNull                          // is null
	IsNotNull                       // is not null
	Like                            // like 'pat%'
	NotLike                         // not like
	Match                           // ~ 're' (RE2)
	Has                             // has 'code' (checkbox)
	HasAny                          // has any ('a', 'b')
	HasAll                          // has all ('a', 'b')
)

var compareOpText = [...]string{
	Eq: "=", Ne: "<>", Lt: "<", Le: "<=", Gt: ">", Ge: ">=", In: "in", NotIn: "not in",
	Between: "between", NotBetween: "not between", IsNull: "is null", IsNotNull: "is not null",
	Like: "like", NotLike: "not like", Match: "~", Has: "has", HasAny: "has any", HasAll: "has all",
}

// String returns the operator as written in canonical source ("<>", "not in", "is null").
func (op CompareOp) String() string {
	if op > 0 && int(op) < len(compareOpText) {
		return compareOpText[op]
	}
	return fmt.Sprintf("CompareOp(%d)", int(op))
}

// Negated returns the operator that is true exactly when op is false for non-null operands
// (Eq↔Ne, Lt↔Ge, In↔NotIn, ...), and false when op has no such counterpart (Match, Has*).
func (op CompareOp) Negated() (CompareOp, bool) {
	switch op {
	case Eq:
		return Ne, true
	case Ne:
		return Eq, true
	case Lt:
		return Ge, true
	case Le:
		return Gt, true
	case Gt:
		return Le, true
	case Ge:
		return Lt, true
	case In:
		return NotIn, true
	case NotIn:
		return In, true
	case Between:
		return NotBetween, true
	case NotBetween:
		return Between, true
	case IsNull:
		return IsNotNull, true
	case IsNotNull:
		return IsNull, true
	case Like:
		return NotLike, true
	case NotLike:
		return Like, true
	}
	return 0, false
}

// LogicOp is the operator of a QueryGroup.
type LogicOp int

// Logical operators.
const (
	And LogicOp = iota + 1 // and (also &&)
	Or                     // or (also ||)
	Not                    // not
)

// String returns "and", "or" or "not".
func (op LogicOp) String() string {
	switch op {
	case And:
		return "and"
	case Or:
		return "or"
	case Not:
		return "not"
	}
	return fmt.Sprintf("LogicOp(%d)", int(op))
}

// ArithOp is the operator of a Binary.
type ArithOp int

// Arithmetic operators.
const (
	Add ArithOp = iota + 1 // +
	Sub                    // -
	Mul                    // *
	Div                    // /
)

// String returns "+", "-", "*" or "/".
func (op ArithOp) String() string {
	switch op {
	case Add:
		return "+"
	case Sub:
		return "-"
	case Mul:
		return "*"
	case Div:
		return "/"
	}
	return fmt.Sprintf("ArithOp(%d)", int(op))
}

// UnaryOp is the operator of a Unary.
type UnaryOp int

// Unary operators.
const (
	Neg UnaryOp = iota + 1 // -x
)

// String returns "-".
func (op UnaryOp) String() string {
	if op == Neg {
		return "-"
	}
	return fmt.Sprintf("UnaryOp(%d)", int(op))
}

// LitKind is the kind of a Literal.
type LitKind int

// Literal kinds.
const (
	String   LitKind = iota + 1 // 'text'
	Number                      // 42, 1.5, -3, 1e6
	Bool                        // true, false
	Null                        // null
	Date                        // date '2024-01-31'
	Datetime                    // datetime '2024-01-31 08:00'
)

// String returns the kind's name in lower case ("string", "number", ...).
func (k LitKind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "bool"
	case Null:
		return "null"
	case Date:
		return "date"
	case Datetime:
		return "datetime"
	}
	return fmt.Sprintf("LitKind(%d)", int(k))
}

// Pos methods.

// Pos returns the position of the file's first entry.
func (f *File) Pos() Pos { return Pos{Filename: f.Name} }

// Pos returns the position of the "param" keyword.
func (d *ParamDecl) Pos() Pos { return d.Position }

// Pos returns the position of the first token.
func (s *Select) Pos() Pos { return s.Position }

// Pos returns the position of the item's first token.
func (s *SelectItem) Pos() Pos { return s.Position }

// Pos returns the position of the source name.
func (s *Source) Pos() Pos { return s.Position }

// Pos returns the position of the key's first token.
func (o *OrderItem) Pos() Pos { return o.Position }

// Pos returns the position of the left operand.
func (q *Query) Pos() Pos { return q.Position }

// Pos returns the position of the group's first token.
func (g *QueryGroup) Pos() Pos { return g.Position }

// Pos returns the position of the reference's first token.
func (r *Ref) Pos() Pos { return r.Position }

// Pos returns the position of the literal.
func (l *Literal) Pos() Pos { return l.Position }

// Pos returns the position of the '$'.
func (p *Param) Pos() Pos { return p.Position }

// Pos returns the position of the function name.
func (c *Call) Pos() Pos { return c.Position }

// Pos returns the position of the left operand.
func (b *Binary) Pos() Pos { return b.Position }

// Pos returns the position of "case".
func (c *Case) Pos() Pos { return c.Position }

// Pos returns the position of "when".
func (w *When) Pos() Pos { return w.Position }

// Pos returns the position of the operator.
func (u *Unary) Pos() Pos { return u.Position }

func (*Query) exprNode()      {}
func (*QueryGroup) exprNode() {}
func (*Ref) exprNode()        {}
func (*Literal) exprNode()    {}
func (*Param) exprNode()      {}
func (*Call) exprNode()       {}
func (*Binary) exprNode()     {}
func (*Case) exprNode()       {}
func (*Unary) exprNode()      {}
