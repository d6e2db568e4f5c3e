package parquetio

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

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
// (in that order; a column the file lacks is blank). Only those columns'
// chunks (and rq_raw) are read: column pruning.
// The slice passed to fn is reused.
func (f *File) ReadRaw(want []string, fn func(raw []string) error) error {
	idx := make([]int, len(want)) // leaf index per wanted column, -1 absent
	for i, name := range want {
		idx[i] = -1
		for j := range f.cols {
			if f.cols[j].Name == name {
				idx[i] = j
			}
		}
	}
	row := make([]string, len(want))
	for _, rg := range f.pf.RowGroups() {
		n := int(rg.NumRows())
		chunks := rg.ColumnChunks()
		cells := make([][]string, len(want))
		for i, j := range idx {
			if j < 0 {
				continue
			}
			vals, err := readChunk(chunks[j], n)
			if err != nil {
				return fmt.Errorf("column %s: %w", want[i], err)
			}
			texts := make([]string, n)
			c := &f.cols[j]
			for r, v := range vals {
				if !v.IsNull() {
					texts[r] = c.text(v)
				}
			}
			cells[i] = texts
		}
		var raws []parquet.Value
		if f.raw >= 0 {
			var err error
			if raws, err = readChunk(chunks[f.raw], n); err != nil {
				return fmt.Errorf("column %s: %w", RawColumn, err)
			}
		}
		for r := 0; r < n; r++ {
			for i := range want {
				if cells[i] == nil {
					row[i] = ""
				} else {
					row[i] = cells[i][r]
				}
			}
			if raws != nil && !raws[r].IsNull() {
				var m map[string]string
				if err := json.Unmarshal(raws[r].ByteArray(), &m); err != nil {
					return fmt.Errorf("row %d: %s: %w", r, RawColumn, err)
				}
				for i, name := range want {
					if s, ok := m[name]; ok {
						row[i] = s
					}
				}
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// readChunk reads a flat optional column chunk's n values, in row order.
func readChunk(cc parquet.ColumnChunk, n int) ([]parquet.Value, error) {
	out := make([]parquet.Value, 0, n)
	pages := cc.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 1024)
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		vr := p.Values()
		for {
			k, err := vr.ReadValues(buf)
			for _, v := range buf[:k] {
				out = append(out, v.Clone())
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(p)
				return nil, err
			}
		}
		parquet.Release(p)
	}
	if len(out) != n {
		return nil, fmt.Errorf("%d values for %d rows", len(out), n)
	}
	return out, nil
}
