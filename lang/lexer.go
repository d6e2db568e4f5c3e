package lang

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Limits on what the parser accepts, so that hostile or accidental input fails fast with
// a clear error instead of exhausting memory or the stack.
const (
	MaxInputSize = 1 << 20 // bytes of source text
	MaxDepth     = 200     // open parentheses at once
	maxTreeDepth = 1000    // nesting of the syntax tree (not, unary minus, arithmetic chains)
	maxErrors    = 20      // errors reported for one input; the rest are summarised
)

// Token types handed to participle.
const (
	tKeyword lexer.TokenType = -2 - iota // reserved word (value lower case); also date/datetime before a string
	tIdent                               // name as written
	tBracket                             // [name]: value is the name
	tParam                               // $name: value is the name
	tString                              // 'text' or "text": value is the text, quotes undone
	tNumber                              // 12, 1.5, 1e3
	tPunct                               // ( ) , ;
	tArith                               // + - * /
	tCompare                             // = <> < <= > >= ~: one token type, so that the grammar matches it without trying each
	tError                               // a lexing error; its chunk is not parsed
	tStart                               // not a token: what precedes the first one, in messages
)

// symbols names the token types for participle. It is a function, not a variable, because
// the grammar is built during package initialisation.
func symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": lexer.EOF, "Keyword": tKeyword, "Ident": tIdent, "Bracket": tBracket,
		"Param": tParam, "String": tString, "Number": tNumber, "Punct": tPunct, "Compare": tCompare, "Arith": tArith,
	}
}

// token is a lexed token with what participle does not keep: the text as written and
// where it ends.
//
// For strings, bracketed names and parameters, Value is the token as written (quotes,
// brackets and '$' included) so that participle can never mistake the text 'select' or
// the name [order] for a keyword; text holds the decoded value.
type token struct {
	lexer.Token
	raw  string
	text string // decoded value of a String, Bracket or Param
	end  int    // byte offset just past the token
}

// comment is a -- or /* */ comment, kept for Format.
type comment struct {
	pos  Pos
	end  int
	text string
}

// scanner turns source text into tokens. Errors are collected, not fatal: the scanner
// skips the bad text and goes on, so that later statements are still checked.
type scanner struct {
	filename string
	src      string
	off      int
	line     int
	lineOff  int // offset of the current line's first byte
	depth    int
	toks     []token
	comments []comment
	errs     ErrorList
	open     bool // the input ends inside a quote or a /* comment
	lenient  bool // only finding statements' ends: no limit on nesting or errors
}

func scan(filename, src string) *scanner {
	s := &scanner{filename: filename, src: src, line: 1}
	s.toks = make([]token, 0, min(len(src)/3+4, 4096)) // about one token per 3–5 bytes
	if len(src) > MaxInputSize {
		s.errs = append(s.errs, &Error{Pos: s.pos(), Msg: fmt.Sprintf(
			"input is too large: %d bytes; the limit is %d bytes (1 MiB)", len(src), MaxInputSize)})
		s.toks = append(s.toks, token{Token: lexer.Token{Type: tError, Pos: s.lpos()}})
		s.toks = append(s.toks, token{Token: lexer.EOFToken(s.lpos())})
		return s
	}
	s.run()
	return s
}

func (s *scanner) pos() Pos {
	return Pos{Filename: s.filename, Offset: s.off, Line: s.line, Column: s.off - s.lineOff + 1}
}

func (s *scanner) lpos() lexer.Position {
	return lexer.Position{Filename: s.filename, Offset: s.off, Line: s.line, Column: s.off - s.lineOff + 1}
}

// advance moves past n bytes, counting lines.
func (s *scanner) advance(n int) {
	for i := 0; i < n && s.off < len(s.src); i++ {
		if s.src[s.off] == '\n' {
			s.line++
			s.lineOff = s.off + 1
		}
		s.off++
	}
}

func (s *scanner) emit(typ lexer.TokenType, value string, start lexer.Position) {
	t := token{
		Token: lexer.Token{Type: typ, Value: value, Pos: start},
		raw:   s.src[start.Offset:s.off],
		end:   s.off,
	}
	if typ == tString || typ == tBracket || typ == tParam {
		t.text, t.Value = value, t.raw
	}
	s.toks = append(s.toks, t)
}

