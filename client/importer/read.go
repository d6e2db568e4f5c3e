package importer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Format is the layout of a records file: flat CSV or flat JSON, as
// REDCap's record export writes them.
type Format string

// The formats Import reads.
const (
	CSV  Format = "csv"  // a header row of export column names, one row per record/event/instance
	JSON Format = "json" // an array of objects, keys are export column names
)

// FormatOf picks the format from a file name: ".json" is JSON, anything
// else CSV.
func FormatOf(path string) Format {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return JSON
	}
	return CSV
}

// ParseFormat reads "csv" or "json" (any case).
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case CSV:
		return CSV, nil
	case JSON:
		return JSON, nil
	}
	return "", fmt.Errorf("importer: format %q is not csv or json", s)
}

// row is one data row of the file: its column names and values in file
// order (for JSON, the object's own keys; a key left out is not sent).
type row struct {
	line int // line of the file where the row starts (1-based)
	num  int // data row number (1-based, header excluded)
	keys []string
	vals []string
	// raw JSON values (strings stay strings, numbers stay numbers) so a
	// chunk re-sends exactly what the file held.
	raw []json.RawMessage
}

func (r *row) get(name string) (string, bool) {
	for i, k := range r.keys {
		if k == name {
			return r.vals[i], true
		}
	}
	return "", false
}

// table is a parsed records file.
type table struct {
	format Format
	header []string // CSV: the header row; JSON: every key in order of first use
	// JSON: line of the first object holding each key
	keyLine map[string]int
	rows    []*row
}

// readTable parses data. Problems that make the file unreadable (bad CSV
// quoting, a row with the wrong number of values, JSON that is not an
// array of flat objects) come back as Problems, one per place.
func readTable(data []byte, format Format) (*table, Problems) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte-order mark (Excel)
	switch format {
	case CSV:
		return readCSV(data)
	case JSON:
		return readJSON(data)
	}
	return nil, Problems{{Message: fmt.Sprintf("format %q is not csv or json", format)}}
}

func readCSV(data []byte) (*table, Problems) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, Problems{{Line: 1, Message: "the file is empty: want a header row of field names"}}
	}
	if err != nil {
		return nil, Problems{csvProblem(err)}
	}
	t := &table{format: CSV, header: header}
	var probs Problems
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if h == "" {
			probs = append(probs, Problem{Line: 1, Message: fmt.Sprintf("column %d of the header has no name", i+1)})
			continue
		}
		if seen[h] {
			probs = append(probs, Problem{Line: 1, Field: h, Message: "column appears twice in the header"})
		}
		seen[h] = true
	}
	for n := 1; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			probs = append(probs, csvProblem(err))
			if len(probs) > maxReadProblems {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if allBlank(rec) {
			probs = append(probs, Problem{Line: line, Row: n, Warning: true, Message: "blank row skipped"})
			continue
		}
		if len(rec) != len(header) {
			probs = append(probs, Problem{Line: line, Row: n, Record: rec[0],
				Message: fmt.Sprintf("row has %d values for %d header columns", len(rec), len(header))})
			continue
		}
		t.rows = append(t.rows, &row{line: line, num: n, keys: header, vals: rec})
	}
	return t, probs
}

// maxReadProblems stops a reader that meets a file that is not CSV at all
// from listing every line.
const maxReadProblems = 1000

func csvProblem(err error) Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Problem{Line: pe.Line, Message: "unreadable CSV: " + pe.Err.Error()}
	}
	return Problem{Message: "unreadable CSV: " + err.Error()}
}

func readJSON(data []byte) (*table, Problems) {
	lines := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(off int64, msg string) (*table, Problems) {
		return nil, Problems{{Line: lines.at(off), Message: "unreadable JSON: " + msg}}
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(dec.InputOffset(), jsonErr(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fail(0, "want an array of record objects")
	}
	t := &table{format: JSON, keyLine: map[string]int{}}
	inHeader := map[string]bool{}
	var probs Problems
	for n := 1; dec.More(); n++ {
		start := skipSpace(data, dec.InputOffset())
		line := lines.at(start)
		var obj json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			return fail(dec.InputOffset(), jsonErr(err))
		}
		rw, p := readObject(obj, line, n)
		probs = append(probs, p...)
		if rw == nil {
			continue
		}
		for _, k := range rw.keys {
			if !inHeader[k] {
				inHeader[k] = true
				t.header = append(t.header, k)
				t.keyLine[k] = line
			}
		}
		t.rows = append(t.rows, rw)
	}
	if _, err := dec.Token(); err != nil {
		return fail(dec.InputOffset(), jsonErr(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(dec.InputOffset(), "text after the closing ]")
	}
	return t, probs
}

// readObject reads one flat record object, keeping key order.
func readObject(obj json.RawMessage, line, n int) (*row, Problems) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	tok, _ := dec.Token()
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, Problems{{Line: line, Row: n, Message: "array element is not a record object"}}
	}
	rw := &row{line: line, num: n}
	var probs Problems
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, Problems{{Line: line, Row: n, Message: "unreadable JSON: " + jsonErr(err)}}
		}
		key := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, Problems{{Line: line, Row: n, Message: "unreadable JSON: " + jsonErr(err)}}
		}
		var val string
		switch raw[0] {
		case '"':
			json.Unmarshal(raw, &val)
		case 'n': // null: blank
			raw = json.RawMessage(`""`)
		case 't', 'f', '{', '[':
			probs = append(probs, Problem{Line: line, Row: n, Field: key, Value: string(raw),
				Message: "value is not a string or a number"})
			continue
		default: // a number
			val = string(raw)
		}
		if seen[key] {
			probs = append(probs, Problem{Line: line, Row: n, Field: key, Value: val, Message: "key appears twice in the object"})
			continue
		}
		seen[key] = true
		rw.keys = append(rw.keys, key)
		rw.vals = append(rw.vals, val)
		rw.raw = append(rw.raw, raw)
	}
	return rw, probs
}

func jsonErr(err error) string {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "the file ends in the middle of the JSON"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	return err.Error()
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
			continue
		}
		break
	}
	return off
}

// lineIndex holds the offsets where lines start.
type lineIndex []int64

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

// at returns the 1-based line of a byte offset.
func (l lineIndex) at(off int64) int {
	lo, hi := 0, len(l)
	for lo+1 < hi {
		m := (lo + hi) / 2
		if l[m] <= off {
			lo = m
		} else {
			hi = m
		}
	}
	return lo + 1
}

func allBlank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
