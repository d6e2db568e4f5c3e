package redcaptest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// importRow is one row of an import payload, in flat layout: column names in
// payload order and their raw values. line is the 1-based row number in the
// payload (data rows only), used in error messages.
type importRow struct {
	line int
	cols []string
	vals map[string]string
}

func (r *importRow) set(col, val string) {
	if r.vals == nil {
		r.vals = map[string]string{}
	}
	if _, ok := r.vals[col]; !ok {
		r.cols = append(r.cols, col)
	}
	r.vals[col] = val
}

func (r *importRow) get(col string) (string, bool) {
	v, ok := r.vals[col]
	return v, ok
}

// parseImportRows decodes the data parameter of an import (records, metadata,
// arms, events, users, ...) into rows of named values. format is csv, json or
// xml (anything else is treated as xml, as REDCap does).
func parseImportRows(data, format string) ([]*importRow, error) {
	switch format {
	case "csv":
		return parseImportCSV(data)
	case "json":
		return parseImportJSON(data)
	default:
		return parseImportXML(data)
	}
}

func parseImportCSV(data string) ([]*importRow, error) {
	return parseImportCSVDelim(data, ',')
}

// parseImportCSVDelim reads CSV data whose values are separated by delim
// (the record import's csvDelimiter).
func parseImportCSVDelim(data string, delim rune) ([]*importRow, error) {
	data = strings.TrimPrefix(data, "\ufeff")
	r := csv.NewReader(strings.NewReader(data))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the CSV data could not be parsed: %v", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	var rows []*importRow
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the CSV data could not be parsed: %v", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) > len(header) {
			return nil, fmt.Errorf("row %d of the CSV data has %d values but the header names %d columns", line, len(rec), len(header))
		}
		row := &importRow{line: line}
		for i, h := range header {
			v := ""
			if i < len(rec) {
				v = rec[i]
			}
			row.set(h, v)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// parseImportJSON reads an array of objects, keeping each object's key order.
// Numbers, booleans and null are turned into their REDCap text forms.
func parseImportJSON(data string) ([]*importRow, error) {
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	bad := func(err error) error {
		return fmt.Errorf("the JSON data could not be parsed: %v", err)
	}
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, bad(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		if d == '{' {
			// A single object: REDCap accepts it as one row.
			row, err := readJSONObject(dec, 1)
			if err != nil {
				return nil, bad(err)
			}
			return []*importRow{row}, nil
		}
		return nil, bad(fmt.Errorf("expected an array of objects"))
	}
	var rows []*importRow
	for line := 1; dec.More(); line++ {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad(err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			return nil, bad(fmt.Errorf("element %d is not an object", line))
		}
		row, err := readJSONObject(dec, line)
		if err != nil {
			return nil, bad(err)
		}
		rows = append(rows, row)
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	return rows, nil
}

func readJSONObject(dec *json.Decoder, line int) (*importRow, error) {
	row := &importRow{line: line}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := kt.(string)
		if !ok {
			return nil, fmt.Errorf("element %d: object key is not a string", line)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		var v string
		if k := strings.TrimSpace(key); (k == "forms" || k == "forms_export") && len(bytes.TrimSpace(raw)) > 0 && (bytes.TrimSpace(raw)[0] == '{' || bytes.TrimSpace(raw)[0] == '[') {
			v, err = jsonLevels(raw)
		} else {
			v, err = jsonScalar(raw)
		}
		if err != nil {
			return nil, fmt.Errorf("element %d, key %q: %v", line, key, err)
		}
		row.set(strings.TrimSpace(key), v)
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, err
	}
	return row, nil
}

func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case 't':
		return "1", nil
	case 'f':
		return "0", nil
	case '[', '{':
		return "", fmt.Errorf("nested arrays and objects are not allowed")
	default:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// jsonLevels reads a user's or role's form rights sent as a JSON object
// ({"form":1,...}, REDCap's export shape) or an array of one-key objects
// ([{"form":1},...], PyCap's documented import shape) into the
// "form:level,..." text the CSV and XML imports carry.
func jsonLevels(raw json.RawMessage) (string, error) {
	var parts []string
	add := func(obj json.RawMessage) error {
		dec := json.NewDecoder(bytes.NewReader(obj))
		dec.UseNumber()
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			var val json.RawMessage
			if err := dec.Decode(&val); err != nil {
				return err
			}
			lv, err := jsonScalar(val)
			if err != nil {
				return err
			}
			parts = append(parts, fmt.Sprint(kt)+":"+lv)
		}
		return nil
	}
	raw = bytes.TrimSpace(raw)
	if raw[0] == '{' {
		if err := add(raw); err != nil {
			return "", err
		}
		return strings.Join(parts, ","), nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return "", err
	}
	for _, it := range items {
		if it = bytes.TrimSpace(it); len(it) == 0 || it[0] != '{' {
			return "", fmt.Errorf("form rights must be objects of form name and level")
		}
		if err := add(it); err != nil {
			return "", err
		}
	}
	return strings.Join(parts, ","), nil
}

// parseImportXML reads <records><item><name>value</name>...</item></records>
// (any root and item element names); each child of an item is one column.
// A root whose children hold only text is itself the one item: REDCap's
// documented shape for project creation and project settings,
// <item><project_title>..</project_title>...</item>.
func parseImportXML(data string) ([]*importRow, error) {
	dec := xml.NewDecoder(strings.NewReader(data))
	bad := func(err error) error {
		return fmt.Errorf("the XML data could not be parsed: %v", err)
	}
	depth := 0
	var rows []*importRow
	var cur *importRow
	var col string
	var text strings.Builder
	// The root's children as columns, in case they turn out to be leaves.
	root := &importRow{line: 1}
	deep := false // some child of the root has children of its own
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 2:
				cur = &importRow{line: len(rows) + 1}
				col = t.Name.Local
				text.Reset()
			case 3:
				deep = true
				col = t.Name.Local
				text.Reset()
			case 4:
				return nil, bad(fmt.Errorf("item %d: element <%s> is nested too deeply", len(rows)+1, t.Name.Local))
			}
		case xml.CharData:
			if depth == 3 || depth == 2 {
				text.Write(t)
			}
		case xml.EndElement:
			switch depth {
			case 3:
				cur.set(col, text.String())
			case 2:
				if cur.vals == nil {
					root.set(t.Name.Local, text.String())
				}
				rows = append(rows, cur)
				cur = nil
			}
			depth--
		}
	}
	if depth != 0 {
		return nil, bad(fmt.Errorf("unexpected end of data"))
	}
	if !deep && len(rows) > 0 {
		return []*importRow{root}, nil
	}
	return rows, nil
}

