package lang

import (
	"strings"
)

// Precedence levels, loosest first. An operand whose level is below what its position
// needs is printed in parentheses, so String() output always parses back to the same tree.
const (
	precOr      = 1
	precAnd     = 2
	precNot     = 3
	precCompare = 4
	precAdd     = 5
	precMul     = 6
	precUnary   = 7
	precPrimary = 8
)

func precedence(e Expr) int {
	switch e := e.(type) {
	case *QueryGroup:
		switch e.Op {
		case Or:
			return precOr
		case And:
			return precAnd
		}
		return precNot
	case *Query:
		return precCompare
	case *Binary:
		if e.Op == Add || e.Op == Sub {
			return precAdd
		}
		return precMul
	case *Unary:
		return precUnary
	case *Literal:
		if e.Kind == Number && strings.HasPrefix(e.Text, "-") {
			return precUnary
		}
	}
	return precPrimary
}

// writeExpr writes e, in parentheses when its precedence is below min.
func writeExpr(b *strings.Builder, e Expr, min int) {
	if e == nil {
		b.WriteString("<nil>")
		return
	}
	if precedence(e) < min {
		b.WriteByte('(')
		writeExpr(b, e, 0)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *QueryGroup:
		if e.Op == Not {
			b.WriteString("not ")
			if len(e.Items) > 0 {
				writeExpr(b, e.Items[0], precNot)
			}
			return
		}
		level := precedence(e)
		for i, it := range e.Items {
			if i > 0 {
				b.WriteByte(' ')
				b.WriteString(e.Op.String())
				b.WriteByte(' ')
			}
			// Same-operator children are flattened by the parser and builder; one built by
			// hand is parenthesised so that the text still means the same thing.
			writeExpr(b, it, level+1)
		}
	case *Query:
		writeExpr(b, e.Left, precAdd)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		switch e.Op {
		case IsNull, IsNotNull:
		case In, NotIn, HasAny, HasAll:
			b.WriteString(" (")
			writeList(b, e.Right)
			b.WriteByte(')')
		case Between, NotBetween:
			for i, r := range e.Right {
				if i > 0 {
					b.WriteString(" and")
				}
				b.WriteByte(' ')
				writeExpr(b, r, precAdd)
			}
		default:
			for _, r := range e.Right {
				b.WriteByte(' ')
				writeExpr(b, r, precAdd)
			}
		}
	case *Binary:
		level := precedence(e)
		writeExpr(b, e.Left, level)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		writeExpr(b, e.Right, level+1)
	case *Unary:
		b.WriteString(e.Op.String())
		var inner strings.Builder
		writeExpr(&inner, e.X, precUnary)
		if strings.HasPrefix(inner.String(), "-") {
			b.WriteByte(' ') // "--" would start a comment
		}
		b.WriteString(inner.String())
	case *Ref:
		if e.Event != "" {
			b.WriteByte('[')
			b.WriteString(e.Event)
			b.WriteString("][")
			b.WriteString(e.Name)
			b.WriteByte(']')
			return
		}
		if e.Bracketed || !isIdent(e.Name) || IsReserved(e.Name) {
			b.WriteByte('[')
			b.WriteString(e.Name)
			b.WriteByte(']')
			return
		}
		b.WriteString(e.Name)
	case *Literal:
		writeLiteral(b, e)
	case *Param:
		b.WriteByte('$')
		b.WriteString(e.Name)
	case *Case:
		b.WriteString("case")
		for _, w := range e.Whens {
			b.WriteString(" when ")
			writeExpr(b, w.Cond, 0)
			b.WriteString(" then ")
			writeExpr(b, w.Then, 0)
		}
		if e.Else != nil {
			b.WriteString(" else ")
			writeExpr(b, e.Else, 0)
		}
		b.WriteString(" end")
	case *Call:
		b.WriteString(e.Name)
		b.WriteByte('(')
		if e.Distinct {
			b.WriteString("distinct ")
		}
		if e.Star {
			b.WriteByte('*')
		} else {
			writeList(b, e.Args)
		}
		b.WriteByte(')')
	default:
		b.WriteString(e.String())
	}
}

func writeList(b *strings.Builder, list []Expr) {
	for i, x := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, x, 0)
	}
}

func writeLiteral(b *strings.Builder, l *Literal) {
	switch l.Kind {
	case String:
		writeQuoted(b, l.Text)
	case Date:
		b.WriteString("date ")
		writeQuoted(b, l.Text)
	case Datetime:
		b.WriteString("datetime ")
		writeQuoted(b, l.Text)
	case Bool:
		if l.Bool {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case Null:
		b.WriteString("null")
	default:
		b.WriteString(l.Text)
	}
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(s, "'", "''"))
	b.WriteByte('\'')
}

// writeName writes an alias or declared name: plain when it is a plain, unreserved
// identifier, in brackets when it is a reserved word, quoted otherwise.
func writeName(b *strings.Builder, s string) {
	switch {
	case isIdent(s) && !IsReserved(s):
		b.WriteString(s)
	case isIdent(s):
		b.WriteByte('[')
		b.WriteString(s)
		b.WriteByte(']')
	default:
		writeQuoted(b, s)
	}
}

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

// String returns the condition as canonical source.
func (q *Query) String() string { return exprString(q) }

// String returns the group as canonical source.
func (g *QueryGroup) String() string { return exprString(g) }

// String returns the reference as canonical source: name, [name] or [event][name].
func (r *Ref) String() string { return exprString(r) }

