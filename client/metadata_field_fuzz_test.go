package client

import (
	"strings"
	"testing"
)

// FuzzReadMetadataCSV checks that the metadata readers never panic and that
// whatever they accept builds a dictionary or fails with an error.
func FuzzReadMetadataCSV(f *testing.F) {
	f.Add("field_name,form_name,field_type,select_choices_or_calculations\nid,f,text,\nr,f,radio,\"1, a | 2, b\"\n")
	f.Add("\"Variable / Field Name\",\"Form Name\",\"Field Type\"\nid,f,text\n")
	f.Add("field_name\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, s string) {
		meta, err := ReadMetadataCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, m := range meta {
			if m.FieldName == "" {
				t.Fatalf("accepted a blank field name from %q", s)
			}
		}
		if len(meta) > 0 {
			_, _ = NewDictionary(meta, "")
		}
	})
}

// FuzzReadODMMetadata checks that the project XML reader never panics.
func FuzzReadODMMetadata(f *testing.F) {
	f.Add(odmSample)
	f.Add("<ODM><Study><FormDef redcap:FormName='f'><ItemGroupRef ItemGroupOID='g'/></FormDef></Study></ODM>")
	f.Fuzz(func(t *testing.T, s string) {
		meta, missing, err := ReadODMMetadata(strings.NewReader(s))
		if err == nil {
			_, _ = NewDictionary(meta, missing)
		}
	})
}
