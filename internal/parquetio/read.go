package parquetio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// File is an open rq Parquet file.
type File struct {
	f    *os.File
	pf   *parquet.File
	cols []Column
	raw  int // leaf index of rq_raw, -1 when absent
}

// Open opens an rq Parquet file; its rq.columns metadata says how to
// rebuild raw text.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipBloomFilters(true))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := &File{f: f, pf: pf, raw: -1}
	meta, ok := pf.Lookup("rq.columns")
	if !ok {
		f.Close()
		return nil, fmt.Errorf("%s: not written by rq (no rq.columns metadata)", path)
	}
	if err := json.Unmarshal([]byte(meta), &out.cols); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: rq.columns metadata: %w", path, err)
	}
	for i := range out.cols {
		c := &out.cols[i]
		for t, n := range typeNames {
			if n == c.TypeS {
				c.Type = Type(t)
			}
		}
	}
	for i, p := range pf.Schema().Columns() {
		if len(p) == 1 && p[0] == RawColumn {
			out.raw = i
		}
	}
	return out, nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Columns describes the file's typed columns (without rq_raw).
func (f *File) Columns() []Column { return f.cols }

// NumRows is the file's row count.
func (f *File) NumRows() int64 { return f.pf.NumRows() }

// Lookup returns a key-value metadata entry.
func (f *File) Lookup(key string) (string, bool) { return f.pf.Lookup(key) }

// ReadRaw calls fn with each row's raw export text of the named columns
// (see Rows). The slice passed to fn is reused.
func (f *File) ReadRaw(want []string, fn func(raw []string) error) error {
	it := f.Rows(want)
	for it.Next() {
		if err := fn(it.Row()); err != nil {
			return err
		}
	}
	return it.Err()
}

// Rows iterates over the rows' raw export text of the named columns (in
// that order; a column the file lacks is blank), one row group in memory
// at a time. Only those columns' chunks (and rq_raw) are read: column
// pruning.
func (f *File) Rows(want []string) *RawRows {
	it := &RawRows{f: f, want: want, idx: make([]int, len(want)), row: make([]string, len(want)),
		cells: make([][]string, len(want)), seen: make([]map[string]string, len(want)), keys: make([][]byte, len(want))}
	for i, name := range want {
		it.idx[i] = -1
		for j := range f.cols {
			if f.cols[j].Name == name {
				it.idx[i] = j
			}
		}
		it.keys[i], _ = json.Marshal(name)
	}
	return it
}

// RawRows is an iterator over a file's rows as raw text.
type RawRows struct {
	f     *File
	want  []string
	idx   []int // leaf index per wanted column, -1 absent
	group int   // next row group
	// cells holds the loaded group's texts per wanted column (nil: absent);
	// the slices are reused from group to group, the strings they hold are
	// not (a Row's strings outlive the group).
	cells [][]string
	seen  []map[string]string // per string column: repeated text shares one string
	keys  [][]byte            // the wanted names as JSON strings, to skip rq_raw objects without them
	raws  []parquet.Value
	n, r  int // rows in the loaded group, next row
	row   []string
	err   error
}

// Next advances to the next row.
func (it *RawRows) Next() bool {
	for it.r >= it.n {
		if it.err != nil || it.group >= len(it.f.pf.RowGroups()) {
			return false
		}
		if it.err = it.load(it.f.pf.RowGroups()[it.group]); it.err != nil {
			return false
		}
		it.group++
	}
	r := it.r
	it.r++
	for i := range it.want {
		if it.idx[i] < 0 {
			it.row[i] = ""
		} else {
			it.row[i] = it.cells[i][r]
		}
	}
	if it.raws != nil && !it.raws[r].IsNull() {
		var m map[string]string
		if err := json.Unmarshal(it.raws[r].ByteArray(), &m); err != nil {
			it.err = fmt.Errorf("row %d: %s: %w", r, RawColumn, err)
			return false
		}
		for i, name := range it.want {
			if s, ok := m[name]; ok {
				it.row[i] = s
			}
		}
	}
	return true
}

