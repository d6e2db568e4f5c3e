package redcaptest

import (
	"bytes"
	"net/http"
	"time"
)

// builtExport holds a record export in memory while it is written, as
// REDCap builds an export whole before it sends a byte. It is used only
// when the export's cells must be known before the answer starts (the
// server model's CellCost, the MaxCells fault): the cells are counted as
// the rows are written, in one pass, instead of generating every record a
// second time to count them first (for the demo store that second pass
// doubled the server's CPU per call, and the ids step of a client makes
// one call per event, each a full pass).
type builtExport struct {
	header http.Header
	status int
	body   bytes.Buffer
	cells  int  // cells written so far
	max    int  // Faults.MaxCells (0: none)
	over   bool // cells went past max: the writers stopped
	start  time.Time
}

func newBuiltExport(max int) *builtExport {
	return &builtExport{header: http.Header{}, max: max, start: time.Now()}
}

// Header implements http.ResponseWriter.
func (b *builtExport) Header() http.Header { return b.header }

// WriteHeader implements http.ResponseWriter.
func (b *builtExport) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// Write implements http.ResponseWriter.
func (b *builtExport) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// count adds the cells of one row; false once MaxCells is exceeded, which
// stops the writers (the answer will be the out-of-memory 500).
func (b *builtExport) count(cells int) bool {
	b.cells += cells
	if b.max > 0 && b.cells > b.max {
		b.over = true
		return false
	}
	return true
}

// send charges the model for the cells and writes the built answer to w,
// or returns REDCap's out-of-memory error when MaxCells was exceeded.
func (b *builtExport) send(c *call, w http.ResponseWriter) error {
	if b.over {
		return c.srv.opts.Faults.checkCells(b.cells)
	}
	c.srv.opts.Model.chargeCells(c.r, b.cells, time.Since(b.start))
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes()) // an error here is the client gone: nothing to answer
	return nil
}
