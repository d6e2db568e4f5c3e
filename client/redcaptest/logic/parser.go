package logic

import (
	"strconv"
	"strings"
)

// MaxReferences is the most variable references one logic string may hold;
// REDCap's parser breaks beyond it.
const MaxReferences = 900

// maxDepth bounds nesting (parentheses, calls, not, unary signs) so that
// hostile input cannot exhaust the stack.
const maxDepth = 500

// Expr is parsed REDCap logic, ready to evaluate row by row.
type Expr struct {
	root   node
	src    string // decoded source
	fields []string
	events []string
	smart  bool
	refs   int
}

// Parse decodes (percent escapes, HTML entities, comment lines) and parses
// REDCap logic. Errors are *Error with the position in the decoded text.
func Parse(logic string) (*Expr, error) {
	src := decode(logic)
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks, e: &Expr{src: src}}
	if p.peek().kind == tEOF {
		return nil, errorAt(src, 0, "empty logic")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tIdent && (strings.EqualFold(t.text, "and") || strings.EqualFold(t.text, "or")) {
			return nil, errorAt(src, t.pos, "%q: and, or and not must be all lower-case or all upper-case", t.text)
		}
		return nil, errorAt(src, t.pos, "unexpected %s", describe(t))
	}
	p.e.root = root
	return p.e, nil
}

// String prints the logic in canonical form; it parses back to the same tree.
func (e *Expr) String() string { return e.root.String() }

// Fields lists the fields the logic references (checkbox base names), in
// order of first use, without duplicates.
func (e *Expr) Fields() []string { return append([]string(nil), e.fields...) }

// Events lists the unique event names the logic pins references to.
func (e *Expr) Events() []string { return append([]string(nil), e.events...) }

// HasSmartVariables reports whether the logic uses smart variables
// (REDCap then takes its row-by-row evaluation path).
func (e *Expr) HasSmartVariables() bool { return e.smart }

type parser struct {
	src   string
	toks  []token
	i     int
	e     *Expr
	depth int
}

