package mirror

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/parquetio"
	"github.com/redcapql/rq/planner/catalog"
	"github.com/redcapql/rq/planner/fetch"
)

// Options tune a sync.
type Options struct {
	// Overlap is subtracted from the last sync's time when asking for the
	// records changed since (default 10 minutes): it covers clock skew
	// between rq and the server and changes saved during the last export.
	Overlap time.Duration
	// Now is the clock a sync falls back on when the server's answer has no
	// Date header (default time.Now). A sync records the server's time of
	// its export (client.ServerTime) so that the next one's dateRangeBegin
	// is in the server's clock, whatever the local clock says.
	Now func() time.Time
	// Full forces a full export.
	Full bool
	// PartRecords is how many records a part holds at most (default
	// 20,000): a change rewrites only the parts holding changed records.
	PartRecords int
	// Log, when set, is told each step (rq mirror -v).
	Log func(msg string)
	// Location is the server's time zone for dateRangeBegin and the log's
	// beginTime (default time.Local).
	Location *time.Location
}

func (o *Options) defaults() {
	if o.Overlap == 0 {
		o.Overlap = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PartRecords <= 0 {
		o.PartRecords = 20000
	}
	if o.Location == nil {
		o.Location = time.Local
	}
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(fmt.Sprintf(format, args...))
	}
}

// syncer is one sync's work.
type syncer struct {
	c      *client.Client
	dir    string
	opts   Options
	st     *State // previous state, nil on the first sync
	proj   structure
	dict   *client.Dictionary
	idCol  int
	rep    Report
	gen    string   // new generation folder (name)
	cols   []string // the header of the export being read
	params client.ExportRecordsParams
	// fallback says why a previous mirror cannot be built on (its state,
	// ids or parts unreadable): the sync is then a full export.
	fallback string
}

