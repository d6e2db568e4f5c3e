package parquetio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// Rows iterates over the rows' raw export text of the named columns (in
// that order; a column the file lacks is blank), one row group in memory
// at a time. Only those columns' chunks (and rq_raw) are read: column
// pruning. A row group's pages are decoded into typed arrays, and a cell's
// text is made only when asked for (Cell, Row): rows the caller skips
// after looking at a few cells (the mirror's event and record pruning)
// cost no text.
func (f *File) Rows(want []string) *RawRows { return f.RowsReusing(want, nil) }

// RowsReusing is Rows taking over the buffers of old, an iterator over
// the same columns of another file that is no longer used: reading a
// mirror's parts one after the other then allocates nothing per part.
func (f *File) RowsReusing(want []string, old *RawRows) *RawRows {
	it := &RawRows{f: f, want: want, r: -1}
	if old != nil && len(old.cols) == len(want) {
		it.cols, it.row, it.keys, it.raws = old.cols, old.row, old.keys, old.raws
	} else {
		it.cols, it.row, it.keys = make([]colData, len(want)), make([]string, len(want)), make([][]byte, len(want))
	}
	for i, name := range want {
		d := &it.cols[i]
		d.leaf, d.c = -1, nil
		for j := range f.cols {
			if f.cols[j].Name == name {
				d.leaf, d.c = j, &f.cols[j]
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
	cols  []colData
	group int      // next row group
	keys  [][]byte // the wanted names as JSON strings, to skip rq_raw objects without them
	raws  rawCells // the group's rq_raw objects that may hold a wanted column
	n, r  int      // rows in the loaded group, current row
	row   []string
	made  bool              // row holds the current row's texts
	rawAt int               // the row rawMap belongs to (-1: none)
	raw   map[string]string // the current row's rq_raw object
	arena []byte            // texts made for the loaded group (never overwritten)
	only  *onlyFilter       // rows to skip (Only)
	err   error
}

// colData is one wanted column of the loaded row group, decoded from its
// pages into typed arrays.
type colData struct {
	c    *Column
	leaf int // leaf column index, -1 when the file lacks the column
	// chunk is the loaded group's chunk of the column, decoded into the
	// fields below only when one of its cells is asked for (loaded): a
	// column that no kept row needs is never decoded.
	chunk  parquet.ColumnChunk
	loaded bool
	at     []int32 // per row: index of its value, -1 for null
	kind   parquet.Kind
	i32    []int32
	i64    []int64
	f64    []float64
	bits   []bool
	data   []byte   // byte arrays, one after the other
	offs   []uint32 // byte array k is data[offs[k]:offs[k+1]]
	dict   parquet.Dictionary
	base   int32    // index of the current dictionary's first value
	dstr   []string // the current dictionary's texts (String columns)
	last   string   // the last text made, shared by a run of equal values
}

// Next advances to the next row.
func (it *RawRows) Next() bool {
	if it.err != nil {
		return false
	}
	for {
		it.r++
		for it.r >= it.n {
			if it.group >= len(it.f.pf.RowGroups()) {
				return false
			}
			if it.err = it.load(it.f.pf.RowGroups()[it.group]); it.err != nil {
				return false
			}
			it.group++
		}
		it.made = false
		if it.only == nil || it.pass() {
			return it.err == nil
		}
	}
}

// Row returns the current row's texts; valid until the next call to Next.
func (it *RawRows) Row() []string {
	if !it.made {
		for i := range it.cols {
			it.row[i] = it.Cell(i)
		}
		it.made = true
	}
	return it.row
}

// Cell returns the text of the current row's i-th wanted column: REDCap's
// raw export text (rq_raw's when it holds the cell).
func (it *RawRows) Cell(i int) string {
	if it.made {
		return it.row[i]
	}
	if b := it.raws.get(it.r); b != nil && bytes.Contains(b, it.keys[i]) {
		if it.rawAt != it.r {
			it.rawAt, it.raw = it.r, nil
			if err := json.Unmarshal(b, &it.raw); err != nil {
				it.err = fmt.Errorf("row %d: %s: %w", it.r, RawColumn, err)
				it.raw = nil
			}
		}
		if s, ok := it.raw[it.want[i]]; ok {
			return s
		}
	}
	k := it.index(i)
	d := &it.cols[i]
	if k < 0 {
		return ""
	}
	switch d.c.Type {
	case String:
		if d.dict != nil && k >= d.base && int(k-d.base) < len(d.dstr) {
			return d.dstr[k-d.base]
		}
		b := d.data[d.offs[k]:d.offs[k+1]]
		if d.last != "" && d.last == string(b) { // runs: a record's id on its rows
			return d.last
		}
		d.last = string(b)
		return d.last
	case Int64:
		if x := d.i64[k]; x >= 0 && x < int64(len(smallInts)) {
			return smallInts[x]
		}
		return it.text(strconv.AppendInt(it.arena, d.i64[k], 10))
	case Double:
		return it.text(strconv.AppendFloat(it.arena, d.f64[k], 'f', -1, 64))
	case Bool:
		if d.bits[k] {
			return "1"
		}
		return "0"
	case Date, Time:
		return d.c.text(parquet.Int32Value(d.i32[k]))
	}
	return d.c.text(parquet.Int64Value(d.i64[k])) // Decimal, Timestamp
}

// Blank reports whether the current row's i-th wanted column is blank:
// its text (Cell) empty, or with zeroBlank "0". It reads the typed value
// without making the text, which for numbers and plain strings costs a
// conversion or an allocation: the mirror's row-holds-data rule asks it of
// many cells of rows it then skips.
func (it *RawRows) Blank(i int, zeroBlank bool) bool {
	blank := func(v string) bool { return v == "" || zeroBlank && v == "0" }
	if it.made {
		return blank(it.row[i])
	}
	if b := it.raws.get(it.r); b != nil && bytes.Contains(b, it.keys[i]) {
		return blank(it.Cell(i)) // REDCap's own text, kept in rq_raw
	}
	k := it.index(i)
	if k < 0 {
		return true
	}
	d := &it.cols[i]
	switch d.c.Type {
	case String:
		if d.dict != nil && k >= d.base && int(k-d.base) < len(d.dstr) {
			return blank(d.dstr[k-d.base])
		}
		b := d.data[d.offs[k]:d.offs[k+1]]
		return len(b) == 0 || zeroBlank && len(b) == 1 && b[0] == '0'
	case Int64:
		return zeroBlank && d.i64[k] == 0
	case Double:
		return zeroBlank && d.f64[k] == 0 && !math.Signbit(d.f64[k])
	case Bool:
		return zeroBlank && !d.bits[k]
	}
	return blank(it.Cell(i))
}

// index returns the index of the current row's value of column i (-1 for
// null or a column the file lacks), decoding the column's chunk on first use.
func (it *RawRows) index(i int) int32 {
	d := &it.cols[i]
	if d.leaf < 0 {
		return -1
	}
	if !d.loaded {
		d.loaded = true
		if err := d.load(d.chunk, it.n); err != nil {
			it.err = fmt.Errorf("column %s: %w", it.want[i], err)
			d.at = d.at[:0]
		}
	}
	if it.r >= len(d.at) {
		return -1 // a column that failed to load: Next reports the error
	}
	return d.at[it.r]
}

// Only makes Next skip the rows whose i-th wanted column's text is not one
// of texts (the mirror's event pruning). On a dictionary-encoded column
// the test runs once per dictionary value, not once per row.
func (it *RawRows) Only(i int, texts []string) {
	it.only = &onlyFilter{col: i, texts: texts}
}

// onlyFilter is the filter Only sets.
type onlyFilter struct {
	col   int
	texts []string
	dict  parquet.Dictionary // the dictionary ok is for
	ok    []int8             // per dictionary value: 0 not yet tested, 1 kept, 2 skipped
}

// pass tests the current row against the Only filter.
func (it *RawRows) pass() bool {
	f := it.only
	if b := it.raws.get(it.r); b != nil && bytes.Contains(b, it.keys[f.col]) {
		return slices.Contains(f.texts, it.Cell(f.col))
	}
	k := it.index(f.col)
	d := &it.cols[f.col]
	if k < 0 || d.dstr == nil || k < d.base || int(k-d.base) >= len(d.dstr) {
		return slices.Contains(f.texts, it.Cell(f.col))
	}
	if f.dict != d.dict {
		f.dict, f.ok = d.dict, append(f.ok[:0], make([]int8, len(d.dstr))...)
	}
	j := k - d.base
	if f.ok[j] == 0 {
		f.ok[j] = 2
		if slices.Contains(f.texts, d.dstr[j]) {
			f.ok[j] = 1
		}
	}
	return f.ok[j] == 1
}

// text returns the bytes appended to the arena as a string sharing them:
// the arena is never written again where a text lies (a group starts a
// new one), so the strings stay valid after the group.
func (it *RawRows) text(b []byte) string {
	s := b[len(it.arena):]
	it.arena = b
	return unsafe.String(unsafe.SliceData(s), len(s))
}

// Err returns the error that ended the rows.
func (it *RawRows) Err() error { return it.err }

func (it *RawRows) load(rg parquet.RowGroup) error {
	n := int(rg.NumRows())
	chunks := rg.ColumnChunks()
	it.arena = make([]byte, 0, 64<<10)
	for i := range it.cols {
		if d := &it.cols[i]; d.leaf >= 0 {
			d.chunk, d.loaded = chunks[d.leaf], false // decoded when a cell is first asked for
		}
	}
	it.n = n
	it.raws.reset()
	if it.f.raw >= 0 {
		if err := it.raws.load(chunks[it.f.raw], n, it.keys); err != nil {
			return fmt.Errorf("column %s: %w", RawColumn, err)
		}
	}
	it.n, it.r, it.rawAt = n, 0, -1
	return nil
}

// load decodes a column chunk of n rows.
func (d *colData) load(cc parquet.ColumnChunk, n int) error {
	d.at, d.i32, d.i64, d.f64, d.bits, d.data = d.at[:0], d.i32[:0], d.i64[:0], d.f64[:0], d.bits[:0], d.data[:0]
	d.offs = append(d.offs[:0], 0)
	d.dict, d.dstr, d.last, d.kind = nil, nil, "", cc.Type().Kind()
	pages := cc.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		err = d.page(p)
		parquet.Release(p)
		if err != nil {
			return err
		}
	}
	if len(d.at) != n {
		return fmt.Errorf("%d values for %d rows", len(d.at), n)
	}
	return nil
}

// page appends a page's rows.
func (d *colData) page(p parquet.Page) error {
	def := p.DefinitionLevels()
	rows := int(p.NumRows())
	var idx []int32 // dictionary indexes of the page's values
	first := int32(d.count())
	if dict := p.Dictionary(); dict != nil {
		if dict != d.dict {
			d.dict, d.base = dict, int32(d.count())
			dp := dict.Page()
			if err := d.values(dp.Data(), int(dp.NumValues())); err != nil {
				return err
			}
			if d.c.Type == String && d.kind == parquet.ByteArray {
				d.dstr = make([]string, 0, dp.NumValues())
				for k := int(d.base); k < d.count(); k++ {
					d.dstr = append(d.dstr, string(d.data[d.offs[k]:d.offs[k+1]]))
				}
			}
		}
		data := p.Data()
		idx = data.Int32()
	} else {
		present := rows // a boolean page's bits do not say how many values they hold
		if def != nil && d.kind == parquet.Boolean {
			present = 0
			for _, l := range def {
				present += int(l)
			}
		}
		if err := d.values(p.Data(), present); err != nil {
			return err
		}
	}
	start := len(d.at)
	d.at = slices.Grow(d.at, rows)[:start+rows]
	at := d.at[start:]
	switch {
	case def == nil && idx == nil:
		for r := range at {
			at[r] = first + int32(r)
		}
	case def == nil:
		if len(idx) < rows {
			return fmt.Errorf("page: %d dictionary indexes for %d rows", len(idx), rows)
		}
		for r := range at {
			at[r] = d.base + idx[r]
		}
	case idx == nil:
		// branch-free: a present row (level 1) gets the next value's
		// index, a null (level 0) gets -1
		k := first
		for r, l := range def[:rows] {
			at[r] = (k+1)*int32(l) - 1
			k += int32(l)
		}
		if int(k) > d.count() {
			return fmt.Errorf("page: %d rows present for %d values", k-first, int32(d.count())-first)
		}
	default:
		k := 0
		for r, l := range def[:rows] {
			if l == 0 {
				at[r] = -1
				continue
			}
			if k >= len(idx) {
				return fmt.Errorf("page: %d dictionary indexes for more rows", len(idx))
			}
			at[r] = d.base + idx[k]
			k++
		}
	}
	return nil
}

// values appends m decoded values.
func (d *colData) values(v encoding.Values, m int) error {
	switch d.kind {
	case parquet.Boolean:
		b := v.Boolean()
		if len(b)*8 < m {
			return fmt.Errorf("page: %d boolean bytes for %d values", len(b), m)
		}
		for k := 0; k < m; k++ {
			d.bits = append(d.bits, b[k>>3]>>(k&7)&1 != 0)
		}
	case parquet.Int32:
		d.i32 = append(d.i32, v.Int32()...)
	case parquet.Int64:
		d.i64 = append(d.i64, v.Int64()...)
	case parquet.Double:
		d.f64 = append(d.f64, v.Double()...)
	case parquet.ByteArray:
		data, offs := v.ByteArray()
		if len(offs) == 0 {
			return nil
		}
		base := uint32(len(d.data)) - offs[0]
		d.data = append(d.data, data[offs[0]:offs[len(offs)-1]]...)
		for _, o := range offs[1:] {
			d.offs = append(d.offs, o+base)
		}
	default:
		return fmt.Errorf("physical type %v not written by rq", d.kind)
	}
	return nil
}

// count is the number of values decoded so far.
func (d *colData) count() int {
	switch d.kind {
	case parquet.Boolean:
		return len(d.bits)
	case parquet.Int32:
		return len(d.i32)
	case parquet.Int64:
		return len(d.i64)
	case parquet.Double:
		return len(d.f64)
	}
	return len(d.offs) - 1
}

// rawCells holds a group's rq_raw objects that may hold a wanted column,
// in one pointer-free buffer (the garbage collector has nothing to scan).
type rawCells struct {
	at   []int32 // per row: index of its object, -1 for none
	data []byte
	offs []uint32
}

func (rc *rawCells) reset() { rc.at, rc.data, rc.offs = rc.at[:0], rc.data[:0], append(rc.offs[:0], 0) }

// get returns row r's object, nil for none.
func (rc *rawCells) get(r int) []byte {
	if r >= len(rc.at) || rc.at[r] < 0 {
		return nil
	}
	k := rc.at[r]
	return rc.data[rc.offs[k]:rc.offs[k+1]]
}

// load reads an rq_raw chunk of n rows, keeping only the objects that may
// hold a wanted column (keys: the names as JSON strings): most rows' raw
// text holds none of the wanted columns, and a name missing from the bytes
// cannot be a key of the object (a name found inside a value only costs a
// decode).
func (rc *rawCells) load(cc parquet.ColumnChunk, n int, keys [][]byte) error {
	err := eachValue(cc, func(vs []parquet.Value) {
		for _, v := range vs {
			if v.IsNull() {
				rc.at = append(rc.at, -1)
				continue
			}
			b, hit := v.ByteArray(), false
			for _, k := range keys {
				if bytes.Contains(b, k) {
					hit = true
					break
				}
			}
			if !hit {
				rc.at = append(rc.at, -1)
				continue
			}
			rc.at = append(rc.at, int32(len(rc.offs)-1))
			rc.data = append(rc.data, b...)
			rc.offs = append(rc.offs, uint32(len(rc.data)))
		}
	})
	if err == nil && len(rc.at) != n {
		err = fmt.Errorf("%d values for %d rows", len(rc.at), n)
	}
	return err
}
