package client

import (
	"errors"
	"fmt"
	"strings"
)

// Dictionary is a project's data dictionary: its fields in export order,
// typed for rq, with forms, checkbox columns and missing-data codes. It does
// not change after NewDictionary and is safe for concurrent use (a RowParser
// is not).
type Dictionary struct {
	fields   []*Field
	byName   map[string]*Field
	byColumn map[string]colRef // checkbox ___code columns
	forms    []string
	missing  []Choice
	warnings []string
}

type colRef struct {
	f    *Field
	code string
}

// NewDictionary builds a dictionary from a metadata export and the project's
// missing-data codes (project info missing_data_codes, e.g. "NA, Not applicable | UNK, Unknown";
// blank when the project has none). It adds a <form>_complete field after each
// form's last field, as record exports do. It fails on an empty dictionary, a
// blank or repeated field name, a blank form name and unreadable choices.
//
// Kinds (rq-language.md §4): text fields by validation (integer, number*,
// *_comma_decimal → number; date_* → date; datetime_* → datetime; time* →
// time; others text); calc, slider, yesno, truefalse and <form>_complete are
// numbers; radio and dropdown are numbers when every code is numeric, else
// text; checkbox is a code set; notes and file are text; descriptive has no
// value (KindNull, no column). sql fields draw their codes from a database
// query the dictionary cannot run: they are text and any value is accepted.
func NewDictionary(meta []MetadataField, missingDataCodes string) (*Dictionary, error) {
	if len(meta) == 0 {
		return nil, errors.New("data dictionary: no fields")
	}
	d := &Dictionary{byName: make(map[string]*Field, len(meta)+8), byColumn: map[string]colRef{}}
	var err error
	if d.missing, err = ParseChoices(missingDataCodes); err != nil {
		return nil, fmt.Errorf("data dictionary: missing data codes: %v", err)
	}
	// Group fields by form in order of first appearance; REDCap keeps forms
	// contiguous, so this is metadata order.
	byForm := map[string][]*Field{}
	for i := range meta {
		m := meta[i]
		if m.FieldName == "" {
			return nil, fmt.Errorf("data dictionary: row %d: blank field name", i+1)
		}
		if m.FormName == "" {
			return nil, fmt.Errorf("data dictionary: field %q: blank form name", m.FieldName)
		}
		if _, dup := d.byName[m.FieldName]; dup {
			return nil, fmt.Errorf("data dictionary: field %q appears twice", m.FieldName)
		}
		f, err := newField(m)
		if err != nil {
			return nil, fmt.Errorf("data dictionary: field %q: %v", m.FieldName, err)
		}
		f.dict = d
		d.byName[f.Name] = f
		if _, ok := byForm[f.Form]; !ok {
			d.forms = append(d.forms, f.Form)
		}
		byForm[f.Form] = append(byForm[f.Form], f)
	}
	for _, form := range d.forms {
		d.fields = append(d.fields, byForm[form]...)
		name := form + "_complete"
		if _, ok := d.byName[name]; ok {
			continue
		}
		f := formStatusField(form)
		f.dict = d
		d.byName[name] = f
		d.fields = append(d.fields, f)
	}
	for i, f := range d.fields {
		f.Index = i
		d.setColumns(f)
	}
	return d, nil
}

// setColumns computes a field's export columns and indexes checkbox columns.
func (d *Dictionary) setColumns(f *Field) {
	switch f.parse {
	case parseNone:
		return
	case parseCheckbox:
	default:
		f.columns = []string{f.Name}
		return
	}
	add := func(code string) {
		col := CheckboxColumnName(f.Name, code)
		if prev, ok := d.byColumn[col]; ok {
			d.warnings = append(d.warnings, fmt.Sprintf("checkbox column %q of field %q code %q also names code %q of field %q; the first is kept",
				col, f.Name, code, prev.code, prev.f.Name))
			return
		}
		d.byColumn[col] = colRef{f, code}
		f.columns = append(f.columns, col)
		f.colCode = append(f.colCode, code)
	}
	for _, c := range f.Choices {
		add(c.Code)
	}
	if !f.NoMissing {
		for _, m := range d.missing {
			add(m.Code)
		}
	}
}

// RecordIDField returns the record id field's name (the first field).
func (d *Dictionary) RecordIDField() string { return d.fields[0].Name }

// Field returns the named field, including synthesised <form>_complete fields.
func (d *Dictionary) Field(name string) (*Field, bool) {
	f, ok := d.byName[name]
	return f, ok
}

// Fields returns every field in export order, <form>_complete fields included.
func (d *Dictionary) Fields() []*Field { return d.fields }

// Forms returns the form (instrument) names in order.
func (d *Dictionary) Forms() []string { return d.forms }

// FormFields returns a form's fields in order, its <form>_complete field last.
func (d *Dictionary) FormFields(form string) []*Field {
	var out []*Field
	for _, f := range d.fields {
		if f.Form == form {
			out = append(out, f)
		}
	}
	return out
}

// Identifiers returns the names of fields marked as identifiers.
func (d *Dictionary) Identifiers() []string {
	var out []string
	for _, f := range d.fields {
		if f.Identifier {
			out = append(out, f.Name)
		}
	}
	return out
}

// Columns returns every export column of the fields in order (checkbox
// columns expanded; no redcap_* or timestamp columns).
func (d *Dictionary) Columns() []string {
	var out []string
	for _, f := range d.fields {
		out = append(out, f.columns...)
	}
	return out
}

// MissingCodes returns the project's missing-data codes.
func (d *Dictionary) MissingCodes() []Choice { return d.missing }

// Warnings lists oddities that did not stop NewDictionary, such as two
// checkbox codes that normalise to the same export column.
func (d *Dictionary) Warnings() []string { return d.warnings }

// ExportColumn maps an export column to its field and, for a checkbox column,
// its code: "race___2" gives race and "2", "race" gives race and "".
// Missing-data checkbox columns ("race___na") give the missing code ("NA").
func (d *Dictionary) ExportColumn(col string) (f *Field, code string, ok bool) {
	if r, ok := d.byColumn[col]; ok {
		return r.f, r.code, true
	}
	if f, ok := d.byName[col]; ok {
		return f, "", true
	}
	return nil, "", false
}

// CheckboxColumn returns the export column of a checkbox field's code (a
// choice or an applicable missing-data code), or "" when field is not a
// checkbox or code is not one of its codes.
func (d *Dictionary) CheckboxColumn(field, code string) string {
	f, ok := d.byName[field]
	if !ok || f.parse != parseCheckbox {
		return ""
	}
	for i, c := range f.colCode {
		if c == code {
			return f.columns[i]
		}
	}
	return ""
}

// IsPlumbingColumn reports whether an export column is one of REDCap's
// non-field columns: redcap_event_name, redcap_repeat_instrument,
// redcap_repeat_instance, redcap_data_access_group, redcap_survey_identifier,
// or a <form>_timestamp of a form of d.
func (d *Dictionary) IsPlumbingColumn(col string) bool {
	switch col {
	case "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
		"redcap_data_access_group", "redcap_survey_identifier":
		return true
	}
	if form, ok := strings.CutSuffix(col, "_timestamp"); ok {
		for _, f := range d.forms {
			if f == form {
				return true
			}
		}
	}
	return false
}
