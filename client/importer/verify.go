package importer

import (
	"context"
	"strings"

	"github.com/redcapql/rq/client"
)

// verify exports the chunk's records (a verified read: see below) and reports whether every value the
// chunk sends is what the server holds (blanks too with Overwrite). REDCap
// stores a request whole or not at all, so a full match means the chunk
// was stored (or the data already matched, which leaves the same result).
func (im *Importer) verify(ctx context.Context, chk *checked, ch []*record, o Options) (bool, error) {
	forms := map[string]bool{}
	var formList []string
	for _, col := range chk.columns {
		if col.field != nil && !col.ignored && col.form != "" && !forms[col.form] {
			forms[col.form] = true
			formList = append(formList, col.form)
		}
	}
	events := map[string]bool{}
	var eventList []string
	for _, rec := range ch {
		for _, rw := range rec.rows {
			if ev, _ := rw.get("redcap_event_name"); strings.TrimSpace(ev) != "" && !events[strings.TrimSpace(ev)] {
				events[strings.TrimSpace(ev)] = true
				eventList = append(eventList, strings.TrimSpace(ev))
			}
		}
	}
	// JSON, whose closing bracket proves the answer whole (a CSV cut at a
	// row end would parse and read as "not stored"); a cut body is
	// fetched again, then fails, and the chunk's records are unknown.
	recs, err := im.c.ExportRecords(ctx, client.ExportRecordsParams{Records: recordIDs(ch),
		Fields: []string{im.dict.RecordIDField()}, Forms: formList, Events: eventList, Format: "json"})
	if err != nil {
		return false, err
	}
	colIdx := map[string]int{}
	for i, c := range recs.Columns {
		colIdx[c] = i
	}
	key := func(get func(string) (string, bool)) string {
		var parts []string
		for _, c := range []string{im.dict.RecordIDField(), "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"} {
			v, _ := get(c)
			v = strings.TrimLeft(strings.TrimSpace(v), "0")
			parts = append(parts, v)
		}
		return strings.Join(parts, "\x00")
	}
	stored := map[string][]string{}
	for _, r := range recs.Rows {
		stored[key(func(c string) (string, bool) {
			if i, ok := colIdx[c]; ok {
				return r[i], true
			}
			return "", false
		})] = r
	}
	for _, rec := range ch {
		for _, rw := range rec.rows {
			k := rw
			if im.st.repeatEvent[strings.TrimSpace(first(rw.get("redcap_event_name")))] && strings.TrimSpace(first(rw.get("redcap_repeat_instance"))) == "" {
				// a repeating event's row without an instance is instance 1
				k = &row{keys: append(append([]string(nil), rw.keys...), "redcap_repeat_instance"), vals: append(append([]string(nil), rw.vals...), "1")}
			}
			srow, ok := stored[key(k.get)]
			for i, name := range rw.keys {
				col := chk.columns[name]
				if col == nil || col.field == nil || col.ignored || name == im.dict.RecordIDField() {
					continue
				}
				want := strings.TrimSpace(rw.vals[i])
				if want == "" && !o.Overwrite {
					continue
				}
				if !ok {
					return false, nil
				}
				ci, has := colIdx[name]
				if !has {
					return false, nil
				}
				if !im.sameValue(col, want, strings.TrimSpace(srow[ci])) {
					return false, nil
				}
			}
		}
	}
	return true, nil
}

func first(s string, _ bool) string { return s }

// sameValue compares a file value with a stored one as REDCap normalises
// them (dates to ISO, times to two digits, numbers by value).
func (im *Importer) sameValue(col *column, want, got string) bool {
	if want == got {
		return true
	}
	f := col.field
	if col.code != "" || col.status || want == "" || got == "" {
		return false
	}
	if f.Kind == client.KindDate || f.Kind == client.KindDatetime {
		if iso, ok := im.isoDate(want); ok {
			want = iso
		}
	}
	a, errA := f.Parse(want)
	b, errB := f.Parse(got)
	if errA != nil || errB != nil || a.Kind != b.Kind || a.Missing != b.Missing {
		return false
	}
	switch a.Kind {
	case client.KindNumber:
		return a.Num == b.Num
	case client.KindDate, client.KindDatetime, client.KindTime:
		return a.Time.Equal(b.Time)
	case client.KindText:
		return a.Str == b.Str
	}
	return a.Kind == client.KindNull
}
