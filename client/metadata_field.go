package client

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MetadataField is one row of a REDCap metadata export (data dictionary).
// Every column is kept as REDCap sent it; Dictionary interprets them.
type MetadataField struct {
	FieldName                            string `json:"field_name"`
	FormName                             string `json:"form_name"`
	SectionHeader                        string `json:"section_header"`
	FieldType                            string `json:"field_type"`
	FieldLabel                           string `json:"field_label"`
	SelectChoicesOrCalculations          string `json:"select_choices_or_calculations"`
	FieldNote                            string `json:"field_note"`
	TextValidationTypeOrShowSliderNumber string `json:"text_validation_type_or_show_slider_number"`
	TextValidationMin                    string `json:"text_validation_min"`
	TextValidationMax                    string `json:"text_validation_max"`
	Identifier                           string `json:"identifier"`
	BranchingLogic                       string `json:"branching_logic"`
	RequiredField                        string `json:"required_field"`
	CustomAlignment                      string `json:"custom_alignment"`
	QuestionNumber                       string `json:"question_number"`
	MatrixGroupName                      string `json:"matrix_group_name"`
	MatrixRanking                        string `json:"matrix_ranking"`
	FieldAnnotation                      string `json:"field_annotation"`
}

// MetadataColumns lists the 18 metadata export columns in REDCap's order (API names).
var MetadataColumns = []string{
	"field_name", "form_name", "section_header", "field_type", "field_label",
	"select_choices_or_calculations", "field_note", "text_validation_type_or_show_slider_number",
	"text_validation_min", "text_validation_max", "identifier", "branching_logic",
	"required_field", "custom_alignment", "question_number", "matrix_group_name",
	"matrix_ranking", "field_annotation",
}

// metadataUIHeaders are the data-dictionary download headers, in MetadataColumns order.
var metadataUIHeaders = []string{
	"Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
	"Choices, Calculations, OR Slider Labels", "Field Note",
	"Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
	"Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
	"Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
	"Matrix Ranking?", "Field Annotation",
}

// metadataColumnIndex maps a lower-cased header (API or UI spelling) to its MetadataColumns index.
var metadataColumnIndex = func() map[string]int {
	m := make(map[string]int, 2*len(MetadataColumns))
	for i, c := range MetadataColumns {
		m[c] = i
		m[strings.ToLower(metadataUIHeaders[i])] = i
	}
	return m
}()

// Values returns the row's 18 values in MetadataColumns order.
func (m *MetadataField) Values() []string {
	out := make([]string, len(MetadataColumns))
	for i := range out {
		out[i] = *m.column(i)
	}
	return out
}

// column returns a pointer to the i-th column (MetadataColumns order).
func (m *MetadataField) column(i int) *string {
	switch i {
	case 0:
		return &m.FieldName
	case 1:
		return &m.FormName
	case 2:
		return &m.SectionHeader
	case 3:
		return &m.FieldType
	case 4:
		return &m.FieldLabel
	case 5:
		return &m.SelectChoicesOrCalculations
	case 6:
		return &m.FieldNote
	case 7:
		return &m.TextValidationTypeOrShowSliderNumber
	case 8:
		return &m.TextValidationMin
	case 9:
		return &m.TextValidationMax
	case 10:
		return &m.Identifier
	case 11:
		return &m.BranchingLogic
	case 12:
		return &m.RequiredField
	case 13:
		return &m.CustomAlignment
	case 14:
		return &m.QuestionNumber
	case 15:
		return &m.MatrixGroupName
	case 16:
		return &m.MatrixRanking
	case 17:
		return &m.FieldAnnotation
	}
	panic(fmt.Sprintf("client: metadata column %d out of range", i))
}

// ReadMetadataCSV reads a metadata export in CSV: either the API form
// (field_name, form_name, ...) or the UI data-dictionary download
// ("Variable / Field Name", "Form Name", ...). Headers are matched without
// regard to case and order; columns missing from older exports stay blank, but
// the field name column is required and an unknown header is an error.
func ReadMetadataCSV(r io.Reader) ([]MetadataField, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("metadata CSV: empty input, want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("metadata CSV: %w", err)
	}
	idx := make([]int, len(header)) // header position -> MetadataColumns index
	seen := make([]bool, len(MetadataColumns))
	for i, h := range header {
		j, ok := metadataColumnIndex[strings.ToLower(strings.TrimSpace(h))]
		if !ok {
			return nil, fmt.Errorf("metadata CSV: line 1, column %d: unknown header %q", i+1, h)
		}
		if seen[j] {
			return nil, fmt.Errorf("metadata CSV: line 1, column %d: header %q repeats column %s", i+1, h, MetadataColumns[j])
		}
		seen[j] = true
		idx[i] = j
	}
	if !seen[0] {
		return nil, errors.New("metadata CSV: line 1: no field_name (\"Variable / Field Name\") column")
	}
	var out []MetadataField
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("metadata CSV: %w", err)
		}
		if len(rec) != len(header) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("metadata CSV: line %d: %d values, header has %d", line, len(rec), len(header))
		}
		var m MetadataField
		for i, v := range rec {
			*m.column(idx[i]) = v
		}
		if m.FieldName == "" {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("metadata CSV: line %d: blank field name", line)
		}
		out = append(out, m)
	}
}