// String returns the literal as canonical source ('O”Brien', date '2024-01-31', 5).
func (l *Literal) String() string { return exprString(l) }

// String returns "$name".
func (p *Param) String() string { return exprString(p) }

// String returns the call as canonical source.
func (c *Call) String() string { return exprString(c) }

// String returns the case expression as canonical source.
func (c *Case) String() string { return exprString(c) }

// String returns "when cond then value".
func (w *When) String() string {
	var b strings.Builder
	b.WriteString("when ")
	writeExpr(&b, w.Cond, 0)
	b.WriteString(" then ")
	writeExpr(&b, w.Then, 0)
	return b.String()
}

// String returns the arithmetic as canonical source.
func (b *Binary) String() string { return exprString(b) }

// String returns the negation as canonical source.
func (u *Unary) String() string { return exprString(u) }

// String returns the source name.
func (s *Source) String() string { return s.Name }

// String returns the item as canonical source: *, expr or expr as alias.
func (s *SelectItem) String() string {
	var b strings.Builder
	writeItem(&b, s)
	return b.String()
}

func writeItem(b *strings.Builder, s *SelectItem) {
	if s.Star {
		b.WriteByte('*')
		return
	}
	writeExpr(b, s.Expr, 0)
	if s.Alias != "" {
		b.WriteString(" as ")
		writeName(b, s.Alias)
	}
}

// String returns the key as canonical source: expr or expr desc.
func (o *OrderItem) String() string {
	var b strings.Builder
	writeExpr(&b, o.Expr, 0)
	if o.Desc {
		b.WriteString(" desc")
	}
	switch o.Nulls {
	case NullsFirst:
		b.WriteString(" nulls first")
	case NullsLast:
		b.WriteString(" nulls last")
	}
	return b.String()
}

// String returns the statement as canonical source on one line, without a ';'.
func (s *Select) String() string { return s.format(" ") }

// format prints the statement with sep between clauses (" " or "\n").
func (s *Select) format(sep string) string {
	var b strings.Builder
	if s.Summarize && s.shortSummary() {
		b.WriteString("summarize ")
		b.WriteString(s.From.Name)
		if s.Where != nil {
			b.WriteString(sep)
			b.WriteString("where ")
			writeExpr(&b, s.Where, 0)
		}
		return b.String()
	}
	if s.Summarize {
		b.WriteString("summarize ")
	}
	if s.Explain || s.Analyze {
		b.WriteString("explain ")
		if s.Analyze {
			b.WriteString("analyze ")
		}
	}
	b.WriteString("select ")
	if s.Distinct {
		b.WriteString("distinct ")
	}
	for i, it := range s.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		writeItem(&b, it)
	}
	if s.From != nil {
		b.WriteString(sep)
		b.WriteString("from ")
		b.WriteString(s.From.Name)
	}
	if s.Where != nil {
		b.WriteString(sep)
		b.WriteString("where ")
		writeExpr(&b, s.Where, 0)
	}
	if len(s.GroupBy) > 0 {
		b.WriteString(sep)
		b.WriteString("group by ")
		writeList(&b, s.GroupBy)
	}
	if s.Having != nil {
		b.WriteString(sep)
		b.WriteString("having ")
		writeExpr(&b, s.Having, 0)
	}
	if len(s.OrderBy) > 0 {
		b.WriteString(sep)
		b.WriteString("order by ")
		for i, o := range s.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.String())
		}
	}
	if s.Limit != nil {
		b.WriteString(sep)
		b.WriteString("limit ")
		writeExpr(&b, s.Limit, 0)
		if s.Offset != nil {
			b.WriteString(" offset ")
			writeExpr(&b, s.Offset, 0)
		}
	}
	return b.String()
}

// String returns the declaration as canonical source, without a ';'.
func (d *ParamDecl) String() string {
	var b strings.Builder
	b.WriteString("param $")
	b.WriteString(d.Name)
	if d.Default != nil {
		b.WriteString(" = ")
		writeExpr(&b, d.Default, 0)
	}
	if d.Description != "" {
		b.WriteString(" comment ")
		writeQuoted(&b, d.Description)
	}
	return b.String()
}

// String returns the whole file as canonical source (comments are not kept in the
// tree; Format keeps them).
func (f *File) String() string {
	var b strings.Builder
	for _, e := range f.ordered() {
		b.WriteString(e.String())
		b.WriteString(";\n")
	}
	return b.String()
}

// ordered returns the file's declarations and statements in source order.
func (f *File) ordered() []Node {
	if len(f.entries) == len(f.Params)+len(f.Statements) {
		out := make([]Node, len(f.entries))
		for i, e := range f.entries {
			out[i] = e.node
		}
		return out
	}
	out := make([]Node, 0, len(f.Params)+len(f.Statements))
	for _, p := range f.Params {
		out = append(out, p)
	}
	for _, s := range f.Statements {
		out = append(out, s)
	}
	return out
}

// entry is one declaration or statement with the comments Format keeps around it.
type entry struct {
	node     Node
	leading  []string // comments before it (or inside it), each verbatim
	trailing string   // a comment on the same line as its end
}

// shortSummary reports whether a summarize statement prints in its short form
// "summarize <source> [where ...]": select * with no other clause.
func (s *Select) shortSummary() bool {
	return len(s.Items) == 1 && s.Items[0].Star && s.Items[0].Alias == "" && s.From != nil && !s.Distinct && s.Having == nil &&
		s.GroupBy == nil && s.OrderBy == nil && s.Limit == nil && !s.Explain && !s.Analyze
}
