package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/redcapql/rq/client"
)

// Format names an output format.
type Format string

// The output formats.
const (
	Table    Format = "table"
	CSV      Format = "csv"
	TSV      Format = "tsv"
	JSON     Format = "json"
	JSONL    Format = "jsonl"
	Markdown Format = "markdown"
	Vertical Format = "vertical"
)

// Formats lists every format, in the order help shows them.
var Formats = []Format{Table, CSV, TSV, JSON, JSONL, Markdown, Vertical, Parquet}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.ToLower(s) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q; want one of %s", s, strings.Join(names, ", "))
}

// Rows is what the renderers read: rq.Rows satisfies it.
type Rows interface {
	Columns() []string
	Next() bool
	Row() []client.Value
	Err() error
}

// Options tune a renderer.
type Options struct {
	// Width is the terminal width the table must fit in (0: no limit).
	Width int
	// Null is how table, markdown and vertical show a null ("NULL" when empty).
	Null string
}

// Write renders rows to w in format f and returns the number of rows
// written. Streaming formats (csv, tsv, json, jsonl, vertical) write as they
// read; table and markdown read every row first to size the columns. On a
// read error the rows written so far stay written and the error is
// returned; a JSON array is not closed then, so a truncated result cannot
// pass for a complete one.
func Write(w io.Writer, f Format, rows Rows, opts Options) (int, error) {
	if opts.Null == "" {
		opts.Null = "NULL"
	}
	switch f {
	case Table, Markdown:
		return writeGrid(w, f, rows, opts)
	case CSV:
		return writeDelimited(w, ',', rows)
	case TSV:
		return writeDelimited(w, '\t', rows)
	case JSON:
		return writeJSON(w, rows, false)
	case JSONL:
		return writeJSON(w, rows, true)
	case Vertical:
		return writeVertical(w, rows, opts)
	case Parquet:
		return writeParquet(w, rows)
	}
	return 0, fmt.Errorf("unknown format %q", f)
}

// cellText is a value as table, markdown and vertical show it: NULL for a
// null, the missing-data code in brackets for a missing value, and the
// value's text otherwise (empty text stays empty).
func cellText(v client.Value, null string) string {
	if v.Kind == client.KindNull {
		if v.Missing != "" {
			return "[" + v.Missing + "]"
		}
		return null
	}
	return v.String()
}

// Slice is an in-memory Rows, for tables built by the command line.
type Slice struct {
	Cols []string
	Vals [][]client.Value
	i    int
}

// Columns returns the column names.
func (s *Slice) Columns() []string { return s.Cols }

// Next advances to the next row.
func (s *Slice) Next() bool {
	if s.i >= len(s.Vals) {
		return false
	}
	s.i++
	return true
}

// Row returns the current row.
func (s *Slice) Row() []client.Value { return s.Vals[s.i-1] }

// Err is always nil.
func (s *Slice) Err() error { return nil }

// Text makes a text value ("" stays empty text, not null).
func Text(s string) client.Value { return client.Value{Kind: client.KindText, Str: s} }

// Strings builds a Slice of text columns from string rows; an empty cell is
// empty text.
func Strings(cols []string, rows [][]string) *Slice {
	s := &Slice{Cols: cols}
	for _, r := range rows {
		vals := make([]client.Value, len(cols))
		for i := range cols {
			if i < len(r) {
				vals[i] = Text(r[i])
			} else {
				vals[i] = client.Value{}
			}
		}
		s.Vals = append(s.Vals, vals)
	}
	return s
}
