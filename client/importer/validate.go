package importer

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
)

// Validate reads a records file and checks every row against the data
// dictionary and the project structure, sending nothing (but loading the
// dictionary and structure through the client if New was not given them).
// It returns every problem found, warnings included; Problems.Err is nil
// when the file may be imported.
//
// Checked: the file parses; every column is a field, a checkbox ___code
// column, a <form>_complete status or a redcap_* column; the record id is
// present and a valid record name; in longitudinal projects
// redcap_event_name names an event and every non-blank value sits on a
// form designated for that event; redcap_repeat_instrument names a form
// that repeats (on that event) and redcap_repeat_instance is a positive
// integer, with every value on that form; values fit their field (number,
// integer, date, datetime, time, choice code, yes/no, checkbox 0/1, form
// status 0/1/2, email, phone, zip code, decimals, slider range, missing-data
// codes) and lie within the validation min/max; no row repeats another's
// record, event and instance.
func (im *Importer) Validate(r io.Reader, format Format) Problems {
	data, err := io.ReadAll(r)
	if err != nil {
		return Problems{{Message: "reading the records file: " + err.Error()}}
	}
	if err := im.ready(context.Background()); err != nil {
		return Problems{{Message: "loading the data dictionary: " + err.Error()}}
	}
	_, probs := im.check(data, format)
	return probs
}

// record is the rows of one record id, in file order.
type record struct {
	id   string
	rows []*row
}

// checked is a file that passed reading: its table and records.
type checked struct {
	t       *table
	records []*record
	columns map[string]*column
}

// column says what one file column writes.
type column struct {
	name    string
	field   *client.Field // nil for plumbing and ignored columns
	code    string        // checkbox code of a ___code column
	status  bool          // <form>_complete
	form    string
	ignored bool // REDCap ignores it (timestamps, calc, file, survey identifier)
}

var plumbing = map[string]bool{
	"redcap_event_name": true, "redcap_repeat_instrument": true, "redcap_repeat_instance": true,
	"redcap_data_access_group": true, "redcap_survey_identifier": true,
}