func (s *scanner) fail(at Pos, msg, hint string) {
	s.errs = append(s.errs, &Error{Pos: at, Msg: msg, Hint: hint})
	s.toks = append(s.toks, token{
		Token: lexer.Token{Type: tError, Pos: lexer.Position(at)},
		raw:   s.src[at.Offset:s.off], end: s.off,
	})
}

func (s *scanner) run() {
	for s.off < len(s.src) && (len(s.errs) <= maxErrors || s.lenient) {
		c := s.src[s.off]
		start := s.lpos()
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.advance(1)
		case c == '-' && strings.HasPrefix(s.src[s.off:], "--"):
			end := strings.IndexByte(s.src[s.off:], '\n')
			if end < 0 {
				end = len(s.src) - s.off
			}
			s.comment(start, end)
		case c == '/' && strings.HasPrefix(s.src[s.off:], "/*"):
			end := strings.Index(s.src[s.off+2:], "*/")
			if end < 0 {
				at := s.pos()
				s.advance(len(s.src) - s.off)
				s.fail(at, "unclosed comment: '/*' has no matching '*/'", "end the comment with */")
				s.open = true
				return
			}
			s.comment(start, end+4)
		case c == '\'' || c == '"':
			if !s.quoted(c) {
				return
			}
		case c == '[':
			s.bracket()
		case c == '$':
			s.advance(1)
			n := s.identLen()
			if n == 0 {
				s.fail(Pos(start), "expected a parameter name after '$'",
					"parameter names are letters, digits and _, starting with a letter: $min_score")
				continue
			}
			s.advance(n)
			s.emit(tParam, s.src[start.Offset+1:s.off], start)
		case isDigit(c) || c == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1]):
			s.number()
		case isLetter(c):
			s.word()
		default:
			if !s.punct() {
				return
			}
		}
	}
	s.toks = append(s.toks, token{Token: lexer.EOFToken(s.lpos()), end: s.off})
}

func (s *scanner) comment(start lexer.Position, n int) {
	text := s.src[s.off : s.off+n]
	s.advance(n)
	s.comments = append(s.comments, comment{pos: Pos(start), end: s.off, text: strings.TrimRight(text, " \t\r")})
}

// quoted scans a string literal; a doubled quote stands for one. It reports false when
// the literal never ends (the rest of the input is then part of it).
func (s *scanner) quoted(q byte) bool {
	at := s.pos()
	start := s.lpos()
	var b strings.Builder
	i := s.off + 1
	for {
		j := strings.IndexByte(s.src[i:], q)
		if j < 0 {
			s.advance(len(s.src) - s.off)
			hint := fmt.Sprintf("close the text with %c; to put a quote inside text, double it: 'O''Brien'", q)
			if nl := strings.IndexByte(s.src[at.Offset:], '\n'); nl >= 0 {
				hint += " (the text runs past the end of this line)"
			}
			s.fail(at, fmt.Sprintf("unclosed quote: the text starting here has no closing %c", q), hint)
			s.open = true
			return false
		}
		b.WriteString(s.src[i : i+j])
		i += j + 1
		if i < len(s.src) && s.src[i] == q {
			b.WriteByte(q)
			i++
			continue
		}
		break
	}
	s.advance(i - s.off)
	s.emit(tString, b.String(), start)
	return true
}