// enter counts one level of nesting at pos; leave undoes it.
func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxDepth {
		return errorAt(p.src, pos, "logic nested more than %d levels deep", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == s
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of logic"
	case tNumber:
		return "number " + t.text
	case tString:
		return "string '" + t.text + "'"
	case tRef:
		return "reference [" + strings.Join(t.groups, "][") + "]"
	case tIdent:
		return "word " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

func (p *parser) parseOr() (node, error) {
	if err := p.enter(p.peek().pos); err != nil {
		return nil, err
	}
	defer p.leave()
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tOr {
		t := p.next()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: t.pos, op: "or", l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseAnd() (node, error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tAnd {
		t := p.next()
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: t.pos, op: "and", l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseNot() (node, error) {
	if p.peek().kind == tNot {
		t := p.next()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &unary{pos: t.pos, op: "not", x: x}, nil
	}
	return p.parseCompare()
}

func (p *parser) parseCompare() (node, error) {
	l, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tOp {
			return l, nil
		}
		op := t.text
		switch op {
		case "==":
			op = "="
		case "!=":
			op = "<>"
		case "=", "<>", "<", "<=", ">", ">=":
		default:
			return l, nil
		}
		p.next()
		r, err := p.parseAdd()
		if err != nil {
			return nil, err
		}
		b := &binary{pos: t.pos, op: op, l: l, r: r}
		if op == "=" || op == "<>" {
			b.blank = isEmptyString(l) || isEmptyString(r)
		}
		l = b
	}
}

func isEmptyString(n node) bool {
	s, ok := n.(*stringLit)
	return ok && s.val == ""
}

func (p *parser) parseAdd() (node, error) {
	l, err := p.parseMul()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		t := p.next()
		r, err := p.parseMul()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: t.pos, op: t.text, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseMul() (node, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") {
		t := p.next()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &binary{pos: t.pos, op: t.text, l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseUnary() (node, error) {
	if p.isOp("-") || p.isOp("+") {
		t := p.next()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &unary{pos: t.pos, op: t.text, x: x}, nil
	}
	return p.parsePow()
}

func (p *parser) parsePow() (node, error) {
	l, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if p.isOp("^") {
		t := p.next()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &binary{pos: t.pos, op: "^", l: l, r: r}, nil
	}
	return l, nil
}

func (p *parser) parsePrimary() (node, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, errorAt(p.src, t.pos, "malformed number %q", t.text)
		}
		return &numberLit{pos: t.pos, text: t.text, val: f}, nil
	case tString:
		return &stringLit{pos: t.pos, val: t.text}, nil
	case tRef:
		return p.parseRef(t)
	case tIdent:
		lw := strings.ToLower(t.text)
		if lw == "true" || lw == "false" {
			if !p.isOp("(") {
				return &boolLit{pos: t.pos, val: lw == "true"}, nil
			}
		}
		if !p.isOp("(") {
			if strings.EqualFold(t.text, "and") || strings.EqualFold(t.text, "or") || strings.EqualFold(t.text, "not") {
				return nil, errorAt(p.src, t.pos, "%q: and, or and not must be all lower-case or all upper-case", t.text)
			}
			return nil, errorAt(p.src, t.pos, "unexpected word %q (field names go in square brackets)", t.text)
		}
		return p.parseCall(t)
	case tOp:
		if t.text == "(" {
			x, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, errorAt(p.src, p.peek().pos, "expected ')' to close '(' at offset %d, found %s", t.pos, describe(p.peek()))
			}
			p.next()
			return &paren{pos: t.pos, x: x}, nil
		}
	}
	return nil, errorAt(p.src, t.pos, "expected a value, found %s", describe(t))
}

func (p *parser) parseCall(name token) (node, error) {
	fn, ok := functions[strings.ToLower(name.text)]
	if !ok {
		return nil, errorAt(p.src, name.pos, "unknown function %q", name.text)
	}
	p.next() // (
	c := &call{pos: name.pos, name: strings.ToLower(name.text)}
	if !p.isOp(")") {
		for {
			a, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			if p.isOp(",") {
				p.next()
				continue
			}
			break
		}
	}
	if !p.isOp(")") {
		return nil, errorAt(p.src, p.peek().pos, "expected ',' or ')' in call of %s, found %s", c.name, describe(p.peek()))
	}
	p.next()
	if len(c.args) < fn.min || fn.max >= 0 && len(c.args) > fn.max {
		want := strconv.Itoa(fn.min)
		switch {
		case fn.max < 0:
			want = "at least " + want
		case fn.max != fn.min:
			want += " to " + strconv.Itoa(fn.max)
		}
		return nil, errorAt(p.src, name.pos, "%s takes %s arguments, got %d", c.name, want, len(c.args))
	}
	return c, nil
}

var instanceWords = map[string]bool{
	"current-instance": true, "previous-instance": true, "next-instance": true,
	"first-instance": true, "last-instance": true,
}

var eventWords = map[string]bool{
	"event-name": true, "previous-event-name": true, "next-event-name": true,
	"first-event-name": true, "last-event-name": true,
}

// smartVariables are the standalone smart variables accepted offline.
var smartVariables = map[string]bool{
	"record-name": true, "record-dag-name": true, "record-dag-id": true, "record-dag-label": true,
	"event-name": true, "event-id": true, "event-number": true, "event-label": true,
	"previous-event-name": true, "previous-event-label": true, "next-event-name": true, "next-event-label": true,
	"first-event-name": true, "first-event-label": true, "last-event-name": true, "last-event-label": true,
	"arm-number": true, "arm-label": true,
	"current-instance": true, "previous-instance": true, "next-instance": true,
	"first-instance": true, "last-instance": true, "new-instance": true,
	"project-id": true, "instrument-name": true, "instrument-label": true, "is-form": true, "is-survey": true,
	"user-name": true, "user-dag-name": true, "user-dag-id": true, "user-dag-label": true,
	"user-role-id": true, "user-role-name": true, "user-role-label": true,
}

func validFieldName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}

func validEventName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}

func isInstanceSlot(g string) bool {
	if instanceWords[g] {
		return true
	}
	_, err := strconv.Atoi(g)
	return err == nil && g != "" && isDigit(g[0])
}

// parseRef turns a run of adjacent bracket groups into a reference.
func (p *parser) parseRef(t token) (node, error) {
	groups, gpos := t.groups, t.gpos
	for i, g := range groups {
		groups[i] = strings.TrimSpace(g)
	}
	p.e.refs++
	if p.e.refs > MaxReferences {
		return nil, errorAt(p.src, t.pos, "more than %d variable references", MaxReferences)
	}
	if len(groups) == 1 {
		if groups[0] == "" {
			return nil, errorAt(p.src, t.pos, "empty reference []")
		}
		if smartVariables[groups[0]] {
			p.e.smart = true
			return &smartVar{pos: t.pos, name: groups[0]}, nil
		}
	}
	r := &fieldRef{pos: t.pos}
	k := 0
	if len(groups) > 3 {
		return nil, errorAt(p.src, gpos[3], "too many [..] groups in one reference")
	}
	// event slot: present when a field group follows that is not an instance slot.
	if len(groups) == 3 || len(groups) == 2 && !isInstanceSlot(groups[1]) {
		g := groups[0]
		switch {
		case eventWords[g]:
			p.e.smart = true
			if g != "event-name" {
				r.eventVar = g
			}
		case validEventName(g):
			r.event = g
			p.e.addEvent(g)
		default:
			return nil, errorAt(p.src, gpos[0], "invalid event name [%s]", g)
		}
		k = 1
	}
	g := groups[k]
	f := fieldPart(g)
	name := f
	if i := strings.IndexByte(f, '('); i >= 0 {
		if !strings.HasSuffix(f, ")") {
			return nil, errorAt(p.src, gpos[k], "malformed checkbox option in [%s]", g)
		}
		name = f[:i]
		r.code = strings.TrimSpace(f[i+1 : len(f)-1])
		r.hasCode = true
		if r.code == "" {
			return nil, errorAt(p.src, gpos[k], "empty checkbox option in [%s]", g)
		}
	}
	if !validFieldName(name) {
		if smartVariables[g] {
			return nil, errorAt(p.src, gpos[k], "smart variable [%s] cannot take an event or instance", g)
		}
		if strings.Contains(g, "-") {
			return nil, errorAt(p.src, gpos[k], "unknown smart variable [%s]", g)
		}
		return nil, errorAt(p.src, gpos[k], "invalid field name [%s]", g)
	}
	if i := strings.IndexByte(g, ':'); i >= 0 && g[i:] != ":value" {
		return nil, errorAt(p.src, gpos[k]+1+i, "unsupported suffix %q (only :value)", g[i:])
	}
	r.field = name
	p.e.addField(name)
	k++
	if k < len(groups) {
		g := groups[k]
		r.instGiven = true
		switch g {
		case "first-instance":
			r.inst.Rel = FirstInstance
		case "last-instance":
			r.inst.Rel = LastInstance
		case "current-instance", "previous-instance", "next-instance":
			r.instVar = g
			r.inst.Rel = Numbered
			p.e.smart = true
		default:
			n, err := strconv.Atoi(g)
			if err != nil || n < 1 || !isDigit(g[0]) {
				return nil, errorAt(p.src, gpos[k], "invalid instance [%s]", g)
			}
			r.inst = InstanceRef{Rel: Numbered, N: n}
		}
	}
	return r, nil
}

// fieldPart drops a ":value" (or other) suffix.
func fieldPart(g string) string {
	if i := strings.IndexByte(g, ':'); i >= 0 {
		return strings.TrimSpace(g[:i])
	}
	return g
}

func (e *Expr) addField(f string) {
	for _, x := range e.fields {
		if x == f {
			return
		}
	}
	e.fields = append(e.fields, f)
}

func (e *Expr) addEvent(ev string) {
	for _, x := range e.events {
		if x == ev {
			return
		}
	}
	e.events = append(e.events, ev)
}