func (it *RawRows) load(rg parquet.RowGroup) error {
	n := int(rg.NumRows())
	chunks := rg.ColumnChunks()
	for i, j := range it.idx {
		if j < 0 {
			continue
		}
		texts := it.cells[i][:0]
		if cap(texts) < n {
			texts = make([]string, 0, n)
		}
		c := &it.f.cols[j]
		var scratch []byte
		var err error
		switch c.Type {
		case String:
			seen := it.seen[i]
			if seen == nil {
				seen = map[string]string{}
				it.seen[i] = seen
			}
			last := ""
			err = eachValue(chunks[j], func(vs []parquet.Value) {
				for _, v := range vs {
					if v.IsNull() {
						texts = append(texts, "")
						continue
					}
					b := v.ByteArray()
					if string(b) == last { // runs: events, instruments, codes
						texts = append(texts, last)
						continue
					}
					t, ok := seen[string(b)]
					if !ok {
						t = string(b)
						if len(seen) < 4096 {
							seen[t] = t
						}
					}
					last = t
					texts = append(texts, t)
				}
			})
		case Int64:
			err = eachValue(chunks[j], func(vs []parquet.Value) {
				for _, v := range vs {
					switch x := v.Int64(); {
					case v.IsNull():
						texts = append(texts, "")
					case x >= 0 && x < int64(len(smallInts)):
						texts = append(texts, smallInts[x])
					default:
						scratch = strconv.AppendInt(scratch[:0], x, 10)
						texts = append(texts, string(scratch))
					}
				}
			})
		case Bool:
			err = eachValue(chunks[j], func(vs []parquet.Value) {
				for _, v := range vs {
					switch {
					case v.IsNull():
						texts = append(texts, "")
					case v.Boolean():
						texts = append(texts, "1")
					default:
						texts = append(texts, "0")
					}
				}
			})
		default:
			err = eachValue(chunks[j], func(vs []parquet.Value) {
				for _, v := range vs {
					texts = append(texts, c.text(v))
				}
			})
		}
		if err == nil && len(texts) != n {
			err = fmt.Errorf("%d values for %d rows", len(texts), n)
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", it.want[i], err)
		}
		it.cells[i] = texts
	}
	if it.f.raw >= 0 {
		var err error
		if it.raws, err = readRaw(chunks[it.f.raw], n, it.keys, it.raws[:0]); err != nil {
			return fmt.Errorf("column %s: %w", RawColumn, err)
		}
	}
	it.n, it.r = n, 0
	return nil
}

// Row returns the current row; valid until the next call to Next.
func (it *RawRows) Row() []string { return it.row }

// Err returns the error that ended the rows.
func (it *RawRows) Err() error { return it.err }

// smallInts are the texts of 0..999, shared by every read.
var smallInts = func() []string {
	out := make([]string, 1000)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

// readRaw appends an rq_raw chunk's n values to out, in row order, keeping
// only the objects that may hold a wanted column (keys: the names as JSON
// strings) and null for the others: most rows' raw text holds none of the
// wanted columns, and a name missing from the bytes cannot be a key of the
// object (a name found inside a value only costs a decode).
func readRaw(cc parquet.ColumnChunk, n int, keys [][]byte, out []parquet.Value) ([]parquet.Value, error) {
	err := eachValue(cc, func(vs []parquet.Value) {
		for _, v := range vs {
			if v.IsNull() {
				out = append(out, v)
				continue
			}
			b, hit := v.ByteArray(), false
			for _, k := range keys {
				if bytes.Contains(b, k) {
					hit = true
					break
				}
			}
			if hit {
				out = append(out, v.Clone())
			} else {
				out = append(out, parquet.Value{})
			}
		}
	})
	if err == nil && len(out) != n {
		err = fmt.Errorf("%d values for %d rows", len(out), n)
	}
	return out, err
}

// eachValue calls fn with each batch of values of a flat column chunk, in
// row order; the values' bytes are valid only during the call.
func eachValue(cc parquet.ColumnChunk, fn func([]parquet.Value)) error {
	pages := cc.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 1024)
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		vr := p.Values()
		for {
			k, err := vr.ReadValues(buf)
			fn(buf[:k])
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(p)
				return err
			}
		}
		parquet.Release(p)
	}
}
