package parquetio

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/redcapql/rq/client"
)

// Options tune a Writer.
type Options struct {
	// Dict types the columns. With Fields nil, an input column is typed by
	// the dictionary's export column of that name (a record export's
	// columns: fields, ___code checkbox columns, <form>_complete).
	Dict *client.Dictionary
	// Fields, when set, gives the field behind each input column (nil: a
	// computed or pseudo column), as a query's select list knows it. A
	// checkbox field's code-set column becomes one BOOLEAN per option.
	Fields []*client.Field
	// Labels adds a <column>_label STRING column after each choice column.
	Labels bool
	// Metadata is written as the file's key-value metadata (rq.columns is
	// added).
	Metadata map[string]string
	// RowGroupRows is the number of rows per row group (default 65,536):
	// the writer holds at most one row group, so this bounds its memory.
	RowGroupRows int
}

// sampleRows is how many rows are held to type computed columns whose
// values have all been null so far.
const sampleRows = 4096

// Writer writes one Parquet file as rows arrive, one row group at a time.
type Writer struct {
	out     io.Writer
	opts    Options
	names   []string
	cols    []Column
	guess   []bool // input columns typed from their values
	sample  []sampled
	pw      *parquet.Writer
	batch   []parquet.Row
	inGrp   int
	n       int
	raw     map[string]string
	rawKey  []string
	closed  bool
	first   []int           // per input column, its first (typed) column
	buf     []parquet.Value // backing array of the batch's rows
	scratch []client.Value  // WriteRaw's typed row
}

type sampled struct {
	vals []client.Value
	raw  []string
}

// NewWriter starts a file of the given input columns on out. Nothing is
// written until the first row group is full or Close.
func NewWriter(out io.Writer, columns []string, opts Options) *Writer {
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = 65536
	}
	w := &Writer{out: out, opts: opts, names: columns, guess: make([]bool, len(columns))}
	recordID := ""
	if opts.Dict != nil {
		recordID = opts.Dict.RecordIDField()
	}
	for i, name := range columns {
		var f *client.Field
		code := ""
		if opts.Fields != nil {
			if i < len(opts.Fields) {
				f = opts.Fields[i]
			}
		} else if opts.Dict != nil {
			if ff, cc, ok := opts.Dict.ExportColumn(name); ok {
				f, code = ff, cc
			}
		}
		if f != nil && (name == recordID || f.Name == recordID) {
			f = nil // the record id is text, whatever its validation
		}
		if _, ok := pseudoType(name, recordID); ok && f == nil {
			t, _ := pseudoType(name, recordID)
			w.cols = append(w.cols, Column{Name: name, Type: t, src: i})
			continue
		}
		if f == nil {
			w.guess[i] = true
			w.cols = append(w.cols, Column{Name: name, src: i})
			continue
		}
		if f.FieldType == "checkbox" && code == "" {
			for _, ch := range f.Choices {
				name := f.Name + "___" + ch.Code
				if opts.Dict != nil {
					name = opts.Dict.CheckboxColumn(f.Name, ch.Code)
				}
				w.cols = append(w.cols, fieldColumn(name, f, ch.Code, i))
			}
			continue
		}
		c := fieldColumn(name, f, code, i)
		w.cols = append(w.cols, c)
		if opts.Labels && len(f.Choices) > 0 && code == "" {
			w.cols = append(w.cols, Column{Name: name + "_label", Type: String, Label: true, Field: f.Name, src: i, field: f})
		}
	}
	return w
}

// Write adds a row of typed values. raw, when not nil, is each input
// column's raw export text (a record export); else the raw text is the
// value's own (its export text, or its missing-data code).
func (w *Writer) Write(vals []client.Value, raw []string) error {
	if w.closed {
		return errors.New("parquetio: write after close")
	}
	if w.pw == nil {
		if w.needSample(vals) && len(w.sample) < sampleRows {
			s := sampled{vals: append([]client.Value(nil), vals...)}
			if raw != nil {
				s.raw = append([]string(nil), raw...)
			}
			w.sample = append(w.sample, s)
			return nil
		}
		if err := w.start(false); err != nil {
			return err
		}
	}
	return w.add(vals, raw)
}

