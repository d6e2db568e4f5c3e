package client

import (
	"fmt"
	"strings"
)

// RowParser types the rows of a raw flat record export (rawOrLabel=raw)
// whose header is known: each field present becomes one Value, a checkbox's
// ___code columns together one code set. A RowParser is not safe for
// concurrent use.
type RowParser struct {
	d         *Dictionary
	columns   []string
	slots     []rowSlot
	fields    []*Field
	recordCol int
	buf       []string
}

type rowSlot struct {
	f    *Field
	col  int   // column of a non-checkbox field
	cols []int // checkbox: column of each f.Columns() entry, -1 when absent
}

// NewRowParser prepares to parse rows with the given export header. Columns
// must be fields of d, checkbox ___code columns or REDCap's plumbing columns
// (IsPlumbingColumn); any other column, or one given twice, is an error.
func (d *Dictionary) NewRowParser(columns []string) (*RowParser, error) {
	p := &RowParser{d: d, columns: columns, recordCol: -1}
	slotOf := map[*Field]int{}
	seen := make(map[string]int, len(columns))
	for i, col := range columns {
		if j, dup := seen[col]; dup {
			return nil, fmt.Errorf("export header: column %d %q repeats column %d", i+1, col, j+1)
		}
		seen[col] = i
		if d.IsPlumbingColumn(col) {
			continue
		}
		f, code, ok := d.ExportColumn(col)
		if !ok || f.parse == parseNone || (f.parse == parseCheckbox && code == "") {
			return nil, fmt.Errorf("export header: column %d %q is not a column of the data dictionary", i+1, col)
		}
		if col == d.RecordIDField() {
			p.recordCol = i
		}
		s, ok := slotOf[f]
		if !ok {
			s = len(p.slots)
			slotOf[f] = s
			p.slots = append(p.slots, rowSlot{f: f, col: i})
			p.fields = append(p.fields, f)
			if f.parse == parseCheckbox {
				cols := make([]int, len(f.columns))
				for k := range cols {
					cols[k] = -1
				}
				p.slots[s].cols = cols
			}
		}
		if f.parse == parseCheckbox {
			for k, c := range f.colCode {
				if c == code {
					p.slots[s].cols[k] = i
				}
			}
		}
	}
	return p, nil
}

// Fields returns the fields a parsed row holds, in header order.
func (p *RowParser) Fields() []*Field { return p.fields }

// Parse types one row (as many values as the header has columns) into dst,
// one Value per Fields() entry, reusing dst's storage. Values that do not
// fit are null and reported together as ValueErrors, each naming the
// record, field and value.
func (p *RowParser) Parse(row []string, dst []Value) ([]Value, error) {
	if len(row) != len(p.columns) {
		return dst[:0], fmt.Errorf("row has %d values, header has %d columns", len(row), len(p.columns))
	}
	if cap(dst) < len(p.slots) {
		dst = make([]Value, len(p.slots))
	}
	dst = dst[:len(p.slots)]
	clear(dst)
	var errs ValueErrors
	record := ""
	if p.recordCol >= 0 {
		record = row[p.recordCol]
	}
	for i := range p.slots {
		s := &p.slots[i]
		var err error
		if s.cols == nil {
			dst[i], err = s.f.Parse(row[s.col])
		} else {
			dst[i], err = s.f.CodeSetFromColumns(p.checkboxValues(s, row))
		}
		if err != nil {
			ve := err.(*ValueError)
			ve.Record = record
			errs = append(errs, ve)
		}
	}
	if errs != nil {
		return dst, errs
	}
	return dst, nil
}

// checkboxValues gathers a checkbox's column values in Columns() order; a
// column absent from the header reads as unticked, or blank when every
// present column is blank.
func (p *RowParser) checkboxValues(s *rowSlot, row []string) []string {
	p.buf = p.buf[:0]
	blank := true
	for _, c := range s.cols {
		v := "0"
		if c >= 0 {
			v = row[c]
			if v != "" {
				blank = false
			}
		}
		p.buf = append(p.buf, v)
	}
	if blank {
		for k := range p.buf {
			p.buf[k] = ""
		}
	}
	return p.buf
}

// ValueErrors lists the values of a row that do not fit their fields.
type ValueErrors []*ValueError

// Error joins the messages, one per line.
func (es ValueErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}
