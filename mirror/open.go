package mirror

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/parquetio"
	"github.com/redcapql/rq/planner/catalog"
	"github.com/redcapql/rq/planner/fetch"
)

// Mirror is an open mirror, read offline.
type Mirror struct {
	Dir   string
	State *State
	dict  *client.Dictionary
	info  catalog.Design
}

// Open reads a mirror's state and project structure. The files of the
// generation it names stay valid while this Mirror is used: a later sync
// writes a new generation (an open file survives its removal).
func Open(dir string) (*Mirror, error) {
	st, err := ReadState(dir)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, st.Generation, "project.json"))
	if err != nil {
		return nil, fmt.Errorf("mirror %s: %w", dir, err)
	}
	var s structure
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("mirror %s: project.json: %w", dir, err)
	}
	dict, err := client.NewDictionary(s.Metadata, s.MissingCodes)
	if err != nil {
		return nil, fmt.Errorf("mirror %s: data dictionary: %w", dir, err)
	}
	return &Mirror{Dir: dir, State: st, dict: dict, info: s.Info}, nil
}

// Dictionary returns the data dictionary at the time of the sync.
func (m *Mirror) Dictionary() *client.Dictionary { return m.dict }

// Info returns the project's design at the time of the sync.
func (m *Mirror) Info() catalog.Design { return m.info }

// Selection is what a record export with given parameters reads from the
// mirror: the parts (partition pruning by record range) and the columns
// (column pruning).
type Selection struct {
	Files   []string // parts read, relative to the generation
	Parts   int      // parts in the mirror
	Columns []string // columns read
	All     int      // columns in the mirror
	p       client.ExportRecordsParams
	keep    map[string]bool // selected field columns (nil: all)
	records map[string]bool
	events  map[string]bool
}

