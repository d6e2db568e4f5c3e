package lang

import (
	"regexp"
	"strings"
)

var grammarName = regexp.MustCompile(`\bG([A-Z][A-Za-z]*)\b`)

// EBNF returns the grammar of one statement or declaration in EBNF, generated from the
// participle grammar. A file is entries separated by ';'. Tokens: <ident> a name,
// <bracket> a [name], <param> a $name, <string> 'text' or "text", <number> a number;
// words in quotes are keywords (any case).
func EBNF() string {
	rules := strings.Split(grammar.String(), "\n")
	for i, r := range rules {
		rules[i] = grammarName.ReplaceAllString(strings.TrimSpace(r), "$1")
		// comparison operators are one token type for the parser's sake; show them
		rules[i] = strings.ReplaceAll(rules[i], "<compare>", `("=" | "<>" | "<=" | ">=" | "<" | ">" | "~")`)
		rules[i] = strings.ReplaceAll(rules[i], "<arith>", `("+" | "-" | "*" | "/")`)
	}
	return strings.Join(rules, "\n") + "\n"
}
