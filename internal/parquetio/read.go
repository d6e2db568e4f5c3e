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

// smallInts are the texts of 0..999, shared by every read.
var smallInts = func() []string {
	out := make([]string, 1000)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

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
