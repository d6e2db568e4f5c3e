package repl

import (
	"os"
	"strings"
	"testing"
)

// TestSyntaxHelpMatchesDocs: \h shows the synopses docs/language.md
// gives, word for word, so the two cannot drift apart.
func TestSyntaxHelpMatchesDocs(t *testing.T) {
	b, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, st := range statementSyntax {
		if st.name == "explain" {
			continue // a short form of select's first line
		}
		if !strings.Contains(doc, st.synopsis) {
			t.Errorf("\\h %s shows a synopsis docs/language.md does not have:\n%s", st.name, st.synopsis)
		}
		if !strings.Contains(doc, st.example) {
			t.Errorf("\\h %s example is not in docs/language.md: %s", st.name, st.example)
		}
	}
}
