package redcaptest

import (
	"os"
	"path/filepath"
)

// dictionaryDownloads are the data-dictionary files a REDCap project folder
// may hold next to its project.xml, in order of preference: REDCap's own
// download (UI headers), its misspelt twin in some fixtures, and an API
// metadata export written by R (NA for blank).
var dictionaryDownloads = []string{"dictionary.csv", "dictionay.csv", "metadata.csv"}

// restoreChoiceText puts back the exact choices text of radio and dropdown
// fields that the ODM export loses. The ODM keeps those choices only as
// CodeList items, so the stored string's spacing ("0, No | 1, Yes" against
// "0, No|1, Yes") is gone and the loader can only rebuild it one way. A data
// dictionary download in the same folder keeps the string verbatim.
//
// The ODM stays the source of truth for structure: the download is used only
// when it describes the same design (see sameDesign; else it was taken from
// another version of the project and is ignored as a whole), and for a field only when its parsed
// choices (codes and labels, in order) equal the ODM's. Then only the text of
// select_choices_or_calculations is replaced; nothing else changes.
// Checkbox choices are left alone: the ODM carries them verbatim
// (redcap:CheckboxChoices). A file that does not read as a data dictionary
// is passed over like a stale one. It reports whether anything changed.
func restoreChoiceText(p *Project, dir string) bool {
	for _, name := range dictionaryDownloads {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		dict, err := readDictionary(path)
		if err != nil || !sameDesign(p.Metadata, dict) {
			// Not a dictionary of this design: the ODM alone describes
			// the project, as without the file.
			continue
		}
		changed := false
		for i := range p.Metadata {
			f, d := &p.Metadata[i], &dict[i]
			if f.FieldType != "radio" && f.FieldType != "dropdown" {
				continue
			}
			if f.SelectChoicesOrCalculations == d.SelectChoicesOrCalculations ||
				!sameChoices(ParseChoices(f.SelectChoicesOrCalculations), ParseChoices(d.SelectChoicesOrCalculations)) {
				continue
			}
			f.SelectChoicesOrCalculations = d.SelectChoicesOrCalculations
			changed = true
		}
		return changed
	}
	return false
}

// sameDesign reports whether a dictionary download describes the design the
// ODM holds: the same fields, forms and field types in the same order, and
// the same text wherever the ODM keeps it verbatim (labels, notes,
// validation, branching logic, checkbox choices and calculations). Fixture
// folders hold downloads taken before a later design change; such a file
// disagrees somewhere and is not used.
func sameDesign(odm, dict []Field) bool {
	if len(odm) != len(dict) {
		return false
	}
	for i := range odm {
		a, b := &odm[i], &dict[i]
		if a.FieldName != b.FieldName || a.FormName != b.FormName || canonicalType(a.FieldType) != canonicalType(b.FieldType) {
			return false
		}
		if a.FieldLabel != b.FieldLabel || a.FieldNote != b.FieldNote || a.BranchingLogic != b.BranchingLogic ||
			a.TextValidationTypeOrShowSliderNumber != b.TextValidationTypeOrShowSliderNumber {
			return false
		}
		switch a.FieldType {
		case "checkbox", "calc":
			if a.SelectChoicesOrCalculations != b.SelectChoicesOrCalculations {
				return false
			}
		}
	}
	return true
}

func canonicalType(t string) string {
	switch t {
	case "select":
		return "dropdown"
	case "textarea":
		return "notes"
	}
	return t
}

func sameChoices(a, b []Choice) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