// recordNameRE is what REDCap accepts as a record name.
var recordNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _\-.@]*$`)

// check parses and validates data.
func (im *Importer) check(data []byte, format Format) (*checked, Problems) {
	if im.latin1 {
		data = fromLatin1(data)
	}
	t, probs := readTable(data, format)
	if t == nil {
		// say where bad text sits even when it broke the file's syntax
		if tp := checkText(data, &table{}, ""); len(tp) > 0 {
			probs = append(tp, probs...)
		}
		return nil, probs
	}
	probs = append(probs, checkText(data, t, im.dict.RecordIDField())...)
	cols, cprobs, ok := im.columns(t)
	probs = append(probs, cprobs...)
	if !ok {
		sortProblems(probs)
		return nil, probs
	}
	c := &checked{t: t, columns: cols}
	idField := im.dict.RecordIDField()
	byID := map[string]*record{}
	seenKey := map[string]int{} // record|event|instrument|instance -> line
	for _, rw := range t.rows {
		rp := im.checkRow(rw, cols, idField, seenKey)
		probs = append(probs, rp...)
		id, _ := rw.get(idField)
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		rec := byID[id]
		if rec == nil {
			rec = &record{id: id}
			byID[id] = rec
			c.records = append(c.records, rec)
		}
		rec.rows = append(rec.rows, rw)
	}
	if len(t.rows) == 0 && len(probs.Errors()) == 0 {
		probs = append(probs, Problem{Message: "the file holds no records"})
	}
	// Name the record of problems found while reading a row.
	idOf := map[int]string{}
	for _, rw := range t.rows {
		id, _ := rw.get(idField)
		idOf[rw.num] = strings.TrimSpace(id)
	}
	for i := range probs {
		if p := &probs[i]; p.Row > 0 && p.Record == "" {
			p.Record = idOf[p.Row]
		}
	}
	sortProblems(probs)
	return c, probs
}

// sortProblems puts problems in file order (stable: a row's problems keep
// their column order); problems without a line come first.
func sortProblems(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}

// columns classifies every column of the file. ok is false when the record
// id column is missing (no row can then be checked).
func (im *Importer) columns(t *table) (map[string]*column, Problems, bool) {
	var probs Problems
	idField := im.dict.RecordIDField()
	cols := map[string]*column{}
	hasID := false
	for _, name := range t.header {
		if name == "" {
			continue // reported by the reader
		}
		line := 1
		if t.format == JSON {
			line = t.keyLine[name]
		}
		if name == idField {
			hasID = true
			cols[name] = &column{name: name, field: mustField(im.dict, name)}
			continue
		}
		if plumbing[name] {
			cols[name] = &column{name: name, ignored: name == "redcap_survey_identifier"}
			continue
		}
		if form, ok := strings.CutSuffix(name, "_timestamp"); ok && im.hasForm(form) {
			cols[name] = &column{name: name, form: form, ignored: true}
			probs = append(probs, Problem{Line: line, Field: name, Warning: true,
				Message: "survey timestamps cannot be imported; REDCap ignores this column"})
			continue
		}
		f, code, ok := im.dict.ExportColumn(name)
		switch {
		case !ok:
			msg := "no such field or column in the project"
			if s := client.Nearest(name, im.dict.Columns()); s != "" {
				msg += "; did you mean " + strconv.Quote(s) + "?"
			}
			probs = append(probs, Problem{Line: line, Field: name, Message: msg})
			continue
		case f.FieldType == "descriptive":
			probs = append(probs, Problem{Line: line, Field: name, Message: "descriptive fields hold no data"})
			continue
		case f.Kind == client.KindCodeSet && code == "":
			probs = append(probs, Problem{Line: line, Field: name,
				Message: fmt.Sprintf("checkbox field: give one column per code, e.g. %s", f.Columns()[0])})
			continue
		}
		col := &column{name: name, field: f, code: code, form: f.Form, status: f.FieldType == "form_status" || f.Synthetic}
		if f.FieldType == "calc" || f.FieldType == "file" {
			col.ignored = true
			what := "calculated fields are computed by REDCap"
			if f.FieldType == "file" {
				what = "files are uploaded one by one (rq cannot import them from a records file)"
			}
			probs = append(probs, Problem{Line: line, Field: name, Warning: true, Message: what + "; REDCap ignores this column"})
		}
		cols[name] = col
	}
	if !hasID {
		line := 1
		if t.format == JSON && len(t.rows) > 0 {
			line = t.rows[0].line
		}
		probs = append(probs, Problem{Line: line, Field: idField,
			Message: "the record id field is missing: every row needs a " + idField + " value"})
		return nil, probs, false
	}
	return cols, probs, true
}

func mustField(d *client.Dictionary, name string) *client.Field {
	f, _ := d.Field(name)
	return f
}

func (im *Importer) hasForm(form string) bool {
	for _, f := range im.dict.Forms() {
		if f == form {
			return true
		}
	}
	return false
}

// checkRow checks one row.
func (im *Importer) checkRow(rw *row, cols map[string]*column, idField string, seenKey map[string]int) Problems {
	var probs Problems
	id, _ := rw.get(idField)
	id = strings.TrimSpace(id)
	fail := func(field, value, msg string) {
		probs = append(probs, Problem{Line: rw.line, Row: rw.num, Record: id, Field: field, Value: value, Message: msg})
	}
	switch {
	case id == "":
		fail(idField, "", "the record id is blank")
		return probs
	case len(id) > 100 || !recordNameRE.MatchString(id):
		fail(idField, id, "not a valid record name: letters, digits, spaces, - _ . @ only, starting with a letter or digit, at most 100 characters")
		return probs
	}
	st := im.st
	ev, _ := rw.get("redcap_event_name")
	ev = strings.TrimSpace(ev)
	switch {
	case st.longitudinal && ev == "":
		fail("redcap_event_name", "", "the event is missing: a longitudinal project needs redcap_event_name on every row")
		return probs
	case st.longitudinal && !st.events[ev]:
		fail("redcap_event_name", ev, "no such event in the project")
		return probs
	case !st.longitudinal && ev != "":
		fail("redcap_event_name", ev, "the project is not longitudinal: redcap_event_name must be blank")
		return probs
	}
	ri, _ := rw.get("redcap_repeat_instrument")
	ri = strings.TrimSpace(ri)
	inst, _ := rw.get("redcap_repeat_instance")
	inst = strings.TrimSpace(inst)
	on := ""
	if ev != "" {
		on = " on event " + ev
	}
	instance := ""
	switch {
	case ri != "":
		if !st.isRepeatingForm(ev, ri) {
			fail("redcap_repeat_instrument", ri, "not a repeating instrument"+on)
			return probs
		}
		if !im.checkInstance(inst, fail) {
			return probs
		}
		instance = inst
	case st.repeatEvent[ev]:
		if inst == "" {
			inst = "1"
		}
		if !im.checkInstance(inst, fail) {
			return probs
		}
		instance = inst
	case inst != "" && inst != "1":
		fail("redcap_repeat_instance", inst, "the row belongs to no repeating instrument or event"+on+", so redcap_repeat_instance must be blank")
		return probs
	}
	key := id + "\x00" + ev + "\x00" + ri + "\x00" + strings.TrimLeft(instance, "0")
	if prev, dup := seenKey[key]; dup {
		fail(idField, id, fmt.Sprintf("this row repeats the record, event and instance of the row at line %d", prev))
	} else {
		seenKey[key] = rw.line
	}
	for i, name := range rw.keys {
		col := cols[name]
		raw := rw.vals[i]
		if col == nil || col.field == nil || col.ignored || name == idField {
			continue
		}
		v := raw
		if col.field.FieldType != "notes" {
			v = strings.TrimSpace(raw)
		}
		if v == "" {
			continue
		}
		if ev != "" && !st.designated[ev][col.form] {
			fail(name, raw, fmt.Sprintf("form %s is not designated for event %s", col.form, ev))
			continue
		}
		if ri != "" && col.form != ri {
			fail(name, raw, fmt.Sprintf("field of form %s on a row of repeating instrument %s", col.form, ri))
			continue
		}
		if ri == "" && st.isRepeatingForm(ev, col.form) {
			fail(name, raw, fmt.Sprintf("form %s repeats%s: give redcap_repeat_instrument and redcap_repeat_instance", col.form, on))
			continue
		}
		if msg, warn := im.checkValue(col, v); msg != "" {
			probs = append(probs, Problem{Line: rw.line, Row: rw.num, Record: id, Field: name, Value: raw, Message: msg, Warning: warn})
		}
	}
	return probs
}

func (im *Importer) checkInstance(inst string, fail func(field, value, msg string)) bool {
	if inst == "new" {
		fail("redcap_repeat_instance", inst, `"new" is not supported: a chunk sent again after a lost answer would add the instance twice; give instance numbers`)
		return false
	}
	n, err := strconv.Atoi(inst)
	if err != nil || n < 1 {
		fail("redcap_repeat_instance", inst, "redcap_repeat_instance must be a positive integer")
		return false
	}
	return true
}
