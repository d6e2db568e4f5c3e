package parquetio

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redcapql/rq/client"
)

// PartitionKeys are the --partition-by choices.
var PartitionKeys = []string{"event", "form", "dag"}

// HiveNull is the folder value of a null partition key, which DuckDB and
// Spark read back as null.
const HiveNull = "__HIVE_DEFAULT_PARTITION__"

// partitionColumns names the columns a key may be read from, in order of
// preference.
var partitionColumns = map[string][]string{
	"event": {"redcap_event_name", "event"},
	"dag":   {"redcap_data_access_group", "dag"},
}

// DirWriter writes a Hive-style partitioned folder: DIR/event=x/part-0.parquet.
// It writes into a temporary sibling folder and renames it into place on
// Close, so DIR is either the previous content or the whole new one.
type DirWriter struct {
	dir, tmp, key string
	names         []string
	opts          Options
	keyCol        int              // event and dag: the input column of the key
	forms         map[string][]int // form: input columns of each form
	formOrder     []string
	parts         map[string]*part
	rows          int
}

type part struct {
	f    *os.File
	w    *Writer
	cols []int // input columns written, in order
}

// NewDirWriter starts a partitioned folder of the given input columns.
// key is event, dag or form; event and dag need their column among the
// input columns (which is left out of the files, as Hive does: the folder
// says it); form needs a dictionary and splits each row into one row per
// form that holds data, with that form's fields and the row's key columns.
func NewDirWriter(dir, key string, columns []string, opts Options) (*DirWriter, error) {
	if !slices.Contains(PartitionKeys, key) {
		return nil, fmt.Errorf("--partition-by %q: want one of %s", key, strings.Join(PartitionKeys, ", "))
	}
	w := &DirWriter{dir: filepath.Clean(dir), key: key, names: columns, opts: opts, keyCol: -1, parts: map[string]*part{}}
	if opts.RowGroupRows <= 0 {
		w.opts.RowGroupRows = 16384 // several writers are open at once
	}
	if key == "form" {
		if opts.Dict == nil {
			return nil, fmt.Errorf("--partition-by form needs the data dictionary")
		}
		w.forms = map[string][]int{}
		var keys []int
		for i, name := range columns {
			f := w.fieldOf(i, name)
			if f == nil || f.Name == opts.Dict.RecordIDField() {
				keys = append(keys, i)
				continue
			}
			if _, ok := w.forms[f.Form]; !ok {
				w.formOrder = append(w.formOrder, f.Form)
			}
			w.forms[f.Form] = append(w.forms[f.Form], i)
		}
		for f, cols := range w.forms {
			w.forms[f] = append(slices.Clone(keys), cols...)
			slices.Sort(w.forms[f])
		}
	} else {
		for _, c := range partitionColumns[key] {
			if i := slices.Index(columns, c); i >= 0 {
				w.keyCol = i
				break
			}
		}
		if w.keyCol < 0 {
			return nil, fmt.Errorf("--partition-by %s: the result has no %s column", key, strings.Join(partitionColumns[key], " or "))
		}
	}
	var b [6]byte
	rand.Read(b[:])
	w.tmp = filepath.Join(filepath.Dir(w.dir), "."+filepath.Base(w.dir)+".tmp-"+hex.EncodeToString(b[:]))
	if err := os.MkdirAll(w.tmp, 0o700); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *DirWriter) fieldOf(i int, name string) *client.Field {
	if w.opts.Fields != nil {
		if i < len(w.opts.Fields) {
			return w.opts.Fields[i]
		}
		return nil
	}
	if f, _, ok := w.opts.Dict.ExportColumn(name); ok {
		return f
	}
	return nil
}

