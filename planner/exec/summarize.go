package exec

import (
	"math"
	"slices"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// SummaryColumns are the columns of a summarize statement's result: one row
// per column of the summarized rows.
//
//	field, form, type, validation  the column and, for a project field, its dictionary entry
//	rows                           rows counted (for fields of records: the rows of events
//	                               and instruments that hold the field's form)
//	n                              values present and valid
//	blank                          blank values (a checkbox with nothing ticked)
//	missing, missing_codes         missing-data codes: their number, and each code's ("UNK 3, NA 1")
//	invalid, invalid_examples      values that do not fit the field, and up to 3 of them
//	distinct                       distinct values present
//	min, max, mean, median, stddev numbers, dates, datetimes and times (stddev in the
//	                               number's unit, days for dates and datetimes, seconds for times)
//	top                            choice fields: the most frequent codes, with label and count
//	histogram                      the distribution in Unicode blocks: one bar per choice,
//	                               or 8 equal-width bins from min to max
var SummaryColumns = []string{"field", "form", "type", "validation", "rows", "n", "blank",
	"missing", "missing_codes", "invalid", "invalid_examples", "distinct",
	"min", "max", "mean", "median", "stddev", "top", "histogram"}

// Summarize reads every row of in, in one pass with bounded memory (see
// ExactValues), and returns one row per column of in (SummaryColumns). A
// column named after a project field is described by the dictionary; for the
// project's records (the columns redcap_event_name or event, and
// redcap_repeat_instrument or instrument, present, as with select *), a
// field counts only on rows whose event and instrument hold its form, so
// that a visit field is not "missing" on every enrollment row. The
// pseudo-columns of records (redcap_event_name and the like) are left out
// when the summary is of select *.
// stmt is the statement whose rows in are: a column is taken for a field
// only when it comes from select * or from the field itself, never from an
// expression or an alias that happens to have a field's name
// (label(sex) as sex holds labels, not codes).
func Summarize(cat *catalog.Catalog, in Rows, stmt *lang.Select) Rows {
	return &summaryRows{cat: cat, in: in, stmt: stmt}
}

type summaryRows struct {
	cat  *catalog.Catalog
	stmt *lang.Select
	in   Rows
	out  [][]client.Value
	i    int
	done bool
	err  error
}

func (s *summaryRows) Columns() []string { return SummaryColumns }

func (s *summaryRows) Next() bool {
	if !s.done {
		s.done = true
		s.out, s.err = s.run()
	}
	if s.err != nil || s.i >= len(s.out) {
		return false
	}
	s.i++
	return true
}

func (s *summaryRows) Row() []client.Value { return s.out[s.i-1] }
func (s *summaryRows) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.in.Err()
}
func (s *summaryRows) Close() error { return s.in.Close() }
func (s *summaryRows) Stats() PipelineStats {
	st := s.in.Stats()
	st.RowsOut = int64(len(s.out))
	return st
}

// run is the single pass.
func (s *summaryRows) run() ([][]client.Value, error) {
	cols := s.in.Columns()
	d := s.cat.Dictionary()
	eventCol, instrCol, recCol := -1, -1, -1
	for i, c := range cols {
		switch c {
		case "redcap_event_name", "event":
			eventCol = i
		case "redcap_repeat_instrument", "instrument":
			instrCol = i
		case d.RecordIDField(), "record":
			if recCol < 0 {
				recCol = i
			}
		}
	}
	scoped := instrCol >= 0 && (eventCol >= 0 || !s.cat.Longitudinal())
	var stats []*colStats
	var idx []int
	for i, c := range cols {
		if d.IsPlumbingColumn(c) && c != d.RecordIDField() {
			continue
		}
		f, ok := d.Field(c)
		if !ok || !s.fieldColumn(c) {
			f = nil
		}
		stats = append(stats, newColStats(c, f))
		idx = append(idx, i)
	}
	holds := formHolder(s.cat)
	for s.in.Next() {
		row := s.in.Row()
		rec, event, instr := "", "", ""
		if recCol >= 0 {
			rec = row[recCol].String()
		}
		if eventCol >= 0 {
			event = row[eventCol].String()
		}
		if instrCol >= 0 {
			instr = row[instrCol].String()
		}
		for k, c := range stats {
			if scoped && c.field != nil && c.field.Name != d.RecordIDField() && !holds(event, instr, c.field.Form) {
				continue
			}
			c.add(row[idx[k]], rec)
		}
	}
	if err := s.in.Err(); err != nil {
		return nil, err
	}
	out := make([][]client.Value, 0, len(stats))
	for _, c := range stats {
		out = append(out, c.row(d.MissingCodes()))
	}
	return out, nil
}

