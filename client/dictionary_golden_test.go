package client

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	// Registered here unless another test file of the package already did.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files under testdata/")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// renderDictionary prints every field: name, form, type, validation, kind,
// export columns and choices, one field per line.
func renderDictionary(d *Dictionary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "record id: %s\nforms: %s\nidentifiers: %s\nmissing codes: %s\n",
		d.RecordIDField(), strings.Join(d.Forms(), ", "), strings.Join(d.Identifiers(), ", "), FormatChoices(d.MissingCodes()))
	for _, f := range d.Fields() {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\tcolumns=%s", f.Name, f.Form, f.FieldType, f.Validation, f.Kind, strings.Join(f.Columns(), ","))
		if len(f.Choices) > 0 {
			fmt.Fprintf(&b, "\tchoices=%s", FormatChoices(f.Choices))
		}
		if f.NoMissing {
			b.WriteString("\t@NOMISSING")
		}
		if f.Synthetic {
			b.WriteString("\tsynthetic")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDictionaryGolden(t *testing.T) {
	odm, missing, err := ReadODMMetadata(strings.NewReader(odmSample))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		meta    []MetadataField
		missing string
	}{
		{"demo", demoMeta(), "NA, Not applicable | UNK, Unknown"},
		{"odm-sample", odm, missing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDictionary(tt.meta, tt.missing)
			if err != nil {
				t.Fatal(err)
			}
			got := renderDictionary(d)
			path := filepath.Join("testdata", "dictionary", tt.name+".golden")
			if updateGolden() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("dictionary %s differs from %s (run with -update after checking):\n%s", tt.name, path, got)
			}
		})
	}
}
