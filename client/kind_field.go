package client

import (
	"fmt"
	"strings"
)

// parseMode says how Field.Parse reads a raw value.
type parseMode uint8

const (
	parseNone        parseMode = iota // descriptive: no column, no value
	parseText                         // any text
	parseInteger                      // [-+]digits
	parseNumber                       // dot decimal, optional exponent
	parseNumberComma                  // comma or dot decimal
	parseDate                         // YYYY-MM-DD
	parseDatetime                     // YYYY-MM-DD HH:MM[:SS]
	parseTime                         // HH:MM[:SS]
	parseTimeMMSS                     // MM:SS
	parseChoice                       // one of the field's codes
	parseCheckbox                     // comma-separated codes; columns hold 0/1
)

// legacyValidation maps old validation names to the ones metadata exports use now.
var legacyValidation = map[string]string{
	"int":              "integer",
	"float":            "number",
	"date":             "date_ymd",
	"datetime":         "datetime_ymd",
	"datetime_seconds": "datetime_seconds_ymd",
}

// NormaliseValidation maps legacy validation names (int, float, date,
// datetime, datetime_seconds) to their current names; others pass unchanged.
func NormaliseValidation(v string) string {
	v = strings.TrimSpace(v)
	if n, ok := legacyValidation[v]; ok {
		return n
	}
	return v
}

// textMode gives the kind and parse mode of a text field with validation v (normalised).
func textMode(v string) (Kind, parseMode) {
	switch {
	case v == "integer":
		return KindNumber, parseInteger
	case strings.HasPrefix(v, "number") && strings.HasSuffix(v, "_comma_decimal"):
		return KindNumber, parseNumberComma
	case v == "number" || strings.HasPrefix(v, "number_") && strings.HasSuffix(v, "dp"):
		return KindNumber, parseNumber
	case strings.HasPrefix(v, "datetime_"):
		return KindDatetime, parseDatetime
	case strings.HasPrefix(v, "date_"):
		return KindDate, parseDate
	case v == "time" || v == "time_hh_mm_ss":
		return KindTime, parseTime
	case v == "time_mm_ss":
		return KindTime, parseTimeMMSS
	}
	return KindText, parseText
}

var (
	yesNoChoices      = []Choice{{"1", "Yes"}, {"0", "No"}}
	trueFalseChoices  = []Choice{{"1", "True"}, {"0", "False"}}
	formStatusChoices = []Choice{{"0", "Incomplete"}, {"1", "Unverified"}, {"2", "Complete"}}
)

// newField types one metadata row.
//
// Field types: text by its validation (rq-language.md §4); notes and file are
// text; calc and slider are numbers (the calc formula goes to Formula, slider
// anchor labels to SliderLabels, neither is a choice list); yesno and truefalse
// are numbers with codes 1/0; radio and dropdown take one of their codes,
// numbers when every code is numeric; checkbox is a code set; descriptive has
// no value. sql fields draw their codes from a database query the dictionary
// cannot run, so they are text and any value is accepted. Unknown field types
// are text.
func newField(m MetadataField) (*Field, error) {
	f := &Field{
		Name:       m.FieldName,
		Form:       m.FormName,
		FieldType:  m.FieldType,
		Label:      m.FieldLabel,
		Validation: NormaliseValidation(m.TextValidationTypeOrShowSliderNumber),
		Meta:       m,
		Identifier: strings.EqualFold(strings.TrimSpace(m.Identifier), "y"),
		NoMissing:  hasAnnotation(m.FieldAnnotation, "@NOMISSING"),
		Kind:       KindText,
		parse:      parseText,
	}
	switch m.FieldType {
	case "text":
		f.Kind, f.parse = textMode(f.Validation)
	case "notes", "textarea", "file", "sql":
	case "descriptive":
		f.Kind, f.parse = KindNull, parseNone
	case "calc":
		f.Kind, f.parse = KindNumber, parseNumber
		f.Formula = m.SelectChoicesOrCalculations
	case "slider":
		f.Kind, f.parse = KindNumber, parseNumber
		for _, l := range strings.Split(m.SelectChoicesOrCalculations, "|") {
			if l = strings.TrimSpace(l); l != "" {
				f.SliderLabels = append(f.SliderLabels, l)
			}
		}
	case "yesno":
		f.setChoices(yesNoChoices)
	case "truefalse":
		f.setChoices(trueFalseChoices)
	case "radio", "dropdown", "select", "checkbox":
		cs, err := ParseChoices(m.SelectChoicesOrCalculations)
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			return nil, fmt.Errorf("%s field without choices", m.FieldType)
		}
		f.setChoices(cs)
		if m.FieldType == "checkbox" {
			f.Kind, f.parse = KindCodeSet, parseCheckbox
		} else if !f.NumericCodes {
			f.Kind = KindText
		}
	}
	return f, nil
}

// formStatusField is the <form>_complete field REDCap exports for every form.
func formStatusField(form string) *Field {
	f := &Field{
		Name:      form + "_complete",
		Form:      form,
		FieldType: "form_status",
		Label:     "Complete?",
		Synthetic: true,
		NoMissing: true,
		Meta:      MetadataField{FieldName: form + "_complete", FormName: form, FieldType: "form_status", FieldLabel: "Complete?"},
	}
	f.setChoices(formStatusChoices)
	return f
}

// setChoices installs a choice list: codes index, numeric check, choice parse mode.
func (f *Field) setChoices(cs []Choice) {
	f.Choices = cs
	f.codes = make(map[string]int, len(cs))
	f.NumericCodes = true
	for i, c := range cs {
		f.codes[c.Code] = i
		if !isNumber(c.Code, '.') {
			f.NumericCodes = false
		}
	}
	f.Kind, f.parse = KindNumber, parseChoice
}
