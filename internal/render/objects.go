package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/redcapql/rq/client"
)

// Objects turns a slice of API results (structs, maps) into rows: one
// column per JSON key, in first-seen order; Go field names without a JSON
// name become snake_case. Blank text is null, as in REDCap; numbers stay
// numbers, booleans are 1 and 0 as REDCap writes them. An empty slice has
// the columns of its element type's zero value, so a result with no rows
// still prints its header.
func Objects(items any) (*Slice, error) {
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice {
		return nil, fmt.Errorf("render.Objects: %T is not a slice", items)
	}
	var cols []string
	index := map[string]int{}
	var rows []map[string]client.Value
	for i := 0; i < v.Len(); i++ {
		b, err := json.Marshal(v.Index(i).Interface())
		if err != nil {
			return nil, err
		}
		keys, vals, err := orderedObject(b)
		if err != nil {
			return nil, err
		}
		row := map[string]client.Value{}
		for j, k := range keys {
			k = Snake(k)
			if _, ok := index[k]; !ok {
				index[k] = len(cols)
				cols = append(cols, k)
			}
			row[k] = vals[j]
		}
		rows = append(rows, row)
	}
	if v.Len() == 0 {
		b, err := json.Marshal(reflect.Zero(v.Type().Elem()).Interface())
		if err == nil {
			if keys, _, err := orderedObject(b); err == nil {
				for _, k := range keys {
					cols = append(cols, Snake(k))
				}
			}
		}
	}
	out := &Slice{Cols: cols}
	for _, r := range rows {
		line := make([]client.Value, len(cols))
		for i, c := range cols {
			line[i] = r[c]
		}
		out.Vals = append(out.Vals, line)
	}
	return out, nil
}

// orderedObject decodes one JSON object keeping its key order.
func orderedObject(b []byte) ([]string, []client.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("not a JSON object: %.40s", b)
	}
	var keys []string
	var vals []client.Value
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, err
		}
		keys = append(keys, t.(string))
		vals = append(vals, jsonCell(raw))
	}
	return keys, vals, nil
}

// jsonCell converts one JSON value to a cell.
func jsonCell(raw json.RawMessage) client.Value {
	var x any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return Text(string(raw))
	}
	switch t := x.(type) {
	case nil:
		return client.Value{}
	case string:
		if t == "" {
			return client.Value{}
		}
		return Text(t)
	case json.Number:
		f, err := strconv.ParseFloat(t.String(), 64)
		if err != nil {
			return Text(t.String())
		}
		return client.Value{Kind: client.KindNumber, Num: f, Str: t.String()}
	case bool:
		if t {
			return client.Value{Kind: client.KindNumber, Num: 1, Str: "1"}
		}
		return client.Value{Kind: client.KindNumber, Num: 0, Str: "0"}
	}
	return Text(string(raw))
}

// Snake turns a Go field name into snake_case ("FolderID" → "folder_id");
// names already in lower case are kept.
func Snake(s string) string {
	if s == strings.ToLower(s) {
		return s
	}
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Records turns exported records into rows; a blank cell is null, as in
// REDCap.
func Records(recs *client.Records) *Slice {
	out := &Slice{Cols: recs.Columns}
	for _, r := range recs.Rows {
		line := make([]client.Value, len(recs.Columns))
		for i := range line {
			if i < len(r) && r[i] != "" {
				line[i] = Text(r[i])
			}
		}
		out.Vals = append(out.Vals, line)
	}
	return out
}

// StringRows is a stream of text rows, as client.RecordStream gives them.
type StringRows interface {
	Columns() []string
	Next() bool
	Row() []string
	Err() error
}

// RecordRows renders a stream of exported rows as it is read: a blank cell
// is null, as in REDCap, and anything else is text. One row buffer is
// reused, so a result of any size takes the same memory.
func RecordRows(s StringRows) Rows { return &recordRows{s: s} }

type recordRows struct {
	s   StringRows
	row []client.Value
}

func (r *recordRows) Columns() []string { return r.s.Columns() }
func (r *recordRows) Next() bool        { return r.s.Next() }
func (r *recordRows) Err() error        { return r.s.Err() }

func (r *recordRows) Row() []client.Value {
	src := r.s.Row()
	n := len(r.s.Columns())
	if cap(r.row) < n {
		r.row = make([]client.Value, n)
	}
	r.row = r.row[:n]
	for i := range r.row {
		if i < len(src) && src[i] != "" {
			r.row[i] = Text(src[i])
		} else {
			r.row[i] = client.Value{}
		}
	}
	return r.row
}
