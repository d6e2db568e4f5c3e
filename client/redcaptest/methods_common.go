package redcaptest

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Helpers shared by the write-side handlers (import*.go, methods_*.go).

// mXMLEscape escapes text for an XML element or attribute.
func mXMLEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case '\n':
			b.WriteString("&#10;")
		case '\r':
			b.WriteString("&#13;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mWrite writes a 200 answer with the content type of format (csv, json,
// xml; anything else is plain text).
func mWrite(c *call, format string, body []byte) error {
	ct := "text/plain; charset=utf-8"
	switch format {
	case "csv":
		ct = "text/csv; charset=utf-8"
	case "json":
		ct = "application/json; charset=utf-8"
	case "xml":
		ct = "text/xml; charset=utf-8"
	}
	c.w.Header().Set("Content-Type", ct)
	c.w.WriteHeader(http.StatusOK)
	_, err := c.w.Write(body)
	_ = err // the client went away; nothing to report to it
	return nil
}

// mEmpty writes the empty 200 answer of file import/delete and returnContent=nothing.
func mEmpty(c *call) error {
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// mText writes a plain-text 200 answer (version, next record name, links).
func mText(c *call, s string) error { return mWrite(c, "text", []byte(s)) }

// mTable writes rows under cols in the call's format through the shared
// table writer; tabGuard puts a TAB before CSV values starting with = - + @,
// as REDCap's generic CSV helper does for arm, DAG, user and logging exports.
func mTable(c *call, cols []string, rows [][]string, tabGuard bool) error {
	return mTypedTable(c, cols, rows, tabGuard, nil, nil)
}

// mTypedTable is mTable with JSON types: the columns in numeric are
// written as JSON numbers (when not blank) and those in objects as JSON
// objects of form levels, as REDCap's json_encode of its PHP arrays does.
func mTypedTable(c *call, cols []string, rows [][]string, tabGuard bool, numeric, objects map[string]bool) error {
	t := c.newTable(cols)
	t.guard = tabGuard
	if numeric != nil || objects != nil {
		t.numeric = make([]bool, len(cols))
		t.objects = make([]bool, len(cols))
		for i, col := range cols {
			t.numeric[i] = numeric[col]
			t.objects[i] = objects[col]
		}
	}
	for _, r := range rows {
		if len(r) < len(cols) {
			r = append(r, make([]string, len(cols)-len(r))...)
		}
		if err := t.Row(r); err != nil {
			return nil // the client went away
		}
	}
	t.Close()
	return nil
}

// mJSON encodes a string as JSON the way PHP's json_encode does ("/"
// escaped), through the shared writer.
func mJSON(s string) []byte { return []byte(jsonString(s)) }

// mCount writes an import's {"count":N} (as PHP's json_encode writes it) / bare number / <count> answer in
// the return format.
func mCount(c *call, n int) error {
	switch c.ReturnFormat {
	case "json":
		return mWrite(c, "json", []byte(`{"count":`+strconv.Itoa(n)+`}`))
	case "csv":
		return mWrite(c, "csv", []byte(strconv.Itoa(n)))
	default:
		return mWrite(c, "xml", []byte(`<?xml version="1.0" encoding="UTF-8" ?><count>`+strconv.Itoa(n)+`</count>`))
	}
}

// mRight reports whether the calling user holds a right: users without a
// recorded value for it (and the project owner) have it.
func mRight(c *call, right string) bool {
	if c.User == nil || c.User.Rights == nil {
		return true
	}
	v, ok := c.User.Rights[right]
	return !ok || (v != "0" && v != "")
}

// repeatInstance reads the repeat_instance parameter: a positive integer,
// def when it is absent.
func repeatInstance(c *call, def int) (int, error) {
	s := strings.TrimSpace(c.Param("repeat_instance"))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errorf(http.StatusBadRequest, "The repeat_instance '%s' is not a positive integer", s)
	}
	return n, nil
}

// formEvent reads the event parameter for data of the instrument form:
// required, existing and designated for form in a longitudinal project,
// ignored ("") in a classic one. subject starts the not-designated error
// ("The instrument 'x' is").
func formEvent(c *call, form, subject string) (string, error) {
	p := c.Project
	if !p.Longitudinal() {
		return "", nil
	}
	ev := strings.TrimSpace(c.Param("event"))
	if ev == "" {
		return "", errorf(http.StatusBadRequest, "The parameter 'event' is missing: it is required in a longitudinal project")
	}
	if p.Event(ev) == nil {
		return "", errorf(http.StatusBadRequest, "The event '%s' does not exist in this project", ev)
	}
	if !p.Designated(form, ev) {
		return "", errorf(http.StatusBadRequest, "%s not designated for the event '%s'", subject, ev)
	}
	return ev, nil
}

// arrayParam reads the array parameter name (name[0], name[1], ...) of a
// delete method: it must be present and hold at least one item.
func arrayParam(c *call, name string) ([]string, error) {
	list, isArr := c.Array(name)
	if !isArr || len(list) == 0 {
		return nil, errorf(http.StatusBadRequest, "The parameter '%s' is missing or is not an array", name)
	}
	return list, nil
}

// distinctExisting trims the names of a delete method's array parameter,
// refuses a name that exists rejects (what says what it names) and drops
// repeats.
func distinctExisting(list []string, what string, exists func(string) bool) ([]string, error) {
	var out []string
	for _, name := range list {
		name = strings.TrimSpace(name)
		if !exists(name) {
			return nil, errorf(http.StatusBadRequest, "The %s '%s' does not exist in this project", what, name)
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// logDesign appends a project-design entry (Manage/Design) to the log. The
// caller holds p.Mu.
func logDesign(c *call, what string) {
	c.Project.AppendLog(LogEntry{User: c.Username(), Action: "Manage/Design", Kind: LogManage, Details: what})
}

// logUser appends a user-management entry to the log. The caller holds p.Mu.
func logUser(c *call, action, details string) {
	c.Project.AppendLog(LogEntry{User: c.Username(), Action: action, Kind: LogUser, Details: details})
}

// mNeedImport refuses writes without the API import right or while the
// project is in Analysis/Cleanup status.
func mNeedImport(c *call) error {
	if !mRight(c, "api_import") {
		return errorf(http.StatusForbidden, "You do not have API Import/Update privileges")
	}
	if strings.EqualFold(c.Project.Info.Status, "analysis") {
		return errorf(http.StatusForbidden, "The project is in Analysis/Cleanup status, so data cannot be imported or modified")
	}
	return nil
}

// mNeedDesignRight refuses design writes without the Project Design right.
func mNeedDesignRight(c *call) error {
	if !mRight(c, "design") {
		return errorf(http.StatusForbidden, "You do not have Project Design and Setup privileges")
	}
	return nil
}

// mNeedDesign refuses design changes without the Project Design right or
// outside Development status.
func mNeedDesign(c *call, what string) error {
	if err := mNeedDesignRight(c); err != nil {
		return err
	}
	if st := strings.ToLower(c.Project.Info.Status); c.Project.Info.InProduction || (st != "" && st != "development") {
		return errorf(http.StatusBadRequest, "You cannot %s because the project is no longer in Development status", what)
	}
	return nil
}
