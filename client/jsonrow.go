package client

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
)

// jsonRow is one object of a REDCap JSON export. REDCap is loose about
// types (a number may come as "1" or 1, a flag as 0, "0" or false), so typed
// results are read through these accessors instead of struct tags.
type jsonRow map[string]json.RawMessage

// str returns the value of k as text: strings unquoted, numbers and
// booleans as written, null and absent as "".
func (r jsonRow) str(k string) string {
	raw, ok := r[k]
	if !ok {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	if string(raw) == "null" {
		return ""
	}
	return string(raw)
}

// int returns the value of k as an integer (0 when blank or not a number).
func (r jsonRow) int(k string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.str(k)))
	return n
}

// bool is true for 1, "1" or true (REDCap's own rule, case-insensitive).
func (r jsonRow) bool(k string) bool {
	s := strings.TrimSpace(r.str(k))
	return s == "1" || strings.EqualFold(s, "true")
}

// any returns the whole row as plain Go values (numbers as json.Number).
func (r jsonRow) any() map[string]any {
	m := make(map[string]any, len(r))
	for k, raw := range r {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		if d.Decode(&v) == nil {
			m[k] = v
		}
	}
	return m
}

// decodeRows decodes a JSON array of objects (or one object, which some
// methods send) into rows.
func decodeRows(b []byte, f *form) ([]jsonRow, error) {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		var one jsonRow
		if err := decodeJSON(t, f, &one); err != nil {
			return nil, err
		}
		return []jsonRow{one}, nil
	}
	var rows []jsonRow
	if err := decodeJSON(b, f, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// getRows sends f with format=json and decodes the rows.
func (c *Client) getRows(ctx context.Context, f *form) ([]jsonRow, error) {
	f.set("format", "json")
	var rows []jsonRow
	_, _, err := c.readChecked(ctx, f, read, func(b []byte) (err error) {
		rows, err = decodeRows(b, f)
		return err
	})
	return rows, err
}

// importJSON sends rows as data in JSON and returns REDCap's count.
func (c *Client) importJSON(ctx context.Context, f *form, rows any) (int, error) {
	data, err := json.Marshal(rows)
	if err != nil {
		return 0, errorf("encoding %s import: %v", f.get("content"), err)
	}
	f.set("format", "json")
	f.set("data", string(data))
	return c.postCount(ctx, f)
}