// Sync brings the mirror in dir up to date with the project behind c: a
// full export the first time (or when the dictionary changed, or with
// Options.Full), else only the records changed since the last sync, the
// deletions from the log (or, without the log right, from the id list).
// On any error the previous mirror stays as it was.
func Sync(ctx context.Context, c *client.Client, dir string, opts Options) (*Report, error) {
	opts.defaults()
	wall := time.Now()
	s := &syncer{c: c, dir: dir, opts: opts}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	st, err := ReadState(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		s.fallback = fmt.Sprintf("the previous state is unreadable (%v)", err)
	default:
		if err := st.ReadIDs(dir); err != nil {
			s.fallback = fmt.Sprintf("the previous record ids are unreadable (%v)", err)
		} else if err := st.checkParts(dir); err != nil {
			s.fallback = fmt.Sprintf("a previous part is unreadable (%v)", err)
		} else {
			s.st = st
		}
	}
	if s.fallback != "" {
		opts.logf("%s: full export", s.fallback)
	}
	if err := s.loadStructure(ctx); err != nil {
		return nil, err
	}
	started, err := s.serverNow(ctx)
	if err != nil {
		return nil, err
	}
	next := 1
	if s.st != nil {
		fmt.Sscanf(s.st.Generation, "gen-%d", &next)
		next++
	}
	s.gen = fmt.Sprintf("gen-%06d", next)
	os.RemoveAll(filepath.Join(dir, s.gen)) // a leftover of a failed sync
	if err := os.MkdirAll(filepath.Join(dir, s.gen), 0o700); err != nil {
		return nil, err
	}
	newState, err := s.run(ctx, started)
	if err != nil {
		os.RemoveAll(filepath.Join(dir, s.gen))
		return nil, err
	}
	if err := writeJSON(filepath.Join(dir, s.gen, "project.json"), &s.proj); err != nil {
		os.RemoveAll(filepath.Join(dir, s.gen))
		return nil, err
	}
	ids := newState.IDs
	if ids == nil {
		ids = []string{}
	}
	if err := writeJSONCompact(filepath.Join(dir, s.gen, IDsFile), ids); err != nil {
		os.RemoveAll(filepath.Join(dir, s.gen))
		return nil, err
	}
	s.rep.Duration = time.Since(wall)
	newState.Last = s.rep
	if err := writeJSON(filepath.Join(dir, StateFile), newState); err != nil {
		os.RemoveAll(filepath.Join(dir, s.gen))
		return nil, err
	}
	// committed: drop every other generation
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && e.Name() != s.gen {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	opts.logf("committed %s: %d records, %d rows", s.gen, newState.Records, newState.Rows)
	return &s.rep, nil
}

// serverNow is the server's clock just before the record export: the
// time this sync's state records (a change saved after it is fetched by
// the next sync; one saved during the export is also covered by the
// overlap). Without a Date header, the local clock stands in, and -v says so.
func (s *syncer) serverNow(ctx context.Context) (time.Time, error) {
	s.rep.Calls++
	t, err := s.c.ServerTime(ctx)
	switch {
	case errors.Is(err, client.ErrNoServerTime):
		t = s.opts.Now()
		s.opts.logf("%v: the local clock (%s) stands for the server's", err, t.UTC().Format(time.RFC3339))
		return t, nil
	case err != nil:
		return time.Time{}, err
	}
	s.opts.logf("server time %s", t.UTC().Format(time.RFC3339))
	return t, nil
}

// loadStructure fetches the dictionary and design (fresh, not cached).
func (s *syncer) loadStructure(ctx context.Context) error {
	s.c.ForgetProject()
	before := s.c.Calls()
	defer func() { s.rep.Calls += int(s.c.Calls() - before) }() // as many as the design needs
	proj, err := s.c.Project(ctx)
	if err != nil {
		return err
	}
	cat, err := catalog.Load(ctx, s.c) // the structure just loaded, and the DAGs
	if err != nil {
		return err
	}
	if err := cat.DAGError(); err != nil && !refused(err) {
		return err
	}
	s.dict = cat.Dictionary()
	info := cat.Design()
	s.proj = structure{Metadata: proj.Metadata(), MissingCodes: proj.Info().MissingDataCodes, Info: info}
	// JSON on the wire: a body cut short never parses (a closed array
	// proves it whole), while a CSV body cut at a row end parses as a
	// shorter export, which a mirror would take for deleted records.
	s.params = client.ExportRecordsParams{Format: "json", ExportBlankForGrayFormStatus: true, ExportDataAccessGroups: len(info.DAGs) > 0}
	return nil
}

func (s *syncer) run(ctx context.Context, started time.Time) (*State, error) {
	sum := s.proj.checksum()
	reason := ""
	switch {
	case s.opts.Full:
		reason = "full refresh asked for (--full)"
	case s.fallback != "":
		reason = s.fallback
	case s.st == nil:
		reason = "first sync"
	case s.st.Checksum != sum:
		reason = fmt.Sprintf("the data dictionary or project design changed (checksum %.12s → %.12s)", s.st.Checksum, sum)
	}
	var parts []Part
	var ids []string
	var cols []string
	var err error
	if reason != "" {
		s.rep.Kind, s.rep.Reason = "full", reason
		s.opts.logf("full export: %s", reason)
		parts, ids, cols, err = s.full(ctx)
	} else {
		s.rep.Kind = "incremental"
		parts, ids, cols, err = s.incremental(ctx)
	}
	if err != nil {
		return nil, err
	}
	info, _ := s.c.Project(ctx)
	st := &State{Version: stateVersion, URL: s.c.URL(), SyncedAt: started.UTC(), Overlap: s.opts.Overlap, Checksum: sum,
		Generation: s.gen, Columns: cols, Parts: parts, Records: len(ids), IDs: ids}
	if info != nil {
		st.ProjectID, st.ProjectTitle = info.Info().ProjectID, info.Info().ProjectTitle
	}
	for _, p := range parts {
		st.Rows += p.Rows
	}
	return st, nil
}

// writerOptions types the parts from the dictionary.
func (s *syncer) writerOptions() parquetio.Options {
	return parquetio.Options{Dict: s.dict, Metadata: map[string]string{"rq.mirror": s.gen}}
}

// partWriter writes whole records into numbered parts.
type partWriter struct {
	s     *syncer
	cols  []string
	parts []Part
	f     *os.File
	w     *parquetio.Writer
	cur   Part
}

func (pw *partWriter) record(id string, rows [][]string) error {
	if pw.w != nil && pw.cur.Records >= pw.s.opts.PartRecords {
		if err := pw.finish(); err != nil {
			return err
		}
	}
	if pw.w == nil {
		name := fmt.Sprintf("part-%05d.parquet", len(pw.parts))
		f, err := os.OpenFile(filepath.Join(pw.s.dir, pw.s.gen, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		pw.f, pw.w, pw.cur = f, parquetio.NewWriter(f, pw.cols, pw.s.writerOptions()), Part{File: name, First: id}
	}
	for _, r := range rows {
		if err := pw.w.WriteRaw(r); err != nil {
			return err
		}
	}
	pw.cur.Last = id
	pw.cur.Records++
	pw.cur.Rows += len(rows)
	return nil
}

func (pw *partWriter) finish() error {
	if pw.w == nil {
		return nil
	}
	err := pw.w.Close()
	if err == nil {
		err = pw.f.Sync()
	}
	if cerr := pw.f.Close(); err == nil {
		err = cerr
	}
	pw.w = nil
	if err != nil {
		return err
	}
	pw.parts = append(pw.parts, pw.cur)
	return nil
}

// export streams a record export, calling fn once per record with its rows
// (REDCap sends a record's rows together, records in order).
func (s *syncer) export(ctx context.Context, p client.ExportRecordsParams, what string, fn func(id string, rows [][]string) error) ([]string, error) {
	s.rep.Calls++
	rs, err := s.c.ExportRecordsStream(ctx, p)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var cur string
	var rows [][]string
	n := 0
	idCol := -1
	flush := func() error {
		if rows == nil {
			return nil
		}
		err := fn(cur, rows)
		rows = nil
		return err
	}
	for rs.Next() {
		if idCol < 0 {
			s.cols = rs.Columns()
			idCol = slices.Index(rs.Columns(), s.dict.RecordIDField())
			if idCol < 0 {
				return nil, fmt.Errorf("record export has no %s column", s.dict.RecordIDField())
			}
		}
		row := slices.Clone(rs.Row())
		if row[idCol] != cur && rows != nil {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		cur = row[idCol]
		rows = append(rows, row)
		n++
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	s.rep.Bytes += rs.BytesRead()
	s.opts.logf("%s: %d rows, %d bytes", what, n, rs.BytesRead())
	cols := rs.Columns()
	if len(cols) == 0 {
		cols = s.header()
	}
	return cols, nil
}

// header is the full export's header when an export has no rows to say it.
func (s *syncer) header() []string {
	if s.st != nil && len(s.st.Columns) > 0 {
		return s.st.Columns
	}
	cols := []string{s.dict.RecordIDField()}
	if s.proj.Info.Longitudinal {
		cols = append(cols, "redcap_event_name")
	}
	if len(s.proj.Info.Repeating) > 0 {
		cols = append(cols, "redcap_repeat_instrument", "redcap_repeat_instance")
	}
	if s.params.ExportDataAccessGroups {
		cols = append(cols, "redcap_data_access_group")
	}
	for _, c := range s.dict.Columns() {
		if c != s.dict.RecordIDField() {
			cols = append(cols, c)
		}
	}
	return cols
}

func (s *syncer) full(ctx context.Context) ([]Part, []string, []string, error) {
	var pw *partWriter
	var ids []string
	cols, err := s.export(ctx, s.params, "export records (all)", func(id string, rows [][]string) error {
		if pw == nil {
			pw = &partWriter{s: s, cols: s.cols}
		}
		ids = append(ids, id)
		return pw.record(id, rows)
	})
	if err != nil {
		if pw != nil && pw.f != nil {
			pw.f.Close()
		}
		return nil, nil, nil, err
	}
	if pw == nil {
		return nil, nil, cols, nil
	}
	if err := pw.finish(); err != nil {
		return nil, nil, nil, err
	}
	s.rep.Added = len(ids)
	s.rep.Rewrote = len(pw.parts)
	return pw.parts, ids, cols, nil
}

// serverTime formats t for dateRangeBegin (seconds) or the log's
// beginTime (minutes) in the server's zone.
func (s *syncer) serverTime(t time.Time, layout string) string {
	return t.In(s.opts.Location).Format(layout)
}

func (s *syncer) incremental(ctx context.Context) ([]Part, []string, []string, error) {
	since := s.st.SyncedAt.Add(-s.opts.Overlap)
	s.rep.Reason = "records changed since " + s.serverTime(since, "2006-01-02 15:04:05")
	s.opts.logf("incremental: %s", s.rep.Reason)
	upd := map[string][][]string{}
	p := s.params
	p.DateRangeBegin = s.serverTime(since, "2006-01-02 15:04:05")
	cols, err := s.export(ctx, p, "export records changed since "+p.DateRangeBegin, func(id string, rows [][]string) error {
		upd[id] = rows
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if !slices.Equal(cols, s.st.Columns) && len(upd) > 0 {
		return nil, nil, nil, fmt.Errorf("the export's columns changed without a dictionary change; run rq mirror --full")
	}
	affected := map[string]bool{}
	for id := range upd {
		affected[id] = true
	}
	s.rep.Changed = len(upd)
	// deletions: the log, else the id list
	s.rep.Calls++
	logs, lerr := s.c.ExportLogging(ctx, client.ExportLoggingParams{LogType: "record_delete", BeginTime: s.serverTime(since, "2006-01-02 15:04")})
	if lerr == nil {
		s.rep.Deletes = "log"
		var refetch []string
		for _, e := range logs {
			if e.Record == "" || affected[e.Record] {
				continue
			}
			affected[e.Record] = true
			refetch = append(refetch, e.Record)
		}
		s.opts.logf("log: %d record deletions since %s", len(refetch), s.serverTime(since, "2006-01-02 15:04"))
		if len(refetch) > 0 { // a partial delete (an event, an instance) leaves the record
			rp := s.params
			rp.Records = refetch
			if _, err := s.export(ctx, rp, fmt.Sprintf("export records %d deleted in the log", len(refetch)), func(id string, rows [][]string) error {
				upd[id] = rows
				return nil
			}); err != nil {
				return nil, nil, nil, err
			}
		}
	} else {
		if !refused(lerr) {
			return nil, nil, nil, lerr
		}
		s.rep.Deletes = "id list"
		s.opts.logf("log not readable (%v): comparing the id list", lerr)
		now := map[string]bool{}
		ip := client.ExportRecordsParams{Format: "json", Fields: []string{s.dict.RecordIDField()}}
		if _, err := s.export(ctx, ip, "export record ids", func(id string, _ [][]string) error {
			now[id] = true
			return nil
		}); err != nil {
			return nil, nil, nil, err
		}
		for _, id := range s.st.IDs {
			if !now[id] {
				affected[id] = true
			}
		}
	}
	return s.merge(affected, upd)
}

// merge builds the new generation: parts holding no affected record are
// linked unchanged, the others rewritten with the fetched rows in place of
// the old ones; new records go where REDCap's order puts them.
func (s *syncer) merge(affected map[string]bool, upd map[string][][]string) ([]Part, []string, []string, error) {
	old := s.st.Parts
	cols := s.st.Columns
	known := map[string]bool{}
	for _, id := range s.st.IDs {
		known[id] = true
	}
	var fresh []string // affected ids with rows, sorted
	for id := range upd {
		fresh = append(fresh, id)
		if !known[id] {
			s.rep.Added++
		}
	}
	sort.Slice(fresh, func(i, j int) bool { return fetch.CompareRecordIDs(fresh[i], fresh[j]) < 0 })
	for id := range affected {
		if _, ok := upd[id]; !ok && known[id] {
			s.rep.Deleted++
		}
	}
	// assign each fresh id to a part: the first whose Last is at or after it
	assign := make([][]string, max(1, len(old)))
	for _, id := range fresh {
		k := len(assign) - 1
		for i, p := range old {
			if fetch.CompareRecordIDs(id, p.Last) <= 0 {
				k = i
				break
			}
		}
		assign[k] = append(assign[k], id)
	}
	var parts []Part
	var ids []string
	for i := 0; i < len(assign); i++ {
		var p Part
		if i < len(old) {
			p = old[i]
		}
		touched := len(assign[i]) > 0
		if !touched && p.File != "" {
			for _, id := range s.idsOf(p) {
				if affected[id] {
					touched = true
					break
				}
			}
		}
		if !touched {
			if err := linkOrCopy(filepath.Join(s.dir, s.st.Generation, p.File), filepath.Join(s.dir, s.gen, p.File)); err != nil {
				return nil, nil, nil, err
			}
			parts = append(parts, p)
			ids = append(ids, s.idsOf(p)...)
			s.rep.Kept++
			continue
		}
		np, pids, err := s.rewrite(p, i, cols, affected, upd, assign[i])
		if err != nil {
			return nil, nil, nil, err
		}
		s.rep.Rewrote++
		if np.Records > 0 {
			parts = append(parts, np)
			ids = append(ids, pids...)
		} else {
			os.Remove(filepath.Join(s.dir, s.gen, np.File))
		}
	}
	return parts, ids, cols, nil
}

// idsOf returns the ids of a part, from the state's id list.
func (s *syncer) idsOf(p Part) []string {
	lo := slices.Index(s.st.IDs, p.First)
	if lo < 0 {
		return nil
	}
	return s.st.IDs[lo : lo+p.Records]
}

// rewrite writes part i anew.
func (s *syncer) rewrite(p Part, i int, cols []string, affected map[string]bool, upd map[string][][]string, fresh []string) (Part, []string, error) {
	name := p.File
	if name == "" {
		name = fmt.Sprintf("part-%05d.parquet", i)
	}
	f, err := os.OpenFile(filepath.Join(s.dir, s.gen, name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return Part{}, nil, err
	}
	w := parquetio.NewWriter(f, cols, s.writerOptions())
	np := Part{File: name}
	var ids []string
	put := func(id string, rows [][]string) error {
		for _, r := range rows {
			if err := w.WriteRaw(r); err != nil {
				return err
			}
		}
		if np.Records == 0 {
			np.First = id
		}
		np.Last = id
		np.Records++
		np.Rows += len(rows)
		ids = append(ids, id)
		return nil
	}
	next := 0 // next fresh id to place
	placeUpTo := func(id string) error {
		for next < len(fresh) && (id == "" || fetch.CompareRecordIDs(fresh[next], id) < 0) {
			if err := put(fresh[next], upd[fresh[next]]); err != nil {
				return err
			}
			next++
		}
		return nil
	}
	fail := func(err error) (Part, []string, error) {
		f.Close()
		return Part{}, nil, err
	}
	if p.File != "" {
		src, err := parquetio.Open(filepath.Join(s.dir, s.st.Generation, p.File))
		if err != nil {
			return fail(err)
		}
		idCol := slices.Index(cols, s.dict.RecordIDField())
		it := src.Rows(cols)
		var cur string
		var rows [][]string
		flush := func() error {
			if rows == nil {
				return nil
			}
			defer func() { rows = nil }()
			if err := placeUpTo(cur); err != nil {
				return err
			}
			if affected[cur] {
				if next < len(fresh) && fresh[next] == cur {
					next++
					return put(cur, upd[cur])
				}
				return nil // deleted
			}
			return put(cur, rows)
		}
		for it.Next() {
			row := slices.Clone(it.Row())
			if row[idCol] != cur && rows != nil {
				if err := flush(); err != nil {
					src.Close()
					return fail(err)
				}
			}
			cur = row[idCol]
			rows = append(rows, row)
		}
		if err := it.Err(); err != nil {
			src.Close()
			return fail(err)
		}
		if err := flush(); err != nil {
			src.Close()
			return fail(err)
		}
		src.Close()
	}
	if err := placeUpTo(""); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return Part{}, nil, err
	}
	return np, ids, nil
}

// linkOrCopy puts an unchanged part into the new generation: a hard link,
// or a copy where links are not supported.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// refused reports whether REDCap answered a call with a refusal (no right,
// 4xx): the sync then does without (DAG names, the log). Anything else, a
// network failure or a server error, fails the sync.
func refused(err error) bool {
	var ae *client.Error
	return errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500
}
