package redcaptest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// colSpec is one readr column specification as REDCapR's
// redcap_metadata_coltypes derives it.
type colSpec struct {
	Name      string  `json:"name"`
	Collector string  `json:"collector"`
	Format    *string `json:"format,omitempty"`
}

// compareColtypes asks the server the four questions REDCapR's
// redcap_metadata_coltypes asks (field names, metadata, instruments, project
// info), derives the readr column types with REDCapR's documented rules
// (metadata order per instrument, form status last in its form, plumbing
// after the record id; field type and validation decide the collector, the
// record id is integer under autonumbering) and compares them with the
// expected specification.
func compareColtypes(u, token string, expected json.RawMessage) string {
	var want []colSpec
	if err := json.Unmarshal(expected, &want); err != nil {
		return "expected spec: " + err.Error()
	}
	st, body := postForm(u, token, map[string]string{"content": "exportFieldNames", "format": "csv"})
	if st != 200 {
		return fmt.Sprintf("exportFieldNames: HTTP %d", st)
	}
	_, varRows, _ := parseCSVFrame(body, []string{""})
	st, body = postForm(u, token, map[string]string{"content": "metadata", "format": "json"})
	if st != 200 {
		return fmt.Sprintf("metadata: HTTP %d", st)
	}
	var meta []map[string]string
	if err := json.Unmarshal([]byte(body), &meta); err != nil {
		return "metadata: " + err.Error()
	}
	st, body = postForm(u, token, map[string]string{"content": "instrument", "format": "csv"})
	if st != 200 {
		return fmt.Sprintf("instrument: HTTP %d", st)
	}
	_, instRows, _ := parseCSVFrame(body, []string{""})
	st, body = postForm(u, token, map[string]string{"content": "project", "format": "csv"})
	if st != 200 {
		return fmt.Sprintf("project: HTTP %d", st)
	}
	infoCols, infoRows, _ := parseCSVFrame(body, []string{""})
	info := map[string]string{}
	for i, c := range infoCols {
		if infoRows[0][i] != nil {
			info[c] = *infoRows[0][i]
		}
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	exportNames := map[string][]string{}
	recordField := ""
	for i, r := range varRows {
		base := str(r[0])
		if i == 0 {
			recordField = base
		}
		exportNames[base] = append(exportNames[base], str(r[2]))
	}
	type item struct{ name, typ, vt string }
	byForm := map[string][]item{}
	for _, m := range meta {
		if m["field_type"] == "descriptive" {
			continue
		}
		names := exportNames[m["field_name"]]
		if len(names) == 0 {
			names = []string{m["field_name"]}
		}
		for _, n := range names {
			byForm[m["form_name"]] = append(byForm[m["form_name"]],
				item{n, m["field_type"], m["text_validation_type_or_show_slider_number"]})
		}
	}
	var items []item
	for _, r := range instRows {
		form := str(r[0])
		items = append(items, byForm[form]...)
		items = append(items, item{form + "_complete", "complete", ""})
	}
	var again []item
	if info["is_longitudinal"] == "1" {
		again = append(again, item{"redcap_event_name", "event_name", ""})
	}
	if info["has_repeating_instruments_or_events"] == "1" {
		again = append(again, item{"redcap_repeat_instrument", "repeat_instrument", ""},
			item{"redcap_repeat_instance", "repeat_instance", ""})
	}
	if len(items) > 0 {
		items = append(append([]item{items[0]}, again...), items[1:]...)
	}
	autonumber := info["record_autonumbering_enabled"] == "1"
	var got []colSpec
	for _, it := range items {
		coll, format := coltype(it.typ, it.vt, autonumber && it.name == recordField)
		s := colSpec{Name: it.name, Collector: coll}
		if coll == "date" || coll == "datetime" || coll == "time" {
			f := format
			s.Format = &f
		}
		got = append(got, s)
	}
	if len(got) != len(want) {
		return fmt.Sprintf("want %d column specs, got %d", len(want), len(got))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Name != g.Name || w.Collector != g.Collector || (w.Format == nil) != (g.Format == nil) ||
			(w.Format != nil && *w.Format != *g.Format) {
			return fmt.Sprintf("spec %d: want %s=%s, got %s=%s", i+1, w.Name, w.Collector, g.Name, g.Collector)
		}
	}
	return ""
}

// coltype is REDCapR's mapping from field type and validation to a readr
// collector (default locale: "." decimal mark).
func coltype(typ, vt string, autonumber bool) (string, string) {
	switch {
	case autonumber:
		return "integer", ""
	case typ == "event_name", typ == "repeat_instrument":
		return "character", ""
	case typ == "repeat_instance", typ == "complete", typ == "slider":
		return "integer", ""
	case typ == "truefalse", typ == "yesno", typ == "checkbox":
		return "logical", ""
	case typ != "text":
		return "character", ""
	}
	switch {
	case vt == "":
		return "character", ""
	case strings.HasPrefix(vt, "date_"):
		return "date", ""
	case strings.HasPrefix(vt, "datetime_seconds_"):
		return "datetime", "%Y-%m-%d %H:%M:%S"
	case strings.HasPrefix(vt, "datetime_"):
		return "datetime", "%Y-%m-%d %H:%M"
	case vt == "integer":
		return "integer", ""
	case vt == "number", vt == "number_1dp", vt == "number_2dp", vt == "number_3dp", vt == "number_4dp":
		return "double", ""
	case vt == "time":
		return "time", "%H:%M"
	case vt == "time_hh_mm_ss":
		return "time", "%H:%M:%S"
	case vt == "time_mm_ss":
		return "time", "%M:%S"
	}
	return "character", ""
}
