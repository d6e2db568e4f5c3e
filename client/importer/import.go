package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/redcapql/rq/client"
)

// DefaultChunkRecords is the records sent per request when
// Options.ChunkRecords is 0.
const DefaultChunkRecords = 100

// Options control one Import.
type Options struct {
	// ChunkRecords is the number of records per request (default
	// DefaultChunkRecords). All rows of a record go in the same chunk.
	ChunkRecords int
	// Overwrite sends overwriteBehavior=overwrite: blank values in the file
	// then ERASE stored values. Without it (overwriteBehavior=normal) blanks
	// are ignored and an import only adds or changes the values it holds.
	Overwrite bool
	// DryRun validates the file and stops: nothing is sent.
	DryRun bool
	// JournalPath is where the resume journal is kept (see
	// DefaultJournalPath); "" keeps none. A run refuses to start over an
	// unfinished journal unless Resume is set.
	JournalPath string
	// Resume continues the run recorded in JournalPath from its first
	// unwritten chunk. The file and the options must be the same.
	Resume bool
	// Progress, when set, is told after each chunk how many records of the
	// file are written so far, out of how many.
	Progress func(written, total int)
}

// Report is the outcome of an Import: every record of the file is in
// exactly one of Written, NotWritten or Unknown once sending started.
type Report struct {
	DryRun   bool
	Rows     int      // data rows in the file
	Records  int      // distinct records in the file
	Chunks   int      // requests the import needs (0 when nothing is sent)
	Problems Problems // validation problems and warnings; REDCap's own when it refuses a chunk

	Written     []string // records the server confirmed, in file order (earlier runs included when resuming)
	Resumed     []string // the part of Written confirmed by earlier runs, read from the journal
	NotWritten  []string // records not stored: the refused chunk and every later one
	Unknown     []string // records of a chunk whose answer was lost and whose values could not be checked
	FailedChunk int      // 1-based chunk that failed; 0 when none did
	Err         error    // why it failed; also returned by Import
}

// ChunkError is Import's error when a chunk fails after sending began.
type ChunkError struct {
	Chunk, Chunks int
	Records       []string // the chunk's records
	Unknown       bool     // the answer was lost: the chunk may have been stored
	Err           error
}

// Error says which chunk failed, whether REDCap may have stored it, and why.
func (e *ChunkError) Error() string {
	state := "REDCap refused it, so none of its records were stored"
	if e.Unknown {
		state = "its answer was lost and rq could not check whether REDCap stored it"
	}
	return fmt.Sprintf("importer: chunk %d of %d (%d records, %s…) failed: %s: %v",
		e.Chunk, e.Chunks, len(e.Records), firstIDs(e.Records, 3), state, e.Err)
}

// Unwrap returns the cause, usually a *client.Error.
func (e *ChunkError) Unwrap() error { return e.Err }

