package planner

import (
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// ColumnFields returns, for each result column, the dictionary field whose
// values it holds unchanged (a plain reference to the field, as named in
// the dictionary), or nil for pseudo columns, checkbox ___code columns,
// event-pinned references and computed values. Typed output formats
// (Parquet) type the column from the field.
func (p *Plan) ColumnFields() []*client.Field {
	if p.prog == nil {
		return nil
	}
	items := p.prog.items[:len(p.prog.items)-p.prog.hidden]
	out := make([]*client.Field, len(items))
	if p.Source != "records" {
		return out
	}
	for i, it := range items {
		r, ok := it.expr.(*lang.Ref)
		if !ok || r.Event != "" {
			continue
		}
		if f, ok := p.pl.cat.Dictionary().Field(r.Name); ok && strings.EqualFold(f.Name, r.Name) {
			if !r.Bracketed && isPseudoName(r.Name) {
				continue // the pseudo column, not a field of that name
			}
			out[i] = f
		}
	}
	return out
}

// isPseudoName reports whether an unbracketed name is one of the columns
// every record row has.
func isPseudoName(name string) bool {
	switch strings.ToLower(name) {
	case "record", "event", "arm", "instrument", "instance", "dag", "form":
		return true
	}
	return false
}

// Dictionary returns the data dictionary the plan was checked against.
func (p *Plan) Dictionary() *client.Dictionary { return p.pl.cat.Dictionary() }

// Planner returns the planner that made the plan.
func (p *Plan) Planner() *Planner { return p.pl }
