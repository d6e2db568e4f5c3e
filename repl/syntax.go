package repl

import (
	"slices"
	"strings"
)

// statementSyntax is \h's table: each statement's synopsis and an example,
// as docs/language.md gives them (TestSyntaxHelpMatchesDocs keeps the two
// in step).
var statementSyntax = []struct {
	name, synopsis, example string
}{
	{"select", `[explain [analyze]] select [distinct] <items> from <source>
    [where <condition>]
    [group by <expr>, ...]
    [having <condition>]
    [order by <expr> [asc|desc] [nulls first|last], ...]
    [limit <n> [offset <m>]]`, "select site, count(*) as n from records group by site order by n desc"},
	{"explain", `explain [analyze] select ...`, "explain analyze select age from records where record in ('1', '2')"},
	{"summarize", `summarize <source> [where <condition>]
summarize select ...`, "summarize records where form = 'baseline'"},
	{"param", `param $<name> [= <literal>] [comment '<description>'];`, "param $min_age = 18;"},
}

// syntaxHelp is \h topic: a statement's syntax and an example.
func syntaxHelp(topic string) (string, error) {
	t := strings.ToLower(strings.Fields(topic)[0])
	var names []string
	for _, st := range statementSyntax {
		names = append(names, st.name)
		if st.name == t {
			return "Statement: " + st.name + "\nSyntax:\n" + indent(st.synopsis) +
				"Example:\n" + indent(st.example) +
				"More: docs/language.md\n", nil
		}
	}
	slices.Sort(names)
	return "", errorf(`\h: no statement %q; try one of %s`, topic, strings.Join(names, ", "))
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}