// Import validates the whole file, then (unless DryRun) imports its records
// chunk by chunk with returnContent=ids, stopping at the first chunk that
// fails. The Report is always returned, also with an error: for invalid
// files (error Problems) it lists every problem; after a failed chunk it
// says which records were written and which not, and the journal lets a
// run with Resume continue from the first unwritten chunk.
//
// REDCap checks a whole request before writing any of it, so a chunk is
// stored entirely or not at all. When the answer to a chunk is lost (proxy
// 502/504, cut connection, HTML page), Import exports the chunk's records
// and compares them with the file: if every value matches, the chunk
// counts as written, else as not written; if that check fails too, its
// records are Unknown. Sending such a chunk again (Resume) is safe: the
// same values give the same data.
func (im *Importer) Import(ctx context.Context, r io.Reader, format Format, o Options) (*Report, error) {
	rep := &Report{DryRun: o.DryRun}
	fail := func(err error) (*Report, error) {
		rep.Err = err
		return rep, err
	}
	if o.ChunkRecords < 0 {
		return fail(fmt.Errorf("importer: ChunkRecords %d is negative", o.ChunkRecords))
	}
	if o.ChunkRecords == 0 {
		o.ChunkRecords = DefaultChunkRecords
	}
	if o.Resume && o.DryRun {
		return fail(errors.New("importer: Resume and DryRun exclude each other"))
	}
	if im.c == nil && !o.DryRun {
		return fail(errors.New("importer: no client to import through"))
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fail(fmt.Errorf("importer: reading the records file: %w", err))
	}
	if err := im.ready(ctx); err != nil {
		return fail(err)
	}
	chk, probs := im.check(data, format)
	rep.Problems = probs
	if chk != nil {
		rep.Rows, rep.Records = len(chk.t.rows), len(chk.records)
	}
	if err := probs.Err(); err != nil {
		return fail(err)
	}
	chunks := chunkRecords(chk.records, o.ChunkRecords)
	if o.DryRun {
		return rep, nil
	}
	rep.Chunks = len(chunks)
	sum := sha256.Sum256(data)
	j, err := openJournal(o, &journal{
		Version: journalVersion, InputSHA256: hex.EncodeToString(sum[:]), Format: format,
		ChunkRecords: o.ChunkRecords, Overwrite: o.Overwrite, DateFormat: im.dateFormat, Chunks: len(chunks),
	})
	if err != nil {
		return fail(err)
	}
	if j != nil && o.Resume {
		rep.Resumed = append(rep.Resumed, j.Written...)
	}
	if j != nil && !o.Resume {
		if err := j.write(o.JournalPath); err != nil {
			return fail(err)
		}
	}
	written := 0
	for i, ch := range chunks {
		n := i + 1
		ids := recordIDs(ch)
		if j != nil && j.done(n) {
			rep.Written = append(rep.Written, ids...)
			written += len(ids)
			continue
		}
		stored, unknown, err := im.sendChunk(ctx, chk, ch, format, o)
		if err != nil {
			rep.FailedChunk = n
			cerr := &ChunkError{Chunk: n, Chunks: len(chunks), Records: ids, Unknown: unknown, Err: err}
			var ce *client.Error
			if errors.As(err, &ce) && len(ce.Problems) > 0 {
				rep.Problems = append(rep.Problems, serverProblems(ch, ce.Problems)...)
			}
			switch {
			case unknown:
				rep.Unknown = ids
			case stored: // lost answer, but the export shows the data stored
				rep.Written = append(rep.Written, ids...)
				rep.FailedChunk = 0
				if err := j.markDone(o.JournalPath, n, ids); err != nil {
					return fail(err)
				}
				written += len(ids)
				if o.Progress != nil {
					o.Progress(written, len(chk.records))
				}
				continue
			default:
				rep.NotWritten = append(rep.NotWritten, ids...)
			}
			for _, later := range chunks[i+1:] {
				rep.NotWritten = append(rep.NotWritten, recordIDs(later)...)
			}
			return fail(cerr)
		}
		rep.Written = append(rep.Written, ids...)
		if err := j.markDone(o.JournalPath, n, ids); err != nil {
			return fail(err)
		}
		written += len(ids)
		if o.Progress != nil {
			o.Progress(written, len(chk.records))
		}
	}
	if j != nil {
		j.Complete = true
		if err := j.write(o.JournalPath); err != nil {
			return fail(err)
		}
	}
	return rep, nil
}

// markDone records a confirmed chunk in the journal (nil: no journal).
func (j *journal) markDone(path string, chunk int, ids []string) error {
	if j == nil {
		return nil
	}
	j.ChunksDone = append(j.ChunksDone, chunk)
	j.Written = append(j.Written, ids...)
	return j.write(path)
}

func chunkRecords(recs []*record, size int) [][]*record {
	var out [][]*record
	for len(recs) > 0 {
		n := min(size, len(recs))
		out = append(out, recs[:n])
		recs = recs[n:]
	}
	return out
}

func recordIDs(ch []*record) []string {
	ids := make([]string, len(ch))
	for i, r := range ch {
		ids[i] = r.id
	}
	return ids
}

