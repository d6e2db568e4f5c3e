package designfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/redcapql/rq/internal/render"
)

// ErrFormat is the cause of an error for a format other than csv or json.
var ErrFormat = errors.New("unknown data format")

// FormatOf is the format flag when given, else the file's extension
// (.json, .xml), else csv.
func FormatOf(flag, name string) string {
	if flag != "" {
		return strings.ToLower(flag)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return "json"
	case ".xml":
		return "xml"
	}
	return "csv"
}

// Decode reads CSV (a header row) or a JSON array of objects into
// []T, matching columns to T's JSON names; text is converted to the field's
// type, with the row and column named when it does not fit.
func Decode[T any](data []byte, format string) ([]T, error) {
	var objs []map[string]any
	switch format {
	case "json":
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&objs); err != nil {
			return nil, fmt.Errorf("reading JSON: %w (want an array of objects)", err)
		}
	case "csv":
		r := csv.NewReader(bytes.NewReader(data))
		recs, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("reading CSV: %w", err)
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("reading CSV: no header row")
		}
		for _, rec := range recs[1:] {
			o := map[string]any{}
			for i, h := range recs[0] {
				if i < len(rec) {
					o[strings.TrimSpace(h)] = rec[i]
				}
			}
			objs = append(objs, o)
		}
	default:
		return nil, fmt.Errorf("data format %q: want csv or json: %w", format, ErrFormat)
	}
	var zero T
	t := reflect.TypeOf(zero)
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = render.Snake(t.Field(i).Name)
		}
		fields[name] = i
	}
	out := make([]T, len(objs))
	for n, o := range objs {
		v := reflect.ValueOf(&out[n]).Elem()
		for k, x := range o {
			i, ok := fields[k]
			if !ok {
				return nil, fmt.Errorf("row %d: unknown column %q", n+1, k)
			}
			s := fmt.Sprint(x)
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(s)
			case reflect.Int:
				if s == "" {
					continue
				}
				iv, err := strconv.Atoi(s)
				if err != nil {
					return nil, fmt.Errorf("row %d, column %s: %q is not a whole number", n+1, k, s)
				}
				f.SetInt(int64(iv))
			case reflect.Bool:
				f.SetBool(s == "1" || s == "true")
			default:
				return nil, fmt.Errorf("row %d: column %s cannot be imported", n+1, k)
			}
		}
	}
	return out, nil
}

// DecodeOrdered reads CSV (a header row) or a JSON array of objects into
// types that decode themselves from a JSON object keeping its key order
// (client.User, client.UserRole): CSV rows become objects of text values
// in the header's order.
func DecodeOrdered[T any](data []byte, format string) ([]T, error) {
	var out []T
	switch format {
	case "json":
		if err := json.Unmarshal(data, &out); err != nil {
			return nil, fmt.Errorf("reading JSON: %w (want an array of objects)", err)
		}
		return out, nil
	case "csv":
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			return nil, fmt.Errorf("reading CSV: %w", err)
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("reading CSV: no header row")
		}
		for n, rec := range recs[1:] {
			var b bytes.Buffer
			b.WriteByte('{')
			for i, h := range recs[0] {
				if i > 0 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(strings.TrimSpace(h))
				v, _ := json.Marshal(rec[i])
				b.Write(k)
				b.WriteByte(':')
				b.Write(v)
			}
			b.WriteByte('}')
			var x T
			if err := json.Unmarshal(b.Bytes(), &x); err != nil {
				return nil, fmt.Errorf("CSV row %d: %w", n+1, err)
			}
			out = append(out, x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("data format %q: want csv or json: %w", format, ErrFormat)
}
