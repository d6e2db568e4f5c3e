package parquetio

import (
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
	it := &RawRows{f: f, want: want, idx: make([]int, len(want)), row: make([]string, len(want))}
	for i, name := range want {
		it.idx[i] = -1
		for j := range f.cols {
			if f.cols[j].Name == name {
				it.idx[i] = j
			}
		}
	}
	return it
}

// RawRows is an iterator over a file's rows as raw text.
type RawRows struct {
	f     *File
	want  []string
	idx   []int // leaf index per wanted column, -1 absent
	group int   // next row group
	cells [][]string
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
		if it.cells[i] == nil {
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
	it.cells = make([][]string, len(it.want))
	for i, j := range it.idx {
		if j < 0 {
			continue
		}
		texts := make([]string, 0, n)
		c := &it.f.cols[j]
		var scratch []byte
		seen := map[string]string{} // repeated text (events, codes, names) shares one string
		err := eachValue(chunks[j], func(v parquet.Value) {
			switch {
			case v.IsNull():
				texts = append(texts, "")
			case c.Type == String:
				b := v.ByteArray()
				if t, ok := seen[string(b)]; ok {
					texts = append(texts, t)
					break
				}
				t := string(b)
				if len(seen) < 4096 {
					seen[t] = t
				}
				texts = append(texts, t)
			case c.Type == Int64:
				if x := v.Int64(); x >= 0 && x < int64(len(smallInts)) {
					texts = append(texts, smallInts[x])
					break
				}
				scratch = strconv.AppendInt(scratch[:0], v.Int64(), 10)
				texts = append(texts, string(scratch))
			case c.Type == Bool:
				if v.Boolean() {
					texts = append(texts, "1")
				} else {
					texts = append(texts, "0")
				}
			default:
				texts = append(texts, c.text(v))
			}
		})
		if err == nil && len(texts) != n {
			err = fmt.Errorf("%d values for %d rows", len(texts), n)
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", it.want[i], err)
		}
		it.cells[i] = texts
	}
	it.raws = nil
	if it.f.raw >= 0 {
		var err error
		if it.raws, err = readChunk(chunks[it.f.raw], n); err != nil {
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

// readChunk reads a flat optional column chunk's n values, in row order.
func readChunk(cc parquet.ColumnChunk, n int) ([]parquet.Value, error) {
	out := make([]parquet.Value, 0, n)
	err := eachValue(cc, func(v parquet.Value) {
		if v.IsNull() {
			out = append(out, v)
		} else {
			out = append(out, v.Clone())
		}
	})
	if err == nil && len(out) != n {
		err = fmt.Errorf("%d values for %d rows", len(out), n)
	}
	return out, err
}

// eachValue calls fn with each value of a flat column chunk, in row order;
// a value's bytes are valid only during the call.
func eachValue(cc parquet.ColumnChunk, fn func(parquet.Value)) error {
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
			for _, v := range buf[:k] {
				fn(v)
			}
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
