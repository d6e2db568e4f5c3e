package redcaptest

import (
	"crypto/md5"
	"encoding/hex"
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// Data export rights by instrument (a user's forms_export), applied to
// record exports, reports, project XML and PDFs as REDCap's API
// documentation describes them ("Note about export rights" of Export
// Records; redcap-api.md §3.1): a form with "No Access" (0) is left out, a
// "De-Identified" form (2) loses its identifier fields, its free-form text
// (text without validation, notes) and its dates and datetimes, a "Remove
// All Identifier Fields" form (3) loses its fields tagged as identifiers,
// and "Full Data Set" (1) keeps everything. The record id stays; when it is
// tagged as an identifier and its form's level is 2 or 3, record names come
// back as 32-character MD5 hashes.

// Export right levels of forms_export.
const (
	exportNoAccess     = 0
	exportFull         = 1
	exportDeidentified = 2
	exportNoIDs        = 3
)

// exportLevels returns the caller's export level per instrument, or nil
// when every instrument is fully exportable (no user, or a user without
// forms_export and without a legacy project-wide data_export right). An
// instrument the list does not name gets full rights for a user with
// AllForms (instruments created after the rights were set) and no access
// otherwise. The caller holds p.Mu.
func exportLevels(p *Project, u *User) map[string]int {
	if u == nil {
		return nil
	}
	s := strings.TrimSpace(u.Rights["forms_export"])
	def := exportNoAccess
	if u.AllForms {
		def = exportFull
	}
	var m map[string]int
	if s == "" {
		dx := strings.TrimSpace(u.Rights["data_export"])
		n, err := strconv.Atoi(dx)
		if dx == "" || err != nil || n == exportFull {
			return nil
		}
		def, m = n, nil
	} else {
		var err error
		if m, err = parseFormRights(nil, s); err != nil {
			return nil
		}
	}
	out := make(map[string]int, len(p.Instruments))
	full := true
	for _, in := range p.Instruments {
		v, ok := m[in.Name]
		if !ok {
			v = def
		}
		out[in.Name] = v
		full = full && v == exportFull
	}
	if full {
		return nil
	}
	return out
}

// fieldExportable reports whether a field (or a form status, f nil) may be
// exported at its form's level.
func fieldExportable(f *Field, level int) bool {
	switch level {
	case exportFull:
		return true
	case exportNoAccess:
		return false
	}
	if f == nil {
		return true // the form status
	}
	if f.Identifier == "y" {
		return false
	}
	if level == exportNoIDs {
		return true
	}
	// De-identified: free-form text and dates go too.
	v := f.TextValidationTypeOrShowSliderNumber
	switch {
	case f.FieldType == "notes":
		return false
	case f.FieldType == "text" && v == "":
		return false
	case f.FieldType == "text" && (strings.HasPrefix(v, "date_") || strings.HasPrefix(v, "datetime_")):
		return false
	}
	return true
}

// applyExportRights removes from x.selected what the caller may not
// export and decides whether record names are hashed. A user with "No
// Access" on every instrument is refused (403), as is a request all of
// whose fields are removed (400).
func (x *recordExport) applyExportRights(c *call) error {
	p := x.p
	lv := exportLevels(p, c.User)
	if lv == nil {
		return nil
	}
	any := false
	for _, v := range lv {
		any = any || v != exportNoAccess
	}
	if !any {
		return errorf(http.StatusForbidden, msgNoExportRights)
	}
	idf := p.RecordIDField()
	requested := 0
	for name := range x.selected {
		if name != idf {
			requested++
		}
	}
	kept := 0
	for name := range x.selected {
		if name == idf {
			continue
		}
		form, f := p.FormOf(name), p.Field(name)
		if p.IsFormStatus(name) {
			form, f = strings.TrimSuffix(name, "_complete"), nil
		}
		if !fieldExportable(f, lv[form]) {
			delete(x.selected, name)
			continue
		}
		kept++
	}
	if requested > 0 && kept == 0 {
		return errorf(http.StatusBadRequest, msgAllFieldsRemoved)
	}
	if f := p.Field(idf); f != nil && f.Identifier == "y" {
		if l := lv[f.FormName]; l == exportDeidentified || l == exportNoIDs {
			x.hashSalt = "redcaptest:" + strconv.Itoa(p.Info.ProjectID) + ":" + p.Info.Title + ":"
		}
	}
	return nil
}

// Wording of the export-rights refusals (REDCap's own wording is not in
// the API documentation nor in the fixtures).
const (
	msgNoExportRights   = `You do not have data export rights ("No Access") for any instrument of this project`
	msgAllFieldsRemoved = "Every field requested is removed by your data export rights (de-identified, identifiers removed or No Access instruments), so there is no data to export"
)

// recordName is a record's name as the export shows it: an MD5 hash of
// the name when the caller's rights hide the identifier record id.
func (x *recordExport) recordName(id string) string {
	if x.hashSalt == "" {
		return id
	}
	return hashRecordName(x.hashSalt, id)
}

func hashRecordName(salt, id string) string {
	sum := md5.Sum([]byte(salt + id))
	return hex.EncodeToString(sum[:])
}

// exportDenied lists what the caller's data export rights hide from a
// whole-project export: the fields and form statuses (deny), the "No
// Access" instruments (denyForm), and the salt that hashes record names
// ("" = names shown). All nil when nothing is hidden; a user with "No
// Access" on every instrument is refused. The caller holds p.Mu.
func exportDenied(c *call, p *Project) (deny, denyForm map[string]bool, salt string, err error) {
	lv := exportLevels(p, c.User)
	if lv == nil {
		return nil, nil, "", nil
	}
	rx := &recordExport{p: p, selected: map[string]bool{}}
	for _, f := range p.Metadata {
		rx.selected[f.FieldName] = true
	}
	for _, in := range p.Instruments {
		rx.selected[in.Name+"_complete"] = true
	}
	all := maps.Clone(rx.selected)
	if err := rx.applyExportRights(c); err != nil {
		return nil, nil, "", err
	}
	deny, denyForm = map[string]bool{}, map[string]bool{}
	for name := range all {
		if !rx.selected[name] {
			deny[name] = true
		}
	}
	for form, l := range lv {
		if l == exportNoAccess {
			denyForm[form] = true
		}
	}
	return deny, denyForm, rx.hashSalt, nil
}

// fileExportRight applies data export rights to a file export, as the
// Export File method's "note about export rights" states: "No Access" on
// the field's form fails, and so do "De-Identified" and "Remove all tagged
// Identifier fields" when the field is tagged as an identifier.
func fileExportRight(c *call, f *Field) error {
	lv := exportLevels(c.Project, c.User)
	if lv == nil || f == nil {
		return nil
	}
	switch l := lv[f.FormName]; {
	case l == exportNoAccess:
		return errorf(http.StatusForbidden, msgFileNoExport, f.FieldName)
	case (l == exportDeidentified || l == exportNoIDs) && f.Identifier == "y":
		return errorf(http.StatusForbidden, msgFileIdentifier, f.FieldName)
	}
	return nil
}

// Wording of the file export refusals (the emulator's own: REDCap's is
// not in the API documentation nor in the fixtures).
const (
	msgFileNoExport   = "You have \"No Access\" data export rights on the instrument of the field '%s', so its file cannot be exported"
	msgFileIdentifier = "The field '%s' is tagged as an identifier and your data export rights remove identifiers, so its file cannot be exported"
)
