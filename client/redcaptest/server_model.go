package redcaptest

import (
	"net/http"
	"time"
)

// ServerModel makes the emulator cost time the way a real REDCap does, so
// that a client's speed can be judged against a server that is not
// instant. The zero value is an instant server with no limit on the calls
// served at once.
//
// Typical values for a real REDCap (docs/server.md): RequestCost 50–200 ms
// (PHP start-up, token check, project load and logging on every call),
// CellCost 2–10 µs (REDCap reads the data table and builds the whole export
// before it sends a byte), Workers 8–32 (PHP-FPM children or Apache
// workers available to one project's API calls).
type ServerModel struct {
	// RequestCost is the fixed server time of every API call.
	RequestCost time.Duration
	// CellCost is the server time per exported cell (records export:
	// rows × columns, or EAV rows × their columns), spent before the answer
	// starts, as REDCap builds the export in memory first. The emulator's
	// own time to build the answer counts toward it.
	CellCost time.Duration
	// Workers caps the calls served at once; later calls wait in line
	// (0: no cap). The wait counts as server time for the client.
	Workers int
}

// wrapModel queues calls beyond Workers and charges RequestCost inside the
// worker slot, as a PHP worker spends it.
func wrapModel(h http.Handler, m ServerModel) http.Handler {
	if m.Workers <= 0 && m.RequestCost <= 0 {
		return h
	}
	var slots chan struct{}
	if m.Workers > 0 {
		slots = make(chan struct{}, m.Workers)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slots != nil {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-r.Context().Done():
				return // the client gave up while waiting in line
			}
		}
		if m.RequestCost > 0 {
			modelSleep(r, m.RequestCost, 0)
		}
		h.ServeHTTP(w, r)
	})
}

// chargeCells charges CellCost for each of cells exported cells. spent is
// the time the emulator already took to build the export: the cell cost
// models REDCap's time to build an export, so the emulator's own building
// is part of it, not added to it (a call costs the model's time, or the
// emulator's when that is longer).
func (m ServerModel) chargeCells(r *http.Request, cells int, spent time.Duration) {
	if m.CellCost > 0 && cells > 0 {
		modelSleep(r, time.Duration(cells)*m.CellCost, spent)
	}
}

// modelSleep spends a charge of the model's time, less what was already
// spent; tests replace it to see what a call was charged without waiting.
var modelSleep = func(r *http.Request, charge, spent time.Duration) {
	if d := modelWait(charge, spent); d > 0 {
		sleepCtx(r, d)
	}
}

// modelWait is what is left to wait of a charge once spent has gone by.
func modelWait(charge, spent time.Duration) time.Duration {
	return max(0, charge-spent)
}
