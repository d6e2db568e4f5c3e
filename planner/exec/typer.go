package exec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/planner"
	"github.com/redcapql/rq/planner/catalog"
)

// typer types raw export rows into slot rows, once per row, reading only
// the columns the query needs.
type typer struct {
	cat   *catalog.Catalog
	slots []slotReader

	recCol, eventCol, instrCol, instCol int
	forms                               []formProbe
}

type slotReader struct {
	slot  planner.Slot
	idx   int   // raw column, -1 when absent
	cbIdx []int // checkbox: raw column of each of the field's columns (-1 absent)
	kind  client.Kind
}

// formProbe finds whether a row holds data in a scoped form.
type formProbe struct {
	form   string
	fields []int // raw columns of the form's fields (status and checkboxes excluded)
	boxes  []int // raw checkbox ___code columns of the form
	status int   // raw column of <form>_complete, -1 when absent
	repeat bool  // a repeating instrument: only its instance rows hold it
}

func newTyper(p *planner.Plan, columns []string) (*typer, error) {
	idx := make(map[string]int, len(columns))
	for i, c := range columns {
		if _, dup := idx[c]; !dup {
			idx[c] = i
		}
	}
	col := func(name string) int {
		if i, ok := idx[name]; ok {
			return i
		}
		return -1
	}
	prog, cat := p.Program(), p.Planner().Catalog()
	t := &typer{cat: cat, recCol: -1, eventCol: col("redcap_event_name"),
		instrCol: col("redcap_repeat_instrument"), instCol: col("redcap_repeat_instance")}
	if p.Source != "records" {
		for _, c := range prog.Slots {
			t.slots = append(t.slots, slotReader{slot: c, idx: col(c.Name), kind: c.Type})
		}
		return t, nil
	}
	if len(columns) > 0 {
		t.recCol = col(cat.RecordID())
		if t.recCol < 0 {
			return nil, fmt.Errorf("planner: the export has no record id column %q (columns: %s)", cat.RecordID(), strings.Join(columns, ", "))
		}
	}
	for _, c := range prog.Slots {
		sr := slotReader{slot: c, idx: -1, kind: c.Type}
		switch c.Kind {
		case planner.SlotField:
			if c.Field.Kind == client.KindCodeSet {
				for _, cc := range c.Field.Columns() {
					sr.cbIdx = append(sr.cbIdx, col(cc))
				}
			} else {
				sr.idx = col(c.Field.Name)
			}
		case planner.SlotCheckbox:
			sr.idx = col(c.Name)
		case planner.SlotRecord:
			sr.idx = t.recCol
		case planner.SlotEvent, planner.SlotArm:
			sr.idx = t.eventCol
		case planner.SlotInstrument:
			sr.idx = t.instrCol
		case planner.SlotInstance:
			sr.idx = t.instCol
		case planner.SlotDAG:
			sr.idx = col("redcap_data_access_group")
		}
		if len(columns) > 0 && (c.Kind == planner.SlotField || c.Kind == planner.SlotCheckbox) && sr.idx < 0 && !slices.ContainsFunc(sr.cbIdx, func(i int) bool { return i >= 0 }) {
			// Reading it as null would lose data silently. REDCap leaves a
			// field out of an export when the token's user may not export
			// its form (No Access) or it is an identifier the user's
			// rights remove: say so, since the dictionary still lists it.
			form := ""
			if c.Field != nil && c.Field.Form != "" {
				form = fmt.Sprintf(" (form %q)", c.Field.Form)
			}
			return nil, fmt.Errorf("planner: REDCap's export has no column for field %q%s, which the query reads: "+
				"the token's user may lack export rights to that form, or its rights remove identifiers; "+
				"leave the field out, or ask the project's admin for the rights", c.Name, form)
		}
		t.slots = append(t.slots, sr)
	}
	for _, form := range prog.Scoped {
		fp := formProbe{form: form, status: col(form + "_complete"), repeat: cat.RepeatingForm(form)}
		for _, f := range cat.Dictionary().FormFields(form) {
			if f.Synthetic || f.Name == cat.RecordID() {
				continue // the record id is on every row
			}
			for _, c := range f.Columns() {
				if i := col(c); i >= 0 {
					if f.Kind == client.KindCodeSet {
						fp.boxes = append(fp.boxes, i)
					} else {
						fp.fields = append(fp.fields, i)
					}
				}
			}
		}
		t.forms = append(t.forms, fp)
	}
	return t, nil
}

