package lang

import "slices"

// reserved are the keywords that cannot be used as plain names; write [order] for a
// field named order. Other words of the grammar (asc, desc, nulls, first, last, when,
// then, else, end, explain, analyze, param, comment, date, datetime) are recognised by
// position and stay usable as names.
var reserved = map[string]bool{
	"select": true, "from": true, "where": true, "group": true, "by": true, "order": true,
	"limit": true, "offset": true, "and": true, "or": true, "not": true, "in": true,
	"between": true, "is": true, "null": true, "like": true, "has": true, "any": true,
	"all": true, "true": true, "false": true, "as": true, "distinct": true, "having": true,
	"case": true,
}

// positional are the other words of the grammar, recognised by their place.
var positional = []string{"asc", "desc", "nulls", "first", "last", "when", "then", "else", "end",
	"explain", "analyze", "summarize", "param", "comment", "date", "datetime"}

// Keywords returns every word of the language, reserved or positional, sorted, with the
// pseudo-columns form and event: what a shell completes in a statement.
func Keywords() []string {
	out := append([]string{"form", "event"}, positional...)
	for w := range reserved {
		out = append(out, w)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IsReserved reports whether word (any case) is a reserved keyword, which must be written
// in brackets to be used as a name.
func IsReserved(word string) bool { return reserved[lower(word)] }

// isIdent reports whether s is a plain name: a letter or '_' then letters, digits, '_'.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// lower is an ASCII-only strings.ToLower that does not allocate for lower-case input.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