// formHolder returns a test: does a row of event (and repeat instrument
// instr) hold form? A longitudinal project's form is on the events the
// mapping designates; a repeating instrument's fields are on its own
// instance rows only, every other form's on the non-instance rows.
func formHolder(cat *catalog.Catalog) func(event, instr, form string) bool {
	onEvent := map[[2]string]bool{}
	for _, m := range cat.FEM() {
		onEvent[[2]string{m.Event, m.Form}] = true
	}
	repeating := map[[2]string]bool{}
	for _, r := range cat.Repeating() {
		if r.Form != "" {
			repeating[[2]string{r.Event, r.Form}] = true
		}
	}
	mapped := cat.Longitudinal() && len(cat.FEM()) > 0
	return func(event, instr, form string) bool {
		if mapped && !onEvent[[2]string{event, form}] {
			return false
		}
		if instr != "" {
			return instr == form
		}
		ev := event
		if !cat.Longitudinal() {
			ev = ""
		}
		return !repeating[[2]string{ev, form}]
	}
}

// row is the column's summary row, in SummaryColumns order.
func (c *colStats) row(missingOrder []client.Choice) []client.Value {
	text := func(s string) client.Value {
		if s == "" {
			return client.Value{}
		}
		return client.Value{Kind: client.KindText, Str: s}
	}
	count := func(n int64) client.Value { return client.Value{Kind: client.KindNumber, Num: float64(n)} }
	var form, typ, validation string
	if c.field != nil {
		form, typ, validation = c.field.Form, c.field.FieldType, c.field.Validation
	} else if c.kind != client.KindNull {
		typ = c.kind.String()
	}
	var missing int64
	for _, n := range c.missing {
		missing += n
	}
	r := []client.Value{text(c.name), text(form), text(typ), text(validation),
		count(c.rows), count(c.n), count(c.blank), count(missing), text(c.missingText(missingOrder)),
		count(c.invalid), text(strings.Join(c.examples, ", ")), count(c.distinctCount()),
		{}, {}, {}, {}, {}, {}, text(c.histogram())}
	if c.numeric() && c.nums > 0 {
		slices.Sort(c.sample)
		r[12], r[13] = c.fromFloat(c.min), c.fromFloat(c.max)
		r[14], r[15] = c.fromFloat(c.mean), c.fromFloat(median(c.sample))
		if c.nums > 1 {
			r[16] = numberValue(math.Sqrt(c.m2 / float64(c.nums-1)))
		}
	}
	if c.choice() {
		r[17] = text(c.topText())
	}
	return r
}

// fieldColumn reports whether column name holds the field of that name.
func (s *summaryRows) fieldColumn(name string) bool {
	if s.stmt == nil {
		return true
	}
	star := false
	for _, it := range s.stmt.Items {
		switch {
		case it.Star:
			star = true
		case it.Alias == name:
			r, ok := it.Expr.(*lang.Ref)
			return ok && r.Event == "" && r.Name == name
		case it.Alias == "":
			if r, ok := it.Expr.(*lang.Ref); ok && r.Event == "" && r.Name == name {
				return true
			}
		}
	}
	return star
}