// WriteRaw adds a row of raw export text (a record export), typing each
// cell from the dictionary.
func (w *Writer) WriteRaw(raw []string) error {
	if len(w.scratch) != len(w.names) {
		w.scratch = make([]client.Value, len(w.names))
	}
	vals := w.scratch // Write copies what it keeps
	for i := range w.names {
		vals[i] = client.Value{}
		if i < len(raw) {
			vals[i] = w.parseRaw(i, raw[i])
		}
	}
	return w.Write(vals, raw)
}

// parseRaw types one raw cell of input column i.
func (w *Writer) parseRaw(i int, s string) client.Value {
	if s == "" {
		return client.Value{}
	}
	if w.first == nil {
		w.first = make([]int, len(w.names))
		for k := range w.first {
			w.first[k] = -1
		}
		for j := len(w.cols) - 1; j >= 0; j-- {
			if !w.cols[j].Label {
				w.first[w.cols[j].src] = j
			}
		}
	}
	var c *Column
	if j := w.first[i]; j >= 0 {
		c = &w.cols[j]
	}
	switch {
	case c == nil || c.field == nil:
		if c != nil && c.Type == Int64 {
			if n, err := strconv.ParseFloat(s, 64); err == nil {
				return client.Value{Kind: client.KindNumber, Num: n, Str: s}
			}
			return client.Value{}
		}
		return client.Value{Kind: client.KindText, Str: s}
	case c.Code != "":
		if s == "1" || s == "0" {
			return client.Value{Kind: client.KindNumber, Num: float64(s[0] - '0'), Str: s}
		}
		return client.Value{}
	}
	v, err := c.field.Parse(s)
	if err != nil {
		return client.Value{}
	}
	return v
}

// needSample says whether to hold rows before fixing the schema: while a
// computed column has shown only nulls, or numbers (INT64 when the sample
// turns out to hold every row and each is whole, else DOUBLE).
func (w *Writer) needSample(vals []client.Value) bool {
	for i, g := range w.guess {
		if !g {
			continue
		}
		k := client.KindNull
		if i < len(vals) {
			k = vals[i].Kind
		}
		if k == client.KindNumber {
			return true
		}
		if k == client.KindNull && !w.seen(i) {
			return true
		}
	}
	return false
}

func (w *Writer) seen(i int) bool {
	for _, s := range w.sample {
		if i < len(s.vals) && s.vals[i].Kind != client.KindNull {
			return true
		}
	}
	return false
}

// start fixes the schema (typing guessed columns from the sample) and
// writes the sampled rows. all says the sample holds every row.
func (w *Writer) start(all bool) error {
	for i, g := range w.guess {
		if !g {
			continue
		}
		kind, integral := client.KindNull, true
		for _, s := range w.sample {
			if i < len(s.vals) && s.vals[i].Kind != client.KindNull {
				v := s.vals[i]
				if kind == client.KindNull {
					kind = v.Kind
				}
				if v.Kind == client.KindNumber && (v.Num != math.Trunc(v.Num) || math.Abs(v.Num) > 1<<53) {
					integral = false
				}
			}
		}
		for j := range w.cols {
			if w.cols[j].src != i {
				continue
			}
			c := &w.cols[j]
			switch kind {
			case client.KindNumber:
				c.Type = Double
				if all && integral {
					c.Type = Int64
				}
			case client.KindBool:
				c.Type = Bool
			case client.KindDate:
				c.Type = Date
			case client.KindDatetime:
				c.Type, c.Format = Timestamp, "2006-01-02 15:04:05"
			case client.KindTime:
				c.Type, c.Format = Time, "15:04:05"
			default:
				c.Type = String
			}
		}
	}
	meta := []parquet.WriterOption{
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(int64(w.opts.RowGroupRows)),
		parquet.KeyValueMetadata("rq.columns", columnsJSON(w.cols)),
		parquet.KeyValueMetadata("rq.raw", "rq_raw: JSON object of column name to REDCap's raw text, for cells the typed column does not give back exactly (missing-data codes, values that do not fit their type)"),
	}
	for k, v := range w.opts.Metadata {
		meta = append(meta, parquet.KeyValueMetadata(k, v))
	}
	meta = append(meta, schemaOf(w.cols))
	w.pw = parquet.NewWriter(w.out, meta...)
	sample := w.sample
	w.sample = nil
	for _, s := range sample {
		if err := w.add(s.vals, s.raw); err != nil {
			return err
		}
	}
	return nil
}

