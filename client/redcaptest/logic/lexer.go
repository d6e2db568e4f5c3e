package logic

import (
	"html"
	"strings"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tNumber
	tString
	tIdent // function names, true/false
	tRef   // one or more adjacent [..] groups
	tOp    // operators and punctuation; text in tok.text
	tAnd
	tOr
	tNot
)

type token struct {
	kind   tokKind
	pos    int
	text   string   // number text, string contents, identifier, operator
	groups []string // tRef: contents of each bracket group
	gpos   []int    // tRef: offset of each group's '['
}

// decode applies REDCap's pre-processing: percent-decoding, HTML entity
// decoding, and blanking of comment lines (those starting with // or #).
func decode(s string) string {
	s = percentDecode(s)
	s = html.UnescapeString(s)
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t\r")
		if strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#") {
			nl := strings.HasSuffix(l, "\n")
			l = strings.Repeat(" ", len(strings.TrimSuffix(l, "\n")))
			if nl {
				l += "\n"
			}
			lines[i] = l
		}
	}
	return strings.Join(lines, "")
}

// percentDecode decodes %XX escapes (PHP rawurldecode: '+' stays '+', so
// arithmetic survives); malformed escapes are kept as they are.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// lex splits decoded logic into tokens.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, pos: i})
			return toks, nil
		}
		c := src[i]
		start := i
		switch {
		case c == '[':
			t := token{kind: tRef, pos: i}
			for i < len(src) && src[i] == '[' {
				end := strings.IndexByte(src[i+1:], ']')
				if end < 0 {
					return nil, errorAt(src, i, "unclosed '['")
				}
				t.groups = append(t.groups, src[i+1:i+1+end])
				t.gpos = append(t.gpos, i)
				i += end + 2
			}
			toks = append(toks, t)
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			if i < len(src) && src[i] == '.' {
				i++
				for i < len(src) && isDigit(src[i]) {
					i++
				}
			}
			if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
				j := i + 1
				if j < len(src) && (src[j] == '+' || src[j] == '-') {
					j++
				}
				if j < len(src) && isDigit(src[j]) {
					for j < len(src) && isDigit(src[j]) {
						j++
					}
					i = j
				}
			}
			if i < len(src) && isLetter(src[i]) {
				return nil, errorAt(src, start, "malformed number %q", src[start:i+1])
			}
			toks = append(toks, token{kind: tNumber, pos: start, text: src[start:i]})
		case c == '\'' || c == '"':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, errorAt(src, i, "unterminated string")
			}
			s := strings.ReplaceAll(src[i+1:i+1+end], `\`, "")
			toks = append(toks, token{kind: tString, pos: start, text: s})
			i += end + 2
		case isLetter(c):
			for i < len(src) && (isLetter(src[i]) || isDigit(src[i])) {
				i++
			}
			w := src[start:i]
			switch w {
			case "and", "AND", "or", "OR":
				if start == 0 || !isSpace(src[start-1]) || i >= len(src) || !isSpace(src[i]) {
					return nil, errorAt(src, start, "%q needs a space on each side", w)
				}
				k := tAnd
				if w[0] == 'o' || w[0] == 'O' {
					k = tOr
				}
				toks = append(toks, token{kind: k, pos: start, text: w})
			case "not", "NOT":
				toks = append(toks, token{kind: tNot, pos: start, text: w})
			default:
				toks = append(toks, token{kind: tIdent, pos: start, text: w})
			}
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "==", "<>", "!=", "<=", ">=":
				toks = append(toks, token{kind: tOp, pos: i, text: two})
				i += 2
				continue
			case "&&":
				toks = append(toks, token{kind: tAnd, pos: i, text: two})
				i += 2
				continue
			case "||":
				toks = append(toks, token{kind: tOr, pos: i, text: two})
				i += 2
				continue
			}
			switch c {
			case '=', '<', '>', '+', '-', '*', '/', '^', '(', ')', ',':
				toks = append(toks, token{kind: tOp, pos: i, text: string(c)})
			case '!':
				toks = append(toks, token{kind: tNot, pos: i, text: "!"})
			default:
				return nil, errorAt(src, i, "unexpected character %q", rune(c))
			}
			i++
		}
	}
}
