package repl

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/redcapql/rq/lang"
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
	case strings.HasPrefix(before, `\`):
		return nil, 0
	case endsWithWord(before, "from"):
		for _, src := range sourceHelp {
			cands = append(cands, src[0])
		}
	default:
		cands = append(cands, s.fields()...)
		cands = append(cands, s.forms()...)
		cands = append(cands, s.events()...)
		cands = append(cands, lang.Keywords()...)
		cands = append(cands, lang.FunctionNames()...)
		for _, src := range sourceHelp {
			cands = append(cands, src[0])
		}
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
	pl := s.pl
	s.mu.Unlock()
	if pl == nil {
		return nil
	}
	var out []string
	for _, f := range pl.Dictionary().Fields() {
		out = append(out, f.Name)
	}
	return out
}

func (s *Shell) forms() []string {
	s.mu.Lock()
	pl := s.pl
	s.mu.Unlock()
	if pl == nil {
		return nil
	}
	return pl.Dictionary().Forms()
}

func (s *Shell) events() []string {
	s.mu.Lock()
	pl := s.pl
	s.mu.Unlock()
	if pl == nil {
		return nil
	}
	var out []string
	for _, e := range pl.Project().Events {
		out = append(out, e.Name)
	}
	return out
}