// bracket scans [name]. Inside, only a plain name is allowed; common REDCap forms that
// rq writes differently get a hint.
func (s *scanner) bracket() {
	at := s.pos()
	start := s.lpos()
	rest := s.src[s.off+1:]
	end := strings.IndexAny(rest, "]\n[")
	if end < 0 || rest[end] != ']' {
		n := len(rest)
		if end >= 0 {
			n = end
		}
		s.advance(1 + n)
		s.fail(at, "unclosed bracket: '[' has no matching ']'", "a bracketed name is written [name], on one line")
		return
	}
	name := rest[:end]
	s.advance(end + 2)
	switch {
	case isIdent(name):
		s.emit(tBracket, name, start)
	case name == "":
		s.fail(at, "empty brackets: expected a field or event name inside [ ]", "")
	case strings.Contains(name, "(") && isIdent(name[:strings.IndexByte(name, '(')]):
		field := name[:strings.IndexByte(name, '(')]
		code := strings.TrimSuffix(name[strings.IndexByte(name, '(')+1:], ")")
		s.fail(at, fmt.Sprintf("[%s] is REDCap's checkbox syntax, which rq writes differently", name),
			fmt.Sprintf("write %s has '%s' (or the export column %s___%s = 1)", field, code, field, code))
	case strings.Contains(name, "-"):
		s.fail(at, fmt.Sprintf("[%s] is not a field name: names hold letters, digits and _", name),
			"REDCap smart variables are not supported; the pseudo-columns record, event, arm, instrument, instance and dag give the same information")
	default:
		s.fail(at, fmt.Sprintf("[%s] is not a valid name: a bracketed name holds letters, digits and _", name), "")
	}
}

func (s *scanner) identLen() int {
	i := s.off
	if i < len(s.src) && isLetter(s.src[i]) {
		i++
		for i < len(s.src) && (isLetter(s.src[i]) || isDigit(s.src[i])) {
			i++
		}
	}
	return i - s.off
}

func (s *scanner) number() {
	at := s.pos()
	start := s.lpos()
	i := s.off
	for i < len(s.src) && isDigit(s.src[i]) {
		i++
	}
	if i < len(s.src) && s.src[i] == '.' {
		i++
		for i < len(s.src) && isDigit(s.src[i]) {
			i++
		}
	}
	if i < len(s.src) && (s.src[i] == 'e' || s.src[i] == 'E') {
		j := i + 1
		if j < len(s.src) && (s.src[j] == '+' || s.src[j] == '-') {
			j++
		}
		if j < len(s.src) && isDigit(s.src[j]) {
			for j < len(s.src) && isDigit(s.src[j]) {
				j++
			}
			i = j
		}
	}
	if i < len(s.src) && (isLetter(s.src[i]) || s.src[i] == '.') {
		for i < len(s.src) && (isLetter(s.src[i]) || isDigit(s.src[i]) || s.src[i] == '.') {
			i++
		}
		bad := s.src[s.off:i]
		s.advance(i - s.off)
		hint := "a number is digits with an optional fraction and exponent: 12, 1.5, 2e3"
		if isIdent("x" + bad) {
			hint = fmt.Sprintf("names cannot start with a digit; a field with this name is written [%s]", bad)
		}
		s.fail(at, fmt.Sprintf("invalid number %q", bad), hint)
		return
	}
	s.advance(i - s.off)
	s.emit(tNumber, s.src[start.Offset:s.off], start)
}

func (s *scanner) word() {
	start := s.lpos()
	s.advance(s.identLen())
	w := s.src[start.Offset:s.off]
	lw := lower(w)
	switch {
	case reserved[lw]:
		s.emit(tKeyword, lw, start)
	case (lw == "date" || lw == "datetime") && s.stringFollows():
		s.emit(tKeyword, lw, start)
	default:
		s.emit(tIdent, w, start)
	}
}

// stringFollows reports whether the next token is a string literal, which makes date
// and datetime the start of a date literal rather than names.
func (s *scanner) stringFollows() bool {
	rest := s.src[s.off:]
	for {
		rest = strings.TrimLeft(rest, " \t\r\n\f\v")
		switch {
		case strings.HasPrefix(rest, "--"):
			nl := strings.IndexByte(rest, '\n')
			if nl < 0 {
				return false
			}
			rest = rest[nl:]
		case strings.HasPrefix(rest, "/*"):
			e := strings.Index(rest, "*/")
			if e < 0 {
				return false
			}
			rest = rest[e+2:]
		default:
			return rest != "" && (rest[0] == '\'' || rest[0] == '"')
		}
	}
}