// add converts and buffers one row.
func (w *Writer) add(vals []client.Value, raw []string) error {
	width := len(w.cols) + 1
	if cap(w.buf)-len(w.buf) < width {
		w.buf = make([]parquet.Value, 0, 1024*width)
	}
	row := parquet.Row(w.buf[len(w.buf) : len(w.buf) : len(w.buf)+width])
	if len(w.rawKey) > 0 {
		clear(w.raw)
		w.rawKey = w.rawKey[:0]
	}
	var null client.Value
	for j := range w.cols {
		c := &w.cols[j]
		v := &null
		if c.src < len(vals) {
			v = &vals[c.src]
		}
		pv, ok := c.convert(v)
		if ok {
			row = append(row, pv.Level(0, 1, j))
		} else {
			row = append(row, parquet.Value{}.Level(0, 0, j))
		}
		if c.Label || (c.Code != "" && raw == nil) {
			if c.Code != "" && v.Missing != "" && c.Code == c.field.Choices[0].Code {
				w.keep(w.names[c.src], v.Missing)
			}
			continue
		}
		// the raw text this cell must give back
		var want string
		switch {
		case raw != nil:
			if c.src < len(raw) {
				want = raw[c.src]
			}
		case v.Missing != "":
			want = v.Missing
		default:
			// a query's value: its typed form is what the query means
			// (1.50 and 1.5 are one number); only missing codes need keeping
			continue
		}
		if ok && c.exact(want) {
			continue // the typed value gives the text back by construction
		}
		got := ""
		if ok {
			got = c.text(pv)
		}
		if got != want {
			w.keep(w.names[c.src], want)
		}
	}
	if len(w.rawKey) > 0 {
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range w.rawKey {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			vb, _ := json.Marshal(w.raw[k])
			b.Write(kb)
			b.WriteByte(':')
			b.Write(vb)
		}
		b.WriteByte('}')
		row = append(row, parquet.ByteArrayValue(bytesOf(b.String())).Level(0, 1, len(w.cols)))
	} else {
		row = append(row, parquet.Value{}.Level(0, 0, len(w.cols)))
	}
	w.buf = w.buf[:len(w.buf)+width]
	w.batch = append(w.batch, row)
	w.n++
	if len(w.batch) >= 1024 {
		return w.flushBatch()
	}
	return nil
}

func (w *Writer) keep(col, raw string) {
	if w.raw == nil {
		w.raw = map[string]string{}
	}
	if _, ok := w.raw[col]; !ok {
		w.rawKey = append(w.rawKey, col)
	}
	w.raw[col] = raw
}

func (w *Writer) flushBatch() error {
	if len(w.batch) == 0 {
		return nil
	}
	_, err := w.pw.WriteRows(w.batch)
	w.inGrp += len(w.batch)
	w.batch = w.batch[:0]
	w.buf = w.buf[:0] // the writer has copied the values
	if err == nil && w.inGrp >= w.opts.RowGroupRows {
		err = w.pw.Flush()
		w.inGrp = 0
	}
	return err
}

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int { return w.n + len(w.sample) }

