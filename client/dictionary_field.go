package client

import "strings"

// Field is one field of a data dictionary, typed for rq.
type Field struct {
	Name       string        // variable name
	Form       string        // instrument (form) name
	FieldType  string        // REDCap field type: text, notes, radio, dropdown, checkbox, calc, ...; "form_status" for <form>_complete
	Label      string        // field label
	Validation string        // text validation type, legacy names normalised (int → integer, date → date_ymd, ...)
	Kind       Kind          // rq type of the field's values
	Choices    []Choice      // codes of radio, dropdown, checkbox, yesno, truefalse and form-status fields
	Meta       MetadataField // the metadata row (zero but for names and type for synthesised <form>_complete fields)

	Index        int      // position in Dictionary.Fields
	Identifier   bool     // marked as an identifier (PHI)
	NoMissing    bool     // @NOMISSING: missing-data codes neither apply nor add checkbox columns
	Synthetic    bool     // not in the metadata: a <form>_complete field added by the dictionary
	NumericCodes bool     // every choice code is a number (radio/dropdown values are then numbers)
	Formula      string   // calc: the calculation
	SliderLabels []string // slider: the anchor labels (left, middle, right)

	dict    *Dictionary
	parse   parseMode
	codes   map[string]int // choice code -> index in Choices
	columns []string       // export columns, in REDCap's order
	colCode []string       // checkbox: code of each column (missing codes last)
}

// Columns returns the field's export columns: its name, the ___code columns of
// a checkbox (choices, then missing-data codes), or none for descriptive fields.
func (f *Field) Columns() []string { return f.columns }

// ChoiceLabel returns the label of a choice code; for a missing-data code that
// is not one of the field's choices it returns the missing code's label.
func (f *Field) ChoiceLabel(code string) (string, bool) {
	if i, ok := f.codes[code]; ok {
		return f.Choices[i].Label, true
	}
	if !f.NoMissing && f.dict != nil {
		for _, m := range f.dict.missing {
			if m.Code == code {
				return m.Label, true
			}
		}
	}
	return "", false
}

// HasCode reports whether code is one of the field's choice codes.
func (f *Field) HasCode(code string) bool {
	_, ok := f.codes[code]
	return ok
}

// missingCode reports whether raw is a missing-data code that applies to f.
func (f *Field) missingCode(raw string) bool {
	if f.NoMissing || f.dict == nil {
		return false
	}
	for i := range f.dict.missing {
		if f.dict.missing[i].Code == raw {
			return true
		}
	}
	return false
}

// hasAnnotation reports whether a field annotation holds an action tag such as
// @NOMISSING as a whole word.
func hasAnnotation(annotation, tag string) bool {
	for s := annotation; ; {
		i := strings.Index(s, tag)
		if i < 0 {
			return false
		}
		end := i + len(tag)
		if end == len(s) || !isTagChar(s[end]) {
			return true
		}
		s = s[end:]
	}
}

func isTagChar(c byte) bool {
	return c == '_' || c == '-' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}
