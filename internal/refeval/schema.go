package refeval

import (
	"fmt"
	"strings"

	"github.com/redcapql/rq/client"
)

// Field is one field of the project as the oracle types it, from its
// metadata row alone (rq-language.md §4).
type Field struct {
	Name       string
	Form       string
	Type       string // REDCap field type; "form_status" for <form>_complete
	Validation string // text validation, legacy names normalised
	Kind       Kind   // KindNull for a descriptive field: no column, no value
	Choices    []Choice
	NoMissing  bool // @NOMISSING: missing-data codes do not apply
	Synthetic  bool // a <form>_complete field the metadata does not list
	columns    []string
	colCode    []string // checkbox: the code of each column
	mode       mode
}

// Choice is one code of a choice field, or a missing-data code.
type Choice struct{ Code, Label string }

// Columns returns the field's export columns: its name, or a checkbox's
// ___code columns (choices, then missing-data codes), or none.
func (f *Field) Columns() []string { return f.columns }

// label returns a choice code's label.
func (f *Field) label(code string) (string, bool) {
	for _, c := range f.Choices {
		if c.Code == code {
			return c.Label, true
		}
	}
	return "", false
}

// mode says how a raw value of a field is read.
type mode uint8

const (
	modeNone mode = iota
	modeText
	modeInteger
	modeNumber
	modeNumberComma
	modeDate
	modeDatetime
	modeTime
	modeMinSec
	modeChoice
	modeCheckbox
)

// Schema is the project's fields in export order.
type Schema struct {
	fields   []*Field
	byName   map[string]*Field
	byColumn map[string]colOf
	forms    []string
	missing  []Choice
}

type colOf struct {
	f    *Field
	code string
}

// Fields lists every field in export order, <form>_complete fields included.
func (s *Schema) Fields() []*Field { return s.fields }

// Forms lists the instruments in metadata order.
func (s *Schema) Forms() []string { return s.forms }

// Field returns a field by name.
func (s *Schema) Field(name string) (*Field, bool) {
	f, ok := s.byName[name]
	return f, ok
}

// RecordID names the record id field (the first).
func (s *Schema) RecordID() string { return s.fields[0].Name }

// MissingCodes lists the project's missing-data codes.
func (s *Schema) MissingCodes() []Choice { return s.missing }

// CheckboxColumn names the export column of a checkbox's code ("" when
// there is none).
func (s *Schema) CheckboxColumn(field, code string) string {
	f, ok := s.byName[field]
	if !ok {
		return ""
	}
	for _, col := range f.columns {
		if c := s.byColumn[col]; c.code == code && c.f == f {
			return col
		}
	}
	return ""
}

// column maps an export column to its field and checkbox code.
func (s *Schema) column(col string) (*Field, string, bool) {
	if c, ok := s.byColumn[col]; ok {
		return c.f, c.code, true
	}
	f, ok := s.byName[col]
	return f, "", ok
}

// newSchema types the metadata rows; missing is project info's
// missing_data_codes ("NA, Not applicable | UNK, Unknown").
func newSchema(meta []client.MetadataField, missing string) (*Schema, error) {
	if len(meta) == 0 {
		return nil, fmt.Errorf("refeval: no fields")
	}
	s := &Schema{byName: map[string]*Field{}, byColumn: map[string]colOf{}, missing: choices(missing)}
	byForm := map[string][]*Field{}
	for _, m := range meta {
		f, err := typeField(m)
		if err != nil {
			return nil, err
		}
		if _, ok := byForm[f.Form]; !ok {
			s.forms = append(s.forms, f.Form)
		}
		byForm[f.Form] = append(byForm[f.Form], f)
		s.byName[f.Name] = f
	}
	for _, form := range s.forms {
		s.fields = append(s.fields, byForm[form]...)
		name := form + "_complete"
		if _, ok := s.byName[name]; ok {
			continue
		}
		f := &Field{Name: name, Form: form, Type: "form_status", Kind: KindNumber, mode: modeChoice,
			NoMissing: true, Synthetic: true,
			Choices: []Choice{{"0", "Incomplete"}, {"1", "Unverified"}, {"2", "Complete"}}}
		s.byName[name] = f
		s.fields = append(s.fields, f)
	}
	for _, f := range s.fields {
		switch f.mode {
		case modeNone:
		case modeCheckbox:
			codes := f.Choices
			if !f.NoMissing {
				codes = append(codes[:len(codes):len(codes)], s.missing...)
			}
			for _, c := range codes {
				col := f.Name + "___" + columnCode(c.Code)
				if _, taken := s.byColumn[col]; taken {
					continue // two codes with one column: the first keeps it
				}
				s.byColumn[col] = colOf{f, c.Code}
				f.columns = append(f.columns, col)
				f.colCode = append(f.colCode, c.Code)
			}
		default:
			f.columns = []string{f.Name}
		}
	}
	return s, nil
}