// Select plans reading p (a record export's parameters, as the planner
// pushes them) from the mirror. Records, events, fields and forms are
// applied as REDCap applies them — a row is returned when it holds a value
// among the selected fields, as REDCap's export does; filterLogic is not
// applied (the planner checks every pushed filter again locally).
func (m *Mirror) Select(p client.ExportRecordsParams) *Selection {
	st := m.State
	sel := &Selection{Parts: len(st.Parts), All: len(st.Columns), p: p}
	if len(p.Records) > 0 {
		sel.records = map[string]bool{}
		for _, r := range p.Records {
			sel.records[r] = true
		}
	}
	if len(p.Events) > 0 {
		sel.events = map[string]bool{}
		for _, e := range p.Events {
			sel.events[e] = true
		}
	}
	for _, part := range st.Parts {
		if sel.records != nil {
			hit := false
			for _, r := range p.Records {
				if fetch.CompareRecordIDs(r, part.First) >= 0 && fetch.CompareRecordIDs(r, part.Last) <= 0 {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
		}
		sel.Files = append(sel.Files, part.File)
	}
	recID := m.dict.RecordIDField()
	if len(p.Fields) > 0 || len(p.Forms) > 0 {
		sel.keep = map[string]bool{}
		for _, f := range p.Fields {
			sel.keep[f] = true
		}
		for _, form := range p.Forms {
			for _, f := range m.dict.FormFields(form) {
				sel.keep[f.Name] = true
			}
		}
	}
	for _, c := range st.Columns {
		switch {
		case c == recID, c == "redcap_event_name", c == "redcap_repeat_instrument", c == "redcap_repeat_instance":
		case c == "redcap_data_access_group":
			if !p.ExportDataAccessGroups {
				continue
			}
		case sel.keep != nil:
			f, _, ok := m.dict.ExportColumn(c)
			if !ok || !sel.keep[f.Name] {
				continue
			}
		}
		sel.Columns = append(sel.Columns, c)
	}
	return sel
}

// Explain is what explain reports of a mirror read (explain --json's
// "mirror" object): where the rows come from and which files and columns a
// query reads.
type Explain struct {
	Dir         string    `json:"dir"`
	Offline     bool      `json:"offline"`
	Generation  string    `json:"generation"`
	SyncedAt    time.Time `json:"synced_at"`
	Records     int       `json:"records"`
	FilesRead   []string  `json:"files_read"` // relative to the generation
	Files       int       `json:"files"`      // parts in the generation
	ColumnsRead []string  `json:"columns_read"`
	Columns     int       `json:"columns"` // columns in the mirror
}

// Explain describes reading sel from the mirror; sel nil (a query that
// reads no record) names the mirror only.
func (m *Mirror) Explain(sel *Selection) *Explain {
	e := &Explain{Dir: m.Dir, Offline: true, Generation: m.State.Generation, SyncedAt: m.State.SyncedAt,
		Records: m.State.Records, FilesRead: []string{}, Files: len(m.State.Parts), ColumnsRead: []string{}, Columns: len(m.State.Columns)}
	if sel != nil {
		e.FilesRead = append(e.FilesRead, sel.Files...)
		e.ColumnsRead = append(e.ColumnsRead, sel.Columns...)
	}
	return e
}

// Text is explain's header lines for a mirror read.
func (e *Explain) Text() string {
	files := strings.Join(e.FilesRead, ", ")
	if len(e.FilesRead) == 0 {
		files = "none"
	}
	return fmt.Sprintf("source: mirror %s (offline)\nfiles read: %d of %d: %s\ncolumns read: %d of %d\nmirror synced %s (%s), %d records\n",
		e.Dir, len(e.FilesRead), e.Files, files, len(e.ColumnsRead), e.Columns,
		e.SyncedAt.Format("2006-01-02 15:04:05 MST"), e.Generation, e.Records)
}

// Rows reads a selection: fetch.RawRows over the selected parts.
func (m *Mirror) Rows(sel *Selection) *Rows {
	r := &Rows{m: m, sel: sel, idCol: slices.Index(sel.Columns, m.dict.RecordIDField()),
		evCol: slices.Index(sel.Columns, "redcap_event_name"), instrCol: slices.Index(sel.Columns, "redcap_repeat_instrument")}
	if sel.keep != nil {
		r.idSelected = sel.keep[m.dict.RecordIDField()]
		for i, c := range sel.Columns {
			if f, _, ok := m.dict.ExportColumn(c); ok && sel.keep[f.Name] && f.Name != m.dict.RecordIDField() {
				r.data = append(r.data, i)
				r.checkbox = append(r.checkbox, f.FieldType == "checkbox")
			}
		}
	}
	return r
}

// Rows is the raw rows of a selection, in REDCap's export order.
type Rows struct {
	m                      *Mirror
	sel                    *Selection
	next                   int
	f                      *parquetio.File
	it                     *parquetio.RawRows
	done                   *parquetio.RawRows // the last part's, whose buffers the next part takes over
	idCol, evCol, instrCol int
	idSelected             bool
	data                   []int // selected field columns (fields or forms given)
	checkbox               []bool
	err                    error
	// Read counts the rows read from the files that are in the selected
	// events.
	Read int
}

// Columns returns the selection's columns.
func (r *Rows) Columns() []string { return r.sel.Columns }

// Next advances to the next row the export would return.
func (r *Rows) Next() bool {
	for {
		if r.it == nil {
			if r.err != nil || r.next >= len(r.sel.Files) {
				return false
			}
			f, err := parquetio.Open(filepath.Join(r.m.Dir, r.m.State.Generation, r.sel.Files[r.next]))
			if err != nil {
				r.err = err
				return false
			}
			r.next++
			r.f, r.it = f, f.RowsReusing(r.sel.Columns, r.done)
			if r.sel.events != nil && r.evCol >= 0 {
				r.it.Only(r.evCol, r.sel.p.Events) // event pruning without making the skipped rows' text
			}
		}
		if !r.it.Next() {
			r.err = r.it.Err()
			r.f.Close()
			r.it, r.done = nil, r.it
			continue
		}
		r.Read++
		if r.keep() {
			return true
		}
	}
}

// keep applies records and the row-holds-data rule (events are applied by
// the reader: RawRows.Only), looking only at the cells it needs: a skipped
// row's other cells are never made.
func (r *Rows) keep() bool {
	it := r.it
	if r.sel.records != nil && !r.sel.records[it.Cell(r.idCol)] {
		return false
	}
	if r.sel.keep == nil {
		return true
	}
	if r.idSelected && (r.instrCol < 0 || it.Blank(r.instrCol, false)) {
		return true
	}
	for k, i := range r.data {
		if !it.Blank(i, r.checkbox[k]) {
			return true
		}
	}
	return false
}

// Cell returns the current row's i-th column (exec.CellRows): only
// the cells asked for are made.
func (r *Rows) Cell(i int) string { return r.it.Cell(i) }

// Row returns the current row; valid until the next call to Next.
func (r *Rows) Row() []string { return r.it.Row() }

// Err returns the error that ended the rows.
func (r *Rows) Err() error { return r.err }

// Close releases the open file.
func (r *Rows) Close() error {
	if r.it != nil {
		r.it = nil
		return r.f.Close()
	}
	return nil
}
