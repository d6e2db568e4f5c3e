package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"time"

	"github.com/redcapql/rq/client"
)

// resumeAttempts is how many times in all an export is asked for when its
// body keeps arriving cut short.
const resumeAttempts = 4

// resumeDelay is the wait before asking again after the n-th cut body (a
// variable for tests).
var resumeDelay = func(n int) time.Duration { return time.Duration(n) * 500 * time.Millisecond }

// resumingRows is a record export streamed to the output that survives a
// body cut off mid-way (PHP's output cut short, a proxy dropping the
// connection). The rows already written cannot be taken back, so the same
// request is made again and the rows already written are skipped, after
// checking that they are the same rows: a running hash of every cell
// delivered is compared with the hash of the rows skipped. If they differ
// (the project changed in between), the export fails rather than mix two
// versions of the data. It holds one row and two hashes, whatever the
// export's size.
type resumingRows struct {
	ctx    context.Context
	open   func() (*client.RecordStream, error)
	notice func(string) // one line per retry; nil for none

	s        *client.RecordStream
	cols     []string
	rows     int          // rows delivered
	seed     maphash.Seed // one seed for both hashes of an export
	sum      maphash.Hash // of the rows delivered
	attempts int
	err      error
}

// newResumingRows makes the export's first request (asked again if its
// body is cut before the first row).
func newResumingRows(ctx context.Context, open func() (*client.RecordStream, error), notice func(string)) (*resumingRows, error) {
	r := &resumingRows{ctx: ctx, open: open, notice: notice, seed: maphash.MakeSeed()}
	r.sum.SetSeed(r.seed)
	for {
		r.attempts++
		s, err := open()
		if err == nil {
			r.s, r.cols = s, s.Columns()
			return r, nil
		}
		if !r.retry(err) {
			return nil, err
		}
	}
}

// retry reports whether a cut body is asked for again, after the wait.
func (r *resumingRows) retry(err error) bool {
	if !errors.Is(err, client.ErrTruncated) || r.attempts >= resumeAttempts || r.ctx.Err() != nil {
		return false
	}
	if r.notice != nil {
		r.notice(fmt.Sprintf("rq: export body cut off after %d rows; asking again and resuming (attempt %d of %d)", r.rows, r.attempts+1, resumeAttempts))
	}
	t := time.NewTimer(resumeDelay(r.attempts))
	defer t.Stop()
	select {
	case <-r.ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Columns returns the export's columns.
func (r *resumingRows) Columns() []string { return r.cols }

// Row returns the current row (reused by the next call to Next).
func (r *resumingRows) Row() []string { return r.s.Row() }

// Err returns what ended the export, nil at its clean end.
func (r *resumingRows) Err() error { return r.err }

// Close releases the connection.
func (r *resumingRows) Close() error {
	if r.s == nil {
		return nil
	}
	return r.s.Close()
}

// Next advances to the next row, resuming a cut body.
func (r *resumingRows) Next() bool {
	if r.err != nil || r.s == nil {
		return false
	}
	for {
		if r.s.Next() {
			hashRow(&r.sum, r.s.Row())
			r.rows++
			return true
		}
		err := r.s.Err()
		if err == nil {
			return false
		}
		r.s.Close()
		if !r.retry(err) {
			r.err = err
			return false
		}
		if err := r.resume(); err != nil {
			r.err = err
			return false
		}
	}
}

// resume asks for the export again and skips the rows delivered, checking
// that they are the same.
func (r *resumingRows) resume() error {
	for {
		r.attempts++
		s, err := r.open()
		if err == nil {
			err = r.skip(s)
			if err == nil {
				r.s = s
				return nil
			}
			s.Close()
		}
		if !errors.Is(err, client.ErrTruncated) || !r.retry(err) {
			return err
		}
	}
}

// skip reads the rows already delivered from a new body of the export.
func (r *resumingRows) skip(s *client.RecordStream) error {
	changed := fmt.Errorf("the export was cut off after %d rows and, asked again, no longer starts with the same rows (the project changed meanwhile): the output is incomplete", r.rows)
	if r.rows > 0 && !slices.Equal(s.Columns(), r.cols) {
		return changed
	}
	var h maphash.Hash
	h.SetSeed(r.seed)
	for i := 0; i < r.rows; i++ {
		if !s.Next() {
			if err := s.Err(); err != nil {
				return err
			}
			return changed
		}
		hashRow(&h, s.Row())
	}
	if h.Sum64() != r.sum.Sum64() {
		return changed
	}
	if r.rows == 0 {
		r.cols = s.Columns()
	}
	return nil
}

// hashRow adds a row's cells to h, each preceded by its length so that no
// two different rows hash alike by construction.
func hashRow(h *maphash.Hash, row []string) {
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(row)))])
	for _, c := range row {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(c)))])
		h.WriteString(c)
	}
}