// Close writes what is buffered and the file's footer. It does not close
// the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	if w.pw == nil {
		if err := w.start(true); err != nil {
			return err
		}
	}
	w.closed = true
	if err := w.flushBatch(); err != nil {
		return err
	}
	return w.pw.Close()
}

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// convert makes a value's Parquet value (false: null).
func (c *Column) convert(v *client.Value) (parquet.Value, bool) {
	if v.Kind == client.KindNull {
		return parquet.Value{}, false
	}
	switch c.Type {
	case Int64:
		if v.Kind == client.KindNumber || v.Kind == client.KindBool {
			if v.Num == math.Trunc(v.Num) && math.Abs(v.Num) < 1<<63 {
				return parquet.Int64Value(int64(v.Num)), true
			}
		}
	case Double:
		if v.Kind == client.KindNumber || v.Kind == client.KindBool {
			return parquet.DoubleValue(v.Num), true
		}
	case Decimal:
		if v.Kind == client.KindNumber {
			x := math.Round(v.Num * math.Pow10(c.Scale))
			if math.Abs(x) < 1e18 {
				return parquet.Int64Value(int64(x)), true
			}
		}
	case Date:
		if v.Kind == client.KindDate || v.Kind == client.KindDatetime {
			d := v.Time.Sub(epoch)
			days := int64(d / (24 * time.Hour))
			if d < 0 && d%(24*time.Hour) != 0 {
				days--
			}
			return parquet.Int32Value(int32(days)), true
		}
	case Timestamp:
		if v.Kind == client.KindDatetime || v.Kind == client.KindDate {
			return parquet.Int64Value(v.Time.UnixMilli()), true
		}
	case Time:
		if v.Kind == client.KindTime {
			ms := ((v.Time.Hour()*60+v.Time.Minute())*60 + v.Time.Second()) * 1000
			return parquet.Int32Value(int32(ms)), true
		}
	case Bool:
		switch {
		case c.Code != "" && v.Kind == client.KindCodeSet:
			return parquet.BooleanValue(v.Has(c.Code)), true
		case v.Kind == client.KindNumber || v.Kind == client.KindBool:
			if v.Num == 0 || v.Num == 1 {
				return parquet.BooleanValue(v.Num == 1), true
			}
		}
	default:
		s := v.String()
		if c.Label {
			if l, ok := c.field.ChoiceLabel(s); ok {
				s = l
			} else {
				return parquet.Value{}, false
			}
		}
		return parquet.ByteArrayValue(bytesOf(s)), true
	}
	return parquet.Value{}, false
}

// exact reports, without formatting, that a converted value gives raw
// back: text kept as text, a checkbox's 0 or 1.
func (c *Column) exact(raw string) bool {
	switch c.Type {
	case String:
		return !c.Label
	case Bool:
		return raw == "0" || raw == "1"
	}
	return false
}

// text is the raw export text a typed value stands for.
func (c *Column) text(pv parquet.Value) string {
	if pv.IsNull() {
		return ""
	}
	switch c.Type {
	case Int64:
		return strconv.FormatInt(pv.Int64(), 10)
	case Double:
		return strconv.FormatFloat(pv.Double(), 'f', -1, 64)
	case Decimal:
		return decimalText(pv.Int64(), c.Scale)
	case Date:
		return epoch.AddDate(0, 0, int(pv.Int32())).Format("2006-01-02")
	case Timestamp:
		return time.UnixMilli(pv.Int64()).UTC().Format(c.Format)
	case Time:
		return epoch.Add(time.Duration(pv.Int32()) * time.Millisecond).Format(c.Format)
	case Bool:
		if pv.Boolean() {
			return "1"
		}
		return "0"
	}
	return string(pv.ByteArray())
}

// bytesOf views a string's bytes without copying them: the column
// buffers copy what they keep, and nothing writes through the view.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// decimalText writes i / 10^scale with scale decimals.
func decimalText(i int64, scale int) string {
	neg := i < 0
	if neg {
		i = -i
	}
	s := strconv.FormatInt(i, 10)
	for len(s) <= scale {
		s = "0" + s
	}
	s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	if neg {
		s = "-" + s
	}
	return s
}
