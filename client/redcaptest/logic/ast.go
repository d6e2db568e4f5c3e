package logic

import (
	"strconv"
	"strings"
)

// node is one node of the logic syntax tree. String prints valid logic.
type node interface {
	Pos() int
	String() string
}

type numberLit struct {
	pos  int
	text string
	val  float64
}

type stringLit struct {
	pos int
	val string
}

type boolLit struct {
	pos int
	val bool
}

// fieldRef is [event][field(code)][instance].
type fieldRef struct {
	pos       int
	event     string // unique event name, "" for the row's event
	eventVar  string // event smart variable (previous-event-name, ...), if any
	field     string
	code      string // checkbox option, with hasCode
	hasCode   bool
	inst      InstanceRef
	instVar   string // current-instance, previous-instance, next-instance
	instGiven bool
}

// smartVar is a standalone smart variable such as [record-name].
type smartVar struct {
	pos  int
	name string
}

type unary struct {
	pos int
	op  string // "-", "+", "not"
	x   node
}

type binary struct {
	pos  int
	op   string // = <> < <= > >= + - * / ^ and or
	l, r node
	// blank is set for = and <> against a literal '' (a blank test).
	blank bool
}

type call struct {
	pos  int
	name string
	args []node
}

type paren struct {
	pos int
	x   node
}

func (n *numberLit) Pos() int { return n.pos }
func (n *stringLit) Pos() int { return n.pos }
func (n *boolLit) Pos() int   { return n.pos }
func (n *fieldRef) Pos() int  { return n.pos }
func (n *smartVar) Pos() int  { return n.pos }
func (n *unary) Pos() int     { return n.pos }
func (n *binary) Pos() int    { return n.pos }
func (n *call) Pos() int      { return n.pos }
func (n *paren) Pos() int     { return n.pos }

func (n *numberLit) String() string { return n.text }

func (n *stringLit) String() string {
	if strings.Contains(n.val, "'") {
		return `"` + n.val + `"`
	}
	return "'" + n.val + "'"
}

func (n *boolLit) String() string { return strconv.FormatBool(n.val) }

func (n *fieldRef) String() string {
	var b strings.Builder
	switch {
	case n.eventVar != "":
		b.WriteString("[" + n.eventVar + "]")
	case n.event != "":
		b.WriteString("[" + n.event + "]")
	}
	b.WriteString("[" + n.field)
	if n.hasCode {
		b.WriteString("(" + n.code + ")")
	}
	b.WriteString("]")
	if n.instGiven {
		switch {
		case n.instVar != "":
			b.WriteString("[" + n.instVar + "]")
		case n.inst.Rel == FirstInstance:
			b.WriteString("[first-instance]")
		case n.inst.Rel == LastInstance:
			b.WriteString("[last-instance]")
		default:
			b.WriteString("[" + strconv.Itoa(n.inst.N) + "]")
		}
	}
	return b.String()
}

func (n *smartVar) String() string { return "[" + n.name + "]" }

func (n *unary) String() string {
	if n.op == "not" {
		return "not " + n.x.String()
	}
	return n.op + n.x.String()
}

func (n *binary) String() string {
	return n.l.String() + " " + n.op + " " + n.r.String()
}

func (n *call) String() string {
	args := make([]string, len(n.args))
	for i, a := range n.args {
		args[i] = a.String()
	}
	return n.name + "(" + strings.Join(args, ", ") + ")"
}

func (n *paren) String() string { return "(" + n.x.String() + ")" }
