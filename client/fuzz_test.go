package client

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// refJSONRows is a slow reference decoder built on encoding/json's tokens,
// with the semantics jsonRows promises (first object's keys are the
// columns; later objects may reorder or omit them but not add any).
func refJSONRows(b []byte) (cols []string, rows [][]string, err error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if tok != json.Delim('[') {
		return nil, nil, errors.New("not an array")
	}
	index := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		if tok != json.Delim('{') {
			return nil, nil, errors.New("not an object")
		}
		vals := map[int]string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, nil, err
			}
			k := kt.(string)
			vt, err := dec.Token()
			if err != nil {
				return nil, nil, err
			}
			var v string
			switch x := vt.(type) {
			case string:
				v = x
			case json.Number:
				v = string(x)
			case bool:
				v = fmt.Sprint(x)
			case nil:
			default:
				return nil, nil, errors.New("nested")
			}
			i, ok := index[k]
			if !ok {
				if len(rows) > 0 {
					return nil, nil, errors.New("new key")
				}
				i = len(cols)
				cols = append(cols, k)
				index[k] = i
			}
			vals[i] = v
		}
		if _, err := dec.Token(); err != nil {
			return nil, nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v
		}
		rows = append(rows, row)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("trailing data")
	}
	return cols, rows, nil
}

func ourRows(b []byte, format string) (cols []string, rows [][]string, err error) {
	rs, err := NewRecordStream(bytes.NewReader(b), format, "")
	if err != nil {
		return nil, nil, err
	}
	for rs.Next() {
		rows = append(rows, append([]string(nil), rs.Row()...))
	}
	if err := rs.Err(); err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Err == nil {
			return nil, nil, fmt.Errorf("error is not a classified *Error: %v", err)
		}
		return nil, nil, err
	}
	return rs.Columns(), rows, nil
}

// FuzzJSONRecords checks the JSON record decoder against encoding/json:
// same verdict, same columns and rows, never a panic.
func FuzzJSONRecords(f *testing.F) {
	f.Add([]byte(`[{"record_id":"1","redcap_repeat_instance":2,"x":"a\"b"},{"x":"2","record_id":"3"}]`))
	// rows after the first in the first row's key order: the fast path
	f.Add([]byte(`[{"record_id":"1","x":""},{"record_id":"2","x":"a\"b"},{"record_id":"3","x":"q"},{"record_id":"4" ,"x":"\u00e9"},{"record_id":"5","x":5}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, rows, err := ourRows(b, "json")
		if !utf8.Valid(b) {
			return // encoding/json rewrites invalid UTF-8; the decoder keeps bytes as sent
		}
		rcols, rrows, rerr := refJSONRows(b)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("verdicts differ on %q: ours %v, encoding/json %v", b, err, rerr)
		}
		if err != nil {
			return
		}
		if fmt.Sprintf("%q", cols) != fmt.Sprintf("%q", rcols) || fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", rrows) {
			t.Fatalf("results differ on %q:\nours %q %q\nref  %q %q", b, cols, rows, rcols, rrows)
		}
	})
}

// FuzzCSVRecords checks the CSV record decoder against csv.Reader.ReadAll.
func FuzzCSVRecords(f *testing.F) {
	f.Add([]byte("record_id,notes\n1,\"a, \"\"b\"\"\nc\"\n2,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, rows, err := ourRows(b, "csv")
		all, rerr := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if (err == nil) != (rerr == nil) {
			t.Fatalf("verdicts differ on %q: ours %v, csv %v", b, err, rerr)
		}
		if err != nil {
			return
		}
		if len(all) == 0 {
			if len(cols) != 0 || len(rows) != 0 {
				t.Fatalf("rows from nothing: %q", b)
			}
			return
		}
		all[0][0] = strings.TrimPrefix(all[0][0], "\ufeff")
		if fmt.Sprintf("%q", cols) != fmt.Sprintf("%q", all[0]) || fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", nilIfEmpty(all[1:])) {
			t.Fatalf("results differ on %q", b)
		}
	})
}

func nilIfEmpty(r [][]string) [][]string {
	if len(r) == 0 {
		return nil
	}
	return r
}

// FuzzErrorBody checks error-body detection on arbitrary bodies: no
// panic; a recognised error never comes with an empty-looking verdict;
// the verdict on a 200 body is a classified *Error or a usable body.
func FuzzErrorBody(f *testing.F) {
	f.Add([]byte(`{"error":"You do not have permissions to use the API"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, ok := errorMessage(b)
		if ok && json.Valid(bytes.TrimSpace(b)) {
			var m map[string]any
			err := json.Unmarshal(bytes.TrimSpace(b), &m)
			if _, has := m["error"]; err != nil || !has {
				t.Fatalf("error %q recognised in %q, which has no error key", msg, b)
			}
		}
		_ = looksHTML(b)
		if p := parseImportProblems(string(b)); len(p) > 0 {
			for _, pr := range p {
				if !strings.Contains(string(b), strings.ReplaceAll(pr.Field, `"`, `""`)) && !strings.Contains(string(b), pr.Field) {
					t.Fatalf("problem field %q not in body", pr.Field)
				}
			}
		}
		e := &Error{Status: 500, Message: string(b), BodyPrefix: prefixOf(b)}
		classify(e)
		if !utf8.ValidString(e.BodyPrefix) || len(e.BodyPrefix) > 3*bodyPrefixLen {
			t.Fatalf("bad BodyPrefix %q", e.BodyPrefix)
		}
		_ = e.Error()
	})
}