// legacy maps old validation names to the ones metadata exports use now.
var legacy = map[string]string{"int": "integer", "float": "number", "date": "date_ymd",
	"datetime": "datetime_ymd", "datetime_seconds": "datetime_seconds_ymd"}

// typeField reads one metadata row.
func typeField(m client.MetadataField) (*Field, error) {
	v := strings.TrimSpace(m.TextValidationTypeOrShowSliderNumber)
	if n, ok := legacy[v]; ok {
		v = n
	}
	f := &Field{Name: m.FieldName, Form: m.FormName, Type: m.FieldType, Validation: v,
		Kind: KindText, mode: modeText, NoMissing: tagged(m.FieldAnnotation, "@NOMISSING")}
	switch m.FieldType {
	case "text":
		f.Kind, f.mode = textKind(v)
	case "descriptive":
		f.Kind, f.mode = KindNull, modeNone
	case "calc", "slider":
		f.Kind, f.mode = KindNumber, modeNumber
	case "yesno":
		f.Choices = []Choice{{"1", "Yes"}, {"0", "No"}}
		f.Kind, f.mode = KindNumber, modeChoice
	case "truefalse":
		f.Choices = []Choice{{"1", "True"}, {"0", "False"}}
		f.Kind, f.mode = KindNumber, modeChoice
	case "radio", "dropdown", "select", "checkbox":
		f.Choices = choices(m.SelectChoicesOrCalculations)
		if len(f.Choices) == 0 {
			return nil, fmt.Errorf("refeval: field %s: no choices", m.FieldName)
		}
		f.Kind, f.mode = KindText, modeChoice
		if m.FieldType == "checkbox" {
			f.Kind, f.mode = KindCodeSet, modeCheckbox
		} else if allNumbers(f.Choices) {
			f.Kind = KindNumber
		}
	}
	return f, nil
}

// textKind types a text field by its validation.
func textKind(v string) (Kind, mode) {
	switch {
	case v == "integer":
		return KindNumber, modeInteger
	case strings.HasPrefix(v, "number") && strings.HasSuffix(v, "comma_decimal"):
		return KindNumber, modeNumberComma
	case v == "number", strings.HasPrefix(v, "number_") && strings.HasSuffix(v, "dp"):
		return KindNumber, modeNumber
	case strings.HasPrefix(v, "datetime_"):
		return KindDatetime, modeDatetime
	case strings.HasPrefix(v, "date_"):
		return KindDate, modeDate
	case v == "time", v == "time_hh_mm_ss":
		return KindTime, modeTime
	case v == "time_mm_ss":
		return KindTime, modeMinSec
	}
	return KindText, modeText
}

// choices reads "1, Male | 2, Female": items split on '|', code and label
// at the first comma, "&#44;" a literal comma; a repeated code joins its
// labels.
func choices(s string) []Choice {
	var out []Choice
	for _, item := range strings.Split(s, "|") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		code, label, found := strings.Cut(item, ",")
		code = strings.ReplaceAll(strings.TrimSpace(code), "&#44;", ",")
		label = strings.ReplaceAll(strings.TrimSpace(label), "&#44;", ",")
		if !found {
			label = code
		}
		i := 0
		for i < len(out) && out[i].Code != code {
			i++
		}
		switch {
		case i == len(out):
			out = append(out, Choice{code, label})
		case out[i].Label == "":
			out[i].Label = label
		case label != "":
			out[i].Label += ", " + label
		}
	}
	return out
}

func allNumbers(cs []Choice) bool {
	for _, c := range cs {
		if !numberSyntax.MatchString(c.Code) {
			return false
		}
	}
	return true
}

// columnCode is a code as a checkbox export column spells it: lower case,
// '-' and '.' as '_', other characters dropped.
func columnCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == '.':
			return '_'
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', r == '_':
			return r
		}
		return -1
	}, code)
}

// tagged reports whether an annotation holds an action tag as a whole word.
func tagged(annotation, tag string) bool {
	for i := 0; ; {
		j := strings.Index(annotation[i:], tag)
		if j < 0 {
			return false
		}
		end := i + j + len(tag)
		if end == len(annotation) || !isWordByte(annotation[end]) {
			return true
		}
		i = end
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
