package lang

import (
	"fmt"
	"sort"
	"strings"
)

// Format returns src in canonical form: keywords in lower case, one clause per line,
// single spaces, canonical operators (== → =, != → <>, && → and, || → or), parentheses
// only where precedence needs them, each statement ended by ';' and followed by a blank
// line. Comments are kept: a comment on the line where an entry ends stays there; any
// other comment is printed on its own line before the entry it precedes or sits in.
// parse(Format(src)) gives the same tree as parse(src). An input that does not parse
// is returned with an error and no text.
func Format(src string) (string, error) {
	f, err := ParseFile("", src)
	if err != nil {
		return "", err
	}
	return f.format(), nil
}

func (f *File) format() string {
	var b strings.Builder
	for i, e := range f.entries {
		_, isSelect := e.node.(*Select)
		if i > 0 && (isSelect || len(e.leading) > 0 || isSelectEntry(f.entries[i-1])) {
			b.WriteByte('\n')
		}
		for _, c := range e.leading {
			b.WriteString(c)
			b.WriteByte('\n')
		}
		switch n := e.node.(type) {
		case *Select:
			b.WriteString(n.format("\n"))
		default:
			b.WriteString(n.String())
		}
		b.WriteByte(';')
		if e.trailing != "" {
			b.WriteByte(' ')
			b.WriteString(e.trailing)
		}
		b.WriteByte('\n')
	}
	if len(f.tail) > 0 {
		if len(f.entries) > 0 {
			b.WriteByte('\n')
		}
		for _, c := range f.tail {
			b.WriteString(c)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func isSelectEntry(e entry) bool {
	_, ok := e.node.(*Select)
	return ok
}

// attachComments gives each comment to the entry it belongs to (see Format).
func attachComments(f *File, spans []span, cs []comment) {
	for _, c := range cs {
		i := sort.Search(len(spans), func(i int) bool { return spans[i].end > c.pos.Offset })
		switch {
		case i > 0 && spans[i-1].endLine == c.pos.Line && f.entries[i-1].trailing == "" && !strings.Contains(c.text, "\n"):
			f.entries[i-1].trailing = c.text
		case i < len(f.entries):
			f.entries[i].leading = append(f.entries[i].leading, c.text)
		default:
			f.tail = append(f.tail, c.text)
		}
	}
}

// CheckParams reports every parameter that a statement uses but that is neither given
// (a key of given) nor declared with a default in the file, naming it at its first use.
// Parameters declared twice are reported too.
func (f *File) CheckParams(given map[string]string) error {
	declared := map[string]*ParamDecl{}
	var errs ErrorList
	for _, d := range f.Params {
		if prev, ok := declared[d.Name]; ok {
			errs = append(errs, &Error{Pos: d.Position, Msg: fmt.Sprintf("parameter $%s is declared twice", d.Name),
				Hint: fmt.Sprintf("the first declaration is at %s", prev.Position)})
			continue
		}
		declared[d.Name] = d
	}
	reported := map[string]bool{}
	for _, s := range f.Statements {
		for _, p := range ParamsOf(s) {
			if _, ok := given[p.Name]; ok || reported[p.Name] {
				continue
			}
			d, ok := declared[p.Name]
			switch {
			case !ok:
				errs = append(errs, &Error{Pos: p.Position, Msg: fmt.Sprintf("parameter $%s is not declared and has no value", p.Name),
					Hint: fmt.Sprintf("give it with -p %s=value (or \\set %s value), or declare it: param $%s = default;", p.Name, p.Name, p.Name)})
			case d.Default == nil:
				errs = append(errs, &Error{Pos: p.Position, Msg: fmt.Sprintf("parameter $%s has no value", p.Name),
					Hint: fmt.Sprintf("it is declared without a default at %s; give it with -p %s=value", d.Position, p.Name)})
			default:
				continue
			}
			reported[p.Name] = true
		}
	}
	sortErrors(errs)
	return errs.err()
}

// Values returns the value of every declared parameter: given[name] when present, else
// the declared default's text (a string default without quotes, a number as written).
// Given values for undeclared names are included too. Call CheckParams first.
func (f *File) Values(given map[string]string) map[string]string {
	out := make(map[string]string, len(given)+len(f.Params))
	for _, d := range f.Params {
		if l, ok := d.Default.(*Literal); ok {
			out[d.Name] = l.Text
		}
	}
	for k, v := range given {
		out[k] = v
	}
	return out
}

// ParamsOf returns every $parameter reference in n, in source order.
func ParamsOf(n Node) []*Param {
	var out []*Param
	Inspect(n, func(n Node) bool {
		if p, ok := n.(*Param); ok {
			out = append(out, p)
		}
		return true
	})
	return out
}

// Inspect walks the tree rooted at n in source order, calling fn for each node; when fn
// returns false, the node's children are skipped.
func Inspect(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	walk := func(e Expr) {
		if e != nil {
			Inspect(e, fn)
		}
	}
	switch n := n.(type) {
	case *File:
		for _, x := range n.ordered() {
			Inspect(x, fn)
		}
	case *ParamDecl:
		walk(n.Default)
	case *Select:
		for _, it := range n.Items {
			Inspect(it, fn)
		}
		if n.From != nil {
			Inspect(n.From, fn)
		}
		walk(n.Where)
		for _, g := range n.GroupBy {
			walk(g)
		}
		walk(n.Having)
		for _, o := range n.OrderBy {
			Inspect(o, fn)
		}
		walk(n.Limit)
		walk(n.Offset)
	case *SelectItem:
		walk(n.Expr)
	case *OrderItem:
		walk(n.Expr)
	case *Query:
		walk(n.Left)
		for _, r := range n.Right {
			walk(r)
		}
	case *QueryGroup:
		for _, it := range n.Items {
			walk(it)
		}
	case *Call:
		for _, a := range n.Args {
			walk(a)
		}
	case *Case:
		for _, w := range n.Whens {
			Inspect(w, fn)
		}
		walk(n.Else)
	case *When:
		walk(n.Cond)
		walk(n.Then)
	case *Binary:
		walk(n.Left)
		walk(n.Right)
	case *Unary:
		walk(n.X)
	case Operand:
		walk(n.Expr)
	case Cond:
		walk(n.Expr)
	}
}