func cell(raw []string, i int) string {
	if i < 0 || i >= len(raw) {
		return ""
	}
	return raw[i]
}

// rawRow is the raw row being typed: a whole Row, or a CellRows asked for
// one cell at a time.
type rawRow struct {
	row   []string
	cells CellRows
}

func (r rawRow) at(i int) string {
	if r.cells != nil {
		if i < 0 {
			return ""
		}
		return r.cells.Cell(i)
	}
	return cell(r.row, i)
}

// typeRow types raw into r, counting values that do not fit.
func (t *typer) typeRow(raw rawRow, r *planner.Row, st *PipelineStats) {
	r.Rec = raw.at(t.recCol)
	r.Event = raw.at(t.eventCol)
	instr := raw.at(t.instrCol)
	inst := raw.at(t.instCol)
	r.Plain = instr == "" && (inst == "" || inst == "1")
	var cbBuf [16]string
	for i := range t.slots {
		s := &t.slots[i]
		var v client.Value
		var err error
		switch s.slot.Kind {
		case planner.SlotField:
			if s.cbIdx != nil {
				vals := cbBuf[:0]
				blank := true
				for _, ci := range s.cbIdx {
					c := raw.at(ci)
					if c != "" {
						blank = false
					}
					vals = append(vals, c)
				}
				if !blank {
					v, err = s.slot.Field.CodeSetFromColumns(vals)
				}
			} else {
				v, err = s.slot.Field.Parse(raw.at(s.idx))
			}
		case planner.SlotCheckbox:
			switch c := raw.at(s.idx); c {
			case "":
			case "1", "0":
				v = client.Value{Kind: client.KindNumber, Num: float64(c[0] - '0'), Str: c}
			default:
				err = &client.ValueError{Field: s.slot.Field.Name, Column: s.slot.Name, Value: c, Reason: "not 0 or 1"}
			}
		case planner.SlotArm:
			if e, ok := t.cat.Event(raw.at(s.idx)); ok {
				v = client.Value{Kind: client.KindNumber, Num: float64(e.Arm)}
			}
		case planner.SlotInstance:
			if c := raw.at(s.idx); c != "" {
				n, perr := strconv.ParseFloat(c, 64)
				if perr != nil {
					err = &client.ValueError{Field: s.slot.Name, Value: c, Reason: "not a number"}
				} else {
					v = client.Value{Kind: client.KindNumber, Num: n, Str: c}
				}
			}
		default: // record, event, instrument, dag, and source table columns
			c := raw.at(s.idx)
			if c == "" {
				break
			}
			if s.kind == client.KindNumber {
				n, perr := strconv.ParseFloat(strings.TrimSpace(c), 64)
				if perr != nil {
					err = &client.ValueError{Field: s.slot.Name, Value: c, Reason: "not a number"}
					break
				}
				v = client.Value{Kind: client.KindNumber, Num: n, Str: c}
			} else {
				v = client.Value{Kind: client.KindText, Str: c}
			}
		}
		if err != nil {
			st.Invalid++
			if len(st.Examples) < maxExamples {
				if ve, ok := err.(*client.ValueError); ok && ve.Record == "" {
					ve.Record = r.Rec
				}
				st.Examples = append(st.Examples, err.Error())
			}
			v = client.Value{}
			if ve, ok := err.(*client.ValueError); ok {
				v.Str = ve.Value // still null; the raw text is kept for summarize's examples
			}
		}
		r.Vals[i] = v
	}
	r.Forms = 0
	for i, fp := range t.forms {
		if t.holds(raw, instr, fp) {
			r.Forms |= 1 << uint(i)
		}
	}
}

// holds reports whether a row holds data in a form: a repeating instrument's
// own instance rows; otherwise a non-repeating row whose form status is not
// gray (the export asks for blank gray statuses) or where one of the form's
// fields has a value (a ticked box for checkboxes).
func (t *typer) holds(raw rawRow, instr string, fp formProbe) bool {
	if instr != "" || fp.repeat {
		return instr == fp.form
	}
	for _, i := range fp.fields {
		if raw.at(i) != "" {
			return true
		}
	}
	for _, i := range fp.boxes {
		if raw.at(i) == "1" {
			return true
		}
	}
	return raw.at(fp.status) != ""
}