// Write adds a typed row (raw as for Writer.Write).
func (w *DirWriter) Write(vals []client.Value, raw []string) error {
	w.rows++
	if w.forms == nil {
		v := HiveNull
		if raw != nil && w.keyCol < len(raw) && raw[w.keyCol] != "" {
			v = raw[w.keyCol]
		} else if raw == nil && w.keyCol < len(vals) && !vals[w.keyCol].IsNull() {
			v = vals[w.keyCol].String()
		}
		var cols []int
		for i := range w.names {
			if i != w.keyCol {
				cols = append(cols, i)
			}
		}
		return w.put(v, cols, vals, raw)
	}
	instr := ""
	for i, n := range w.names {
		if n == "redcap_repeat_instrument" || n == "instrument" {
			if raw != nil {
				instr = raw[i]
			} else {
				instr = vals[i].String()
			}
		}
	}
	for _, form := range w.formOrder {
		if instr != "" && instr != form {
			continue
		}
		cols := w.forms[form]
		if instr == "" && !w.holds(cols, vals, raw) {
			continue
		}
		if err := w.put(form, cols, vals, raw); err != nil {
			return err
		}
	}
	return nil
}

// holds says whether a row holds data in a form's columns: a value that is
// not a blank, an unticked box or a gray or incomplete (0) status.
func (w *DirWriter) holds(cols []int, vals []client.Value, raw []string) bool {
	for _, i := range cols {
		f := w.fieldOf(i, w.names[i])
		if f == nil || f.Name == w.opts.Dict.RecordIDField() {
			continue
		}
		if raw != nil {
			s := raw[i]
			if s == "" || (s == "0" && (f.FieldType == "checkbox" || f.FieldType == "form_status")) {
				continue
			}
			return true
		}
		v := vals[i]
		switch {
		case v.IsNull() && v.Missing == "":
		case v.Kind == client.KindCodeSet && len(v.Codes) == 0:
		case f.FieldType == "form_status" && v.Num == 0:
		default:
			return true
		}
	}
	return false
}

// WriteRaw adds a row of raw export text.
func (w *DirWriter) WriteRaw(raw []string) error {
	return w.Write(nil, raw)
}

func (w *DirWriter) put(value string, cols []int, vals []client.Value, raw []string) error {
	p := w.parts[value]
	if p == nil {
		sub := filepath.Join(w.tmp, w.key+"="+escapePart(value))
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(filepath.Join(sub, "part-0.parquet"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		names := make([]string, len(cols))
		opts := w.opts
		if w.opts.Fields != nil {
			opts.Fields = make([]*client.Field, len(cols))
		}
		for j, i := range cols {
			names[j] = w.names[i]
			if opts.Fields != nil && i < len(w.opts.Fields) {
				opts.Fields[j] = w.opts.Fields[i]
			}
		}
		p = &part{f: f, w: NewWriter(f, names, opts), cols: cols}
		w.parts[value] = p
	}
	if raw != nil {
		sub := make([]string, len(p.cols))
		for j, i := range p.cols {
			sub[j] = raw[i]
		}
		return p.w.WriteRaw(sub)
	}
	sub := make([]client.Value, len(p.cols))
	for j, i := range p.cols {
		if i < len(vals) {
			sub[j] = vals[i]
		}
	}
	return p.w.Write(sub, nil)
}

// escapePart makes a key value safe as a folder name (Hive escapes / = %
// and the like).
func escapePart(s string) string {
	if s == HiveNull {
		return s
	}
	return strings.ReplaceAll(url.PathEscape(s), "=", "%3D")
}

// Rows returns the number of input rows written.
func (w *DirWriter) Rows() int { return w.rows }

// Close finishes every file and puts the folder in place of DIR.
func (w *DirWriter) Close() error {
	for _, p := range w.parts {
		err := p.w.Close()
		if cerr := p.f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			w.Abort()
			return err
		}
	}
	return Replace(w.tmp, w.dir)
}

// Abort removes what was written; DIR is left as it was.
func (w *DirWriter) Abort() {
	for _, p := range w.parts {
		p.f.Close()
	}
	os.RemoveAll(w.tmp)
}

// Replace puts folder src in place of dst: dst, if it exists, is moved
// aside first and removed after; a crash between leaves dst's old content
// under a .old- name, never a half-written dst.
func Replace(src, dst string) error {
	old := ""
	if _, err := os.Stat(dst); err == nil {
		var b [6]byte
		rand.Read(b[:])
		old = filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".old-"+hex.EncodeToString(b[:]))
		if err := os.Rename(dst, old); err != nil {
			os.RemoveAll(src)
			return err
		}
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			os.Rename(old, dst)
		}
		os.RemoveAll(src)
		return err
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}