// sendChunk imports one chunk. On error, stored reports that a lost answer
// was checked and the data is there; unknown that it could not be checked.
func (im *Importer) sendChunk(ctx context.Context, chk *checked, ch []*record, format Format, o Options) (stored, unknown bool, err error) {
	body, err := encodeChunk(chk.t, ch, format)
	if err != nil {
		return false, false, err
	}
	p := client.ImportRecordsParams{Data: body, Format: string(format), ReturnContent: "ids", DateFormat: im.dateFormat}
	if o.Overwrite {
		p.OverwriteBehavior = "overwrite"
	} else {
		p.OverwriteBehavior = "normal"
	}
	res, err := im.c.ImportRecords(ctx, p)
	if err == nil {
		if msg := compareIDs(recordIDs(ch), res.IDs); msg == "" {
			return false, false, nil
		} else {
			err = fmt.Errorf("the server's list of imported records does not match the chunk: %s", msg)
		}
	} else if refused(err) {
		return false, false, err
	}
	// The answer is lost or odd: look at what the server holds.
	ok, verr := im.verify(ctx, chk, ch, o)
	switch {
	case verr != nil:
		return false, true, fmt.Errorf("%w; checking the chunk's records afterwards failed too: %v", err, verr)
	case ok:
		return true, false, err
	}
	return false, false, fmt.Errorf("%w; an export afterwards shows the chunk was not stored", err)
}

// refused reports an answer that proves nothing was written: REDCap
// answered 4xx (validation, rights, a 429 ban), checking the whole request
// before writing, or the request was never sent.
func refused(err error) bool {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return true // a mistake found before sending
	}
	return ce.Status >= 400 && ce.Status < 500 && ce.Status != 408
}

func compareIDs(sent, got []string) string {
	want := map[string]bool{}
	for _, id := range sent {
		want[id] = true
	}
	var extra []string
	for _, id := range got {
		if !want[id] {
			extra = append(extra, id)
		}
		delete(want, id)
	}
	var missing []string
	for _, id := range sent {
		if want[id] {
			missing = append(missing, id)
		}
	}
	switch {
	case len(missing) > 0:
		return "missing " + firstIDs(missing, 5)
	case len(extra) > 0:
		return "unexpected " + firstIDs(extra, 5)
	}
	return ""
}

func firstIDs(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:n], ", ") + fmt.Sprintf(" and %d more", len(ids)-n)
}

// encodeChunk writes the chunk's rows as the file had them: CSV with the
// file's header, or JSON objects with each row's own keys (a key the file
// left out is never sent, so it cannot blank anything even with Overwrite).
func encodeChunk(t *table, ch []*record, format Format) ([]byte, error) {
	var buf bytes.Buffer
	if format == CSV {
		w := csv.NewWriter(&buf)
		w.Write(t.header)
		for _, rec := range ch {
			for _, rw := range rec.rows {
				w.Write(rw.vals)
			}
		}
		w.Flush()
		return buf.Bytes(), w.Error()
	}
	buf.WriteByte('[')
	first := true
	for _, rec := range ch {
		for _, rw := range rec.rows {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.WriteByte('{')
			for i, k := range rw.keys {
				if i > 0 {
					buf.WriteByte(',')
				}
				kb, _ := json.Marshal(k)
				buf.Write(kb)
				buf.WriteByte(':')
				buf.Write(rw.raw[i])
			}
			buf.WriteByte('}')
		}
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

// serverProblems turns REDCap's refusal lines into Problems, placed at the
// first row of the record that holds the field.
func serverProblems(ch []*record, ps []client.ImportProblem) Problems {
	var out Problems
	for _, p := range ps {
		pr := Problem{Record: p.Record, Field: p.Field, Value: p.Value, Message: "REDCap: " + p.Message}
		for _, rec := range ch {
			if rec.id != p.Record {
				continue
			}
			for _, rw := range rec.rows {
				if _, ok := rw.get(p.Field); ok {
					pr.Line, pr.Row = rw.line, rw.num
					break
				}
			}
		}
		out = append(out, pr)
	}
	return out
}