// eavToFlat groups EAV rows (record, field_name, value and the optional
// redcap_event_name, redcap_repeat_instrument, redcap_repeat_instance) into
// flat rows, one per record × event × repeat instrument × instance, in the
// order each key first appears. idField names the record-id column of the
// flat rows.
func eavToFlat(rows []*importRow, idField string) ([]*importRow, error) {
	type key struct{ rec, ev, ri, inst string }
	index := map[key]*importRow{}
	var out []*importRow
	for _, r := range rows {
		rec, ok := r.get("record")
		if !ok {
			return nil, fmt.Errorf("the EAV data has no \"record\" column")
		}
		fieldName, ok := r.get("field_name")
		if !ok {
			return nil, fmt.Errorf("the EAV data has no \"field_name\" column")
		}
		value, ok := r.get("value")
		if !ok {
			return nil, fmt.Errorf("the EAV data has no \"value\" column")
		}
		k := key{rec: rec}
		k.ev, _ = r.get("redcap_event_name")
		k.ri, _ = r.get("redcap_repeat_instrument")
		k.inst, _ = r.get("redcap_repeat_instance")
		flat := index[k]
		if flat == nil {
			flat = &importRow{line: r.line}
			flat.set(idField, rec)
			for _, c := range []string{"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"} {
				if v, ok := r.get(c); ok {
					flat.set(c, v)
				}
			}
			index[k] = flat
			out = append(out, flat)
		}
		if fieldName == idField {
			continue
		}
		flat.set(strings.TrimSpace(fieldName), value)
	}
	return out, nil
}

// csvQuoteLine renders values as one CSV line with every value quoted, the
// layout of REDCap's import error messages.
func csvQuoteLine(vals ...string) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(v, `"`, `""`))
		b.WriteByte('"')
	}
	return b.String()
}
