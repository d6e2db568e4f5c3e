package redcaptest

import (
	"iter"
	"slices"
	"sort"
	"strings"
)

// RecordStore holds a project's records. Implementations yield records in
// REDCap order (CompareIDs) and must be safe for concurrent readers; the
// project's mutex serialises writers. Records a store returns are read-only:
// a store may generate them on the fly (see Demo) or share them.
type RecordStore interface {
	// Len is the number of records.
	Len() int
	// All yields every record in REDCap order.
	All() iter.Seq[*Record]
	// Get returns one record.
	Get(id string) (*Record, bool)
}

// RowKey addresses one row of a record: an event (unique name, "" in classic
// projects), a repeating instrument ("" for non-repeating rows and repeating
// events) and an instance (0 for non-repeating rows, ≥ 1 otherwise).
type RowKey struct {
	Event      string
	Instrument string
	Instance   int
}

// Row holds the stored values of one record × event × instance. Values maps
// field names to raw values; a checkbox field holds its ticked codes joined
// by commas (codes cannot contain commas), see Checked and SetChecked.
// Absent and "" both mean blank.
type Row struct {
	RowKey
	Values map[string]string
}

// Checked returns the ticked codes of a checkbox field.
func (r *Row) Checked(field string) []string {
	v := r.Values[field]
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// IsChecked reports whether code is ticked in a checkbox field.
func (r *Row) IsChecked(field, code string) bool {
	v := r.Values[field]
	for v != "" {
		var c string
		c, v, _ = strings.Cut(v, ",")
		if c == code {
			return true
		}
	}
	return false
}

// SetChecked ticks (on) or unticks one code of a checkbox field.
func (r *Row) SetChecked(field, code string, on bool) {
	codes := r.Checked(field)
	i := slices.Index(codes, code)
	switch {
	case on && i < 0:
		codes = append(codes, code)
	case !on && i >= 0:
		codes = slices.Delete(codes, i, i+1)
	default:
		return
	}
	if len(codes) == 0 {
		delete(r.Values, field)
		return
	}
	r.Values[field] = strings.Join(codes, ",")
}

// Record is one record: its id, its DAG (unique name, "" for none) and rows.
type Record struct {
	ID   string
	DAG  string
	Rows []*Row
}

// Row returns the row at key, or nil.
func (r *Record) Row(k RowKey) *Row {
	for _, row := range r.Rows {
		if row.RowKey == k {
			return row
		}
	}
	return nil
}

// Ensure returns the row at key, creating it if needed.
func (r *Record) Ensure(k RowKey) *Row {
	if row := r.Row(k); row != nil {
		return row
	}
	row := &Row{RowKey: k, Values: map[string]string{}}
	r.Rows = append(r.Rows, row)
	return row
}

// Clone returns a deep copy.
func (r *Record) Clone() *Record {
	c := &Record{ID: r.ID, DAG: r.DAG, Rows: make([]*Row, len(r.Rows))}
	for i, row := range r.Rows {
		v := make(map[string]string, len(row.Values))
		for k, x := range row.Values {
			v[k] = x
		}
		c.Rows[i] = &Row{RowKey: row.RowKey, Values: v}
	}
	return c
}

// CompareIDs orders record names as REDCap exports them: natural order,
// runs of digits compared by value, so "2" < "10" < "10-1" < "a".
func CompareIDs(a, b string) int {
	for a != "" && b != "" {
		ad, bd := isDigit(a[0]), isDigit(b[0])
		switch {
		case ad && bd:
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			ta, tb := strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(ta) != len(tb) {
				return cmpInt(len(ta), len(tb))
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			if c := cmpInt(len(na), len(nb)); c != 0 {
				return c
			}
			a, b = ra, rb
		case ad != bd:
			if ad {
				return -1
			}
			return 1
		default:
			if a[0] != b[0] {
				return cmpInt(int(a[0]), int(b[0]))
			}
			a, b = a[1:], b[1:]
		}
	}
	return cmpInt(len(a), len(b))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MemStore is an in-memory RecordStore.
type MemStore struct {
	ids  []string // sorted by CompareIDs
	recs map[string]*Record
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore { return &MemStore{recs: map[string]*Record{}} }

// Len implements RecordStore.
func (m *MemStore) Len() int { return len(m.ids) }

// Get implements RecordStore.
func (m *MemStore) Get(id string) (*Record, bool) { r, ok := m.recs[id]; return r, ok }

// All implements RecordStore.
func (m *MemStore) All() iter.Seq[*Record] {
	return func(yield func(*Record) bool) {
		for _, id := range m.ids {
			if !yield(m.recs[id]) {
				return
			}
		}
	}
}

// Put adds or replaces a record.
func (m *MemStore) Put(r *Record) {
	if _, ok := m.recs[r.ID]; !ok {
		i := sort.Search(len(m.ids), func(i int) bool { return CompareIDs(m.ids[i], r.ID) >= 0 })
		m.ids = slices.Insert(m.ids, i, r.ID)
	}
	m.recs[r.ID] = r
}

// Delete removes a record; it reports whether it existed.
func (m *MemStore) Delete(id string) bool {
	if _, ok := m.recs[id]; !ok {
		return false
	}
	delete(m.recs, id)
	i := sort.Search(len(m.ids), func(i int) bool { return CompareIDs(m.ids[i], id) >= 0 })
	for i < len(m.ids) && m.ids[i] != id {
		i++
	}
	if i < len(m.ids) {
		m.ids = slices.Delete(m.ids, i, i+1)
	}
	return true
}

// Overlay is a writable RecordStore on top of any base store: new and
// changed records live in the overlay, deletions hide base records. The
// base is never modified, so a generated million-record store stays cheap.
type Overlay struct {
	base     RecordStore
	top      *MemStore       // records added or changed
	deleted  map[string]bool // base records deleted (and not re-added)
	fromBase map[string]bool // ids in top that the base also holds
}

// NewOverlay returns a writable store over base.
func NewOverlay(base RecordStore) *Overlay {
	return &Overlay{base: base, top: NewMemStore(), deleted: map[string]bool{}, fromBase: map[string]bool{}}
}

// Len implements RecordStore.
func (o *Overlay) Len() int {
	return o.base.Len() - len(o.deleted) + o.top.Len() - len(o.fromBase)
}

// Get implements RecordStore.
func (o *Overlay) Get(id string) (*Record, bool) {
	if r, ok := o.top.Get(id); ok {
		return r, true
	}
	if o.deleted[id] {
		return nil, false
	}
	return o.base.Get(id)
}

// All implements RecordStore: base and overlay merged in REDCap order.
func (o *Overlay) All() iter.Seq[*Record] {
	return func(yield func(*Record) bool) {
		// ids of top records absent from base, in order
		extra := make([]string, 0, o.top.Len()-len(o.fromBase))
		for _, id := range o.top.ids {
			if !o.fromBase[id] {
				extra = append(extra, id)
			}
		}
		k := 0
		for r := range o.base.All() {
			for k < len(extra) && CompareIDs(extra[k], r.ID) < 0 {
				if !yield(o.top.recs[extra[k]]) {
					return
				}
				k++
			}
			if o.deleted[r.ID] {
				continue
			}
			if t, ok := o.top.recs[r.ID]; ok {
				r = t
			}
			if !yield(r) {
				return
			}
		}
		for ; k < len(extra); k++ {
			if !yield(o.top.recs[extra[k]]) {
				return
			}
		}
	}
}

// Put adds or replaces a record.
func (o *Overlay) Put(r *Record) {
	if _, in := o.top.Get(r.ID); !in {
		if _, inBase := o.base.Get(r.ID); inBase {
			o.fromBase[r.ID] = true
		}
	}
	o.top.Put(r)
	delete(o.deleted, r.ID)
}

// Edit returns a private, modifiable copy of a record already stored in the
// overlay (created empty, with no rows, when absent).
func (o *Overlay) Edit(id string) *Record {
	if r, ok := o.top.Get(id); ok {
		return r
	}
	var r *Record
	if b, ok := o.Get(id); ok {
		r = b.Clone()
	} else {
		r = &Record{ID: id}
	}
	o.Put(r)
	return r
}

// Delete removes a record; it reports whether it existed.
func (o *Overlay) Delete(id string) bool {
	if o.top.Delete(id) {
		if o.fromBase[id] {
			delete(o.fromBase, id)
			o.deleted[id] = true
		}
		return true
	}
	if o.deleted[id] {
		return false
	}
	if _, inBase := o.base.Get(id); inBase {
		o.deleted[id] = true
		return true
	}
	return false
}
