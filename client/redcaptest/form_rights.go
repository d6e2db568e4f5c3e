package redcaptest

// Form-level data entry rights (a user's or role's `forms`). REDCap 15.6
// moved them to bit values, which its user and role exports now send
// (the fixtures' newest users-export capture, simple: "130"), while the
// legacy levels are still accepted on import (REDCap's key, as quoted in
// vubiostat/redcapAPI issue 469): 128 No Access, 129 Read Only, 130 View &
// Edit, plus 8 to edit survey responses and 16 to delete; legacy 0 No
// Access, 2 Read Only, 1 View & Edit, 3 View & Edit + Edit Survey
// Responses. The server stores and exports the bit values.
const (
	formNoAccess   = 128
	formReadOnly   = 129
	formViewEdit   = 130
	formEditSurvey = 8
	formDelete     = 16
	// formAll is the creator's and token owner's right on every form.
	formAll = formViewEdit | formEditSurvey | formDelete
)

// formRightValue turns a data entry level, legacy or bit value, into the
// bit value; ok is false for anything else.
func formRightValue(n int) (int, bool) {
	switch n {
	case 0:
		return formNoAccess, true
	case 1:
		return formViewEdit, true
	case 2:
		return formReadOnly, true
	case 3:
		return formViewEdit | formEditSurvey, true
	case formNoAccess, formReadOnly:
		return n, true
	}
	if n&^(formEditSurvey|formDelete) == formViewEdit {
		return n, true
	}
	return 0, false
}

// parseDataEntryRights reads "form:level,..." data entry rights (legacy
// levels or bit values) as bit values.
func parseDataEntryRights(p *Project, s string) (map[string]int, error) {
	return parseRightsList(p, s, "0 to 3, or 128 No Access, 129 Read Only, 130 View & Edit, plus 8 Edit Survey Responses and 16 Delete", formRightValue)
}
