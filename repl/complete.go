package repl

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// Complete returns the completions of the word that ends at pos in line,
// as whole words, and the length of that word. Words are keywords, sources,
// field, form and event names, functions, meta-commands (at the start of a
// line) and $parameters.
func (s *Shell) Complete(line string, pos int) (words []string, length int) {
	if pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 && isWordByte(line[start-1]) {
		start--
	}
	word := line[start:pos]
	before := strings.TrimSpace(line[:start])
	if strings.HasPrefix(before, `\`) && !strings.HasPrefix(before, `\d`) {
		return nil, 0 // a meta-command's argument (a file name, a value)
	}
	var cands []string
	if q := strings.LastIndexAny(line[:start], `'"`); q >= 0 && openQuote(line[:start]) != 0 {
		// inside a quote: the codes of the field compared with it
		cands = s.quoted(line[:q])
	} else if b := openBracket(line[:start]); b >= 0 {
		// inside [...]: an event, or after [event] a field
		if strings.HasSuffix(line[:b], "]") {
			cands = s.fields()
		} else {
			cands = s.events()
		}
	} else {
		cands = s.candidates(word, before)
	}
	lw := strings.ToLower(word)
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(strings.ToLower(c), lw) && !seen[c] {
			seen[c] = true
			words = append(words, c)
		}
	}
	sort.Strings(words)
	return words, len(word)
}

// comparedField finds the field a quoted value is compared with: the name
// before =, <>, !=, has, or in ('a', ...
var comparedField = regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\]?\s*(?:=|<>|!=|\bhas|\bin\s*\((?:\s*'[^']*'\s*,)*)\s*$`)

// quoted is what completes inside a quote opened after before: the choice
// codes of the field compared with it (form and event names for form and
// event), nothing when no such field precedes.
func (s *Shell) quoted(before string) []string {
	m := comparedField.FindStringSubmatch(before)
	if m == nil {
		return nil
	}
	switch name := strings.ToLower(m[1]); name {
	case "form":
		return s.forms()
	case "event":
		return s.events()
	default:
		return s.codes(m[1])
	}
}

// afterFieldList are the words after which an expression starts: fields
// and functions complete there.
var afterFieldList = []string{"select", "distinct", "where", "and", "or", "not", "by", "having", "when", "then", "else"}

// candidates are the completions outside quotes and brackets, by context:
// sources after from, fields and functions where an expression starts,
// meta-commands at the start of a line, everything else otherwise.
func (s *Shell) candidates(word, before string) []string {
	var cands []string
	switch {
	case strings.HasPrefix(word, `\`) && before == "":
		for _, m := range metaCommands {
			cands = append(cands, m.name)
		}
	case strings.HasPrefix(word, "$"):
		for _, k := range slices.Sorted(maps.Keys(s.Params)) {
			cands = append(cands, "$"+k)
		}
	case strings.HasPrefix(before, `\d`):
		cands = append(s.forms(), s.fields()...)
	case endsWithWord(before, "from"):
		cands = append(cands, catalog.SourceNames()...)
	case startsExpr(before):
		cands = append(cands, s.fields()...)
		cands = append(cands, "record", "event", "form")
		cands = append(cands, lang.FunctionNames()...)
		if endsWithWord(before, "select") {
			cands = append(cands, "distinct")
		} else {
			cands = append(cands, "not")
		}
	default:
		cands = append(cands, s.fields()...)
		cands = append(cands, s.forms()...)
		cands = append(cands, s.events()...)
		cands = append(cands, lang.Keywords()...)
		cands = append(cands, lang.FunctionNames()...)
		cands = append(cands, catalog.SourceNames()...)
	}
	return cands
}

// startsExpr reports whether an expression starts after before: after one
// of afterFieldList, a ',' or a '('.
func startsExpr(before string) bool {
	if strings.HasSuffix(before, ",") || strings.HasSuffix(before, "(") {
		return true
	}
	for _, w := range afterFieldList {
		if endsWithWord(before, w) {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c == '\\' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// endsWithWord reports whether s ends with the keyword w (any case).
func endsWithWord(s, w string) bool {
	s = strings.ToLower(s)
	if !strings.HasSuffix(s, w) {
		return false
	}
	rest := s[:len(s)-len(w)]
	return rest == "" || !isWordByte(rest[len(rest)-1])
}

func (s *Shell) fields() []string {
	s.mu.Lock()
	cat := s.cat
	s.mu.Unlock()
	if cat == nil {
		return nil
	}
	var out []string
	for _, f := range cat.Dictionary().Fields() {
		out = append(out, f.Name)
	}
	return out
}

func (s *Shell) forms() []string {
	s.mu.Lock()
	cat := s.cat
	s.mu.Unlock()
	if cat == nil {
		return nil
	}
	return cat.Dictionary().Forms()
}

func (s *Shell) events() []string {
	s.mu.Lock()
	cat := s.cat
	s.mu.Unlock()
	if cat == nil {
		return nil
	}
	var out []string
	for _, e := range cat.Events() {
		out = append(out, e.Name)
	}
	return out
}

// codes are the choice codes of a field (a checkbox column's field too).
func (s *Shell) codes(name string) []string {
	s.mu.Lock()
	cat := s.cat
	s.mu.Unlock()
	if cat == nil {
		return nil
	}
	f, ok := cat.Dictionary().Field(name)
	if !ok {
		return nil
	}
	var out []string
	for _, c := range f.Choices {
		out = append(out, c.Code)
	}
	return out
}

// openBracket is the offset of a '[' left open at the end of line, or -1.
func openBracket(line string) int {
	b := strings.LastIndexByte(line, '[')
	if b < 0 || strings.Contains(line[b:], "]") {
		return -1
	}
	return b
}
