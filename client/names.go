package client

import "strings"

// pseudoFields are export columns REDCap adds itself; since 13.4.10 it
// rejects them in the fields parameter.
var pseudoFields = map[string]bool{
	"redcap_event_name": true, "redcap_repeat_instrument": true, "redcap_repeat_instance": true,
	"redcap_data_access_group": true, "redcap_survey_identifier": true,
}

// checkNames checks fields, forms and events of a request. Pseudo-fields
// are always refused; against the cached Project (only if it is already
// loaded: this never costs a request) unknown names are refused too, with
// the same meaning as REDCap's 400 but before anything is sent.
func (c *Client) checkNames(method string, fields, forms, events []string) error {
	for _, f := range fields {
		if pseudoFields[f] {
			return errorf("%s: %q is a column REDCap adds itself, not a field; REDCap refuses it in fields (use ExportDataAccessGroups/ExportSurveyFields, or drop it)", method, f)
		}
	}
	p := c.cachedProject()
	if p == nil {
		return nil
	}
	known := make(map[string]bool, len(p.meta))
	for i := range p.meta {
		known[p.meta[i].FieldName] = true
	}
	formSet := map[string]bool{}
	for _, f := range p.Forms() {
		formSet[f] = true
	}
	for _, f := range fields {
		if known[f] {
			continue
		}
		if form, ok := strings.CutSuffix(f, "_complete"); ok && formSet[form] {
			continue
		}
		return errorf("%s: field %q is not in the project's data dictionary", method, f)
	}
	for _, f := range forms {
		if !formSet[f] {
			return errorf("%s: form %q is not an instrument of the project", method, f)
		}
	}
	if len(events) > 0 {
		if !p.IsLongitudinal() {
			return errorf("%s: events given, but the project is not longitudinal", method)
		}
		evSet := map[string]bool{}
		for _, e := range p.events {
			evSet[e.UniqueEventName] = true
		}
		for _, e := range events {
			if !evSet[e] {
				return errorf("%s: event %q is not a unique event name of the project", method, e)
			}
		}
	}
	return nil
}
