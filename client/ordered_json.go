package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// getOrdered sends f with format=json and decodes the answer (an array of
// objects, or one object) into out, a pointer to a slice whose elements
// keep their key order (User, UserRole).
func (c *Client) getOrdered(ctx context.Context, f *form, out any) error {
	f.set("format", "json")
	_, _, err := c.readChecked(ctx, f, read, func(b []byte) error {
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
			b = append(append([]byte{'['}, t...), ']')
		}
		return decodeJSON(b, f, out)
	})
	return err
}

// orderedJSONObject decodes one JSON object, keeping its key order; values
// are plain Go values with numbers as json.Number.
func orderedJSONObject(b []byte) ([]string, map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("want a JSON object, got %.40q", b)
	}
	var keys []string
	vals := map[string]any{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, nil, err
		}
		k := t.(string)
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("key %q: %w", k, err)
		}
		if _, dup := vals[k]; !dup {
			keys = append(keys, k)
		}
		vals[k] = v
	}
	if _, err := d.Token(); err != nil {
		return nil, nil, err
	}
	return keys, vals, nil
}

// textOf is a decoded JSON value as text ("" for null and absent).
func textOf(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "1"
		}
		return "0"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// marshalOrdered writes a JSON object of rights with the typed values on
// top (a typed value replaces the right of the same name unless it is empty;
// always lists the keys written even when empty). Keys come in the order of
// columns, then each of orders, then the remaining rights by name.
func marshalOrdered(typed map[string]string, always []string, rights map[string]any, columns []string, orders ...[]string) ([]byte, error) {
	value := func(k string) (any, bool) {
		if s, ok := typed[k]; ok && (s != "" || slices.Contains(always, k)) {
			return s, true
		}
		v, ok := rights[k]
		return v, ok
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	seen := map[string]bool{}
	write := func(k string) error {
		if seen[k] {
			return nil
		}
		v, ok := value(k)
		if !ok {
			return nil
		}
		seen[k] = true
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("client: %s: %w", k, err)
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
		return nil
	}
	for _, list := range append([][]string{columns}, orders...) {
		for _, k := range list {
			if err := write(k); err != nil {
				return nil, err
			}
		}
	}
	rest := make([]string, 0, len(rights))
	for k := range rights {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		if err := write(k); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
