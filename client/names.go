package client

import (
	"regexp"
	"strconv"
	"strings"
)

// pseudoFields are export columns REDCap adds itself; since 13.4.10 it
// rejects them in the fields parameter.
var pseudoFields = map[string]bool{
	"redcap_event_name": true, "redcap_repeat_instrument": true, "redcap_repeat_instance": true,
	"redcap_data_access_group": true, "redcap_survey_identifier": true,
}

// NameError is a request that names a field, form or event the project does
// not have, found against the data dictionary before anything is sent
// (REDCap would answer with a bare 400, or a 500 for filter logic).
type NameError struct {
	Method     string // the client method, e.g. "ExportRecords"
	What       string // "field", "form" or "event"
	Name       string // the unknown name
	InLogic    bool   // named in the filter logic
	Suggestion string // the nearest known name (Nearest), "" when none is close
	Known      string // the known names, listed when there is no suggestion and they are few
}

func (e *NameError) Error() string {
	var b strings.Builder
	b.WriteString("client: " + e.Method + ": ")
	if e.InLogic {
		b.WriteString("filter logic: ")
	}
	b.WriteString("no " + e.What + " " + strconv.Quote(e.Name))
	switch e.What {
	case "field":
		b.WriteString(" in the project's data dictionary")
	case "form":
		b.WriteString(" among the project's instruments")
	case "event":
		b.WriteString(" among the project's unique event names")
	}
	if e.Suggestion != "" {
		b.WriteString("; did you mean " + strconv.Quote(e.Suggestion) + "?")
	} else if e.Known != "" {
		b.WriteString(" (" + e.Known + ")")
	}
	return b.String()
}

// nameError builds a NameError with the nearest of known as its suggestion.
func nameError(method, what, name string, inLogic bool, known []string) error {
	e := &NameError{Method: method, What: what, Name: name, InLogic: inLogic, Suggestion: Nearest(name, known)}
	if e.Suggestion == "" && len(known) <= 12 {
		e.Known = strings.Join(known, ", ")
	}
	return e
}

// checkNames checks fields, forms, events and the field and event names in
// filterLogic of a request. Pseudo-fields are always refused; against the
// cached Project (only if it is already loaded: this never costs a request)
// unknown names are refused too, as *NameError with a "did you mean", with
// the same meaning as REDCap's 400 but before anything is sent.
func (c *Client) checkNames(method string, fields, forms, events []string, filterLogic string) error {
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
	var fieldNames []string
	for i := range p.meta {
		known[p.meta[i].FieldName] = true
		fieldNames = append(fieldNames, p.meta[i].FieldName)
	}
	formSet := map[string]bool{}
	for _, f := range p.Forms() {
		formSet[f] = true
		fieldNames = append(fieldNames, f+"_complete")
	}
	isField := func(f string) bool {
		if known[f] {
			return true
		}
		form, ok := strings.CutSuffix(f, "_complete")
		return ok && formSet[form]
	}
	for _, f := range fields {
		if !isField(f) {
			return nameError(method, "field", f, false, fieldNames)
		}
	}
	for _, f := range forms {
		if !formSet[f] {
			return nameError(method, "form", f, false, p.Forms())
		}
	}
	evSet := map[string]bool{}
	var eventNames []string
	for _, e := range p.events {
		evSet[e.UniqueEventName] = true
		eventNames = append(eventNames, e.UniqueEventName)
	}
	if len(events) > 0 {
		if !p.IsLongitudinal() {
			return errorf("%s: events given, but the project is not longitudinal", method)
		}
		for _, e := range events {
			if !evSet[e] {
				return nameError(method, "event", e, false, eventNames)
			}
		}
	}
	for _, ref := range logicNames(filterLogic) {
		if ref.event != "" && !evSet[ref.event] {
			if p.IsLongitudinal() {
				return nameError(method, "event", ref.event, true, eventNames)
			}
		}
		if !isField(ref.field) && !evSet[ref.field] {
			return nameError(method, "field", ref.field, true, fieldNames)
		}
	}
	return nil
}

// logicRef is a [field] or [event][field] of REDCap logic.
type logicRef struct{ event, field string }

// logicName matches one bracketed name of REDCap logic, with an optional
// checkbox code: [age], [race(2)].
var logicName = regexp.MustCompile(`\[([A-Za-z0-9_]+)(?:\([^)\]]*\))?\]`)

// logicNames lists the field (and event) names of REDCap logic, outside its
// quoted text. Smart variables ([event-name], [record-dag-name]) hold
// characters a field name cannot and are left out.
func logicNames(logic string) []logicRef {
	if logic == "" {
		return nil
	}
	var b strings.Builder
	var quote byte
	for i := 0; i < len(logic); i++ {
		ch := logic[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
			b.WriteByte(' ')
		case ch == '\'' || ch == '"':
			quote = ch
			b.WriteByte(' ')
		default:
			b.WriteByte(ch)
		}
	}
	text := b.String()
	var out []logicRef
	locs := logicName.FindAllStringSubmatchIndex(text, -1)
	for i := 0; i < len(locs); i++ {
		name := text[locs[i][2]:locs[i][3]]
		if i+1 < len(locs) && locs[i+1][0] == locs[i][1] { // [event][field]
			out = append(out, logicRef{event: name, field: text[locs[i+1][2]:locs[i+1][3]]})
			i++
			continue
		}
		out = append(out, logicRef{field: name})
	}
	return out
}