var puncts = []struct{ text, value string }{
	{"==", "="}, {"!=", "<>"}, {"<>", "<>"}, {"<=", "<="}, {">=", ">="}, {"&&", "and"}, {"||", "or"},
	{"(", "("}, {")", ")"}, {",", ","}, {";", ";"}, {"*", "*"}, {"+", "+"}, {"-", "-"},
	{"/", "/"}, {"~", "~"}, {"=", "="}, {"<", "<"}, {">", ">"},
}

// punct scans an operator or punctuation. It reports false when scanning must stop.
func (s *scanner) punct() bool {
	start := s.lpos()
	rest := s.src[s.off:]
	for _, p := range puncts {
		if !strings.HasPrefix(rest, p.text) {
			continue
		}
		s.advance(len(p.text))
		typ := tPunct
		switch p.value {
		case "and", "or":
			typ = tKeyword
		case "=", "<>", "<", "<=", ">", ">=", "~":
			typ = tCompare
		case "+", "-", "*", "/":
			typ = tArith
		}
		switch p.value {
		case "(":
			s.depth++
			if s.depth > MaxDepth && !s.lenient {
				s.fail(Pos(start), fmt.Sprintf("too deeply nested: more than %d parentheses are open here", MaxDepth), "")
				return false
			}
		case ")":
			if s.depth > 0 {
				s.depth--
			}
		case ";":
			s.depth = 0
		}
		s.emit(typ, p.value, start)
		return true
	}
	at := s.pos()
	r, n := utf8.DecodeRuneInString(rest)
	if unicode.IsSpace(r) {
		s.advance(n) // e.g. a no-break space pasted from a web page
		return true
	}
	s.advance(n)
	msg, hint := fmt.Sprintf("unexpected character %q", r), ""
	switch r {
	case '!':
		hint = "write not for negation and <> (or !=) for 'not equal'"
	case '&':
		hint = "write and (or &&)"
	case '|':
		hint = "write or (or ||)"
	case '%':
		hint = "% is a wildcard only inside a like pattern: x like 'ab%'"
	case '^':
		hint = "there is no power operator"
	case '.':
		hint = "names are plain: write field, not table.field"
	case '`':
		hint = "to use a reserved word as a name, write it in brackets: [order]"
	case utf8.RuneError:
		msg = "invalid UTF-8 in the input"
	default:
		if r > unicode.MaxASCII && unicode.IsLetter(r) {
			hint = "names hold ASCII letters, digits and _ only"
		} else if r == '‘' || r == '’' || r == '“' || r == '”' {
			hint = "use straight quotes ' instead of typographic quotes"
		}
	}
	s.fail(at, msg, hint)
	return true
}

// unquote decodes a string token as written: 'O”Brien' → O'Brien.
func unquote(raw string) string {
	if len(raw) < 2 {
		return raw
	}
	q := raw[:1]
	return strings.ReplaceAll(raw[1:len(raw)-1], q+q, q)
}

// unbracket decodes a bracketed name as written: [order] → order.
func unbracket(raw string) string {
	if len(raw) < 2 {
		return raw
	}
	return raw[1 : len(raw)-1]
}

// unparam decodes a parameter as written: $site → site.
func unparam(raw string) string { return strings.TrimPrefix(raw, "$") }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// definition makes the scanner a participle lexer.Definition, so that participle knows the
// token types; the parser itself feeds participle pre-scanned tokens per statement.
type definition struct{}

func (definition) Symbols() map[string]lexer.TokenType { return symbols() }

func (d definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (definition) LexString(filename, src string) (lexer.Lexer, error) {
	s := scan(filename, src)
	if len(s.errs) > 0 {
		return nil, s.errs[0]
	}
	return &tokenStream{toks: s.toks}, nil
}

// tokenStream yields a slice of tokens, then EOF for ever.
type tokenStream struct {
	toks []token
	i    int
	eof  lexer.Position
}

func (t *tokenStream) Next() (lexer.Token, error) {
	if t.i < len(t.toks) {
		tok := t.toks[t.i].Token
		t.i++
		if tok.Type != lexer.EOF {
			t.eof = tok.Pos
			t.eof.Offset += len(t.toks[t.i-1].raw)
			t.eof.Column += len(t.toks[t.i-1].raw)
			return tok, nil
		}
		return tok, nil
	}
	return lexer.EOFToken(t.eof), nil
}
