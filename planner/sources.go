package planner

import (
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// SourceColumn is one column of a source other than records.
type SourceColumn struct {
	Name string
	Kind client.Kind // KindText or KindNumber
}

// numericSourceColumns are the source columns typed as numbers; the others are text.
var numericSourceColumns = map[string]bool{
	"arm_num": true, "event_id": true, "day_offset": true, "offset_min": true, "offset_max": true,
	"data_access_group_id": true, "project_id": true, "in_production": true, "purpose": true,
	"is_longitudinal": true, "has_repeating_instruments_or_events": true, "surveys_enabled": true,
	"scheduling_enabled": true, "record_autonumbering_enabled": true, "randomization_enabled": true,
	"ddp_enabled": true, "display_today_now_button": true, "bypass_branching_erase_field_prompt": true,
	"design": true, "user_rights": true, "data_access_groups": true, "reports": true, "stats_and_charts": true,
	"manage_survey_participants": true, "calendar": true, "data_import_tool": true,
	"data_comparison_tool": true, "logging": true, "file_repository": true, "data_quality_create": true,
	"data_quality_execute": true, "api_export": true, "api_import": true, "mobile_app": true,
	"mobile_app_download_data": true, "record_create": true, "record_rename": true, "record_delete": true,
	"lock_records_customization": true, "lock_records": true, "lock_records_all_forms": true,
}

// SourceTable returns the typed columns of a source other than records (nil
// for records or an unknown source): the names of SourceColumns, numbers
// typed as numbers and the rest as text. The engine feeds the matching
// export as RawRows with those column names; extra columns are ignored and
// absent ones read as null.
func SourceTable(source string) []SourceColumn {
	names, ok := SourceColumns(source)
	if !ok {
		return nil
	}
	out := make([]SourceColumn, len(names))
	for i, n := range names {
		out[i] = SourceColumn{Name: n, Kind: client.KindText}
		if numericSourceColumns[n] {
			out[i].Kind = client.KindNumber
		}
	}
	return out
}

// planSource plans a query over a local table: every condition is local.
func (pl *Planner) planSource(p *Plan) (*Plan, error) {
	s := p.Stmt
	cols := SourceTable(p.Source)
	if cols == nil {
		return nil, errAt(s.From.Pos(), "", "no source '%s' (sources: %s)", p.Source, strings.Join(lang.Sources, ", "))
	}
	a := newAnalysis(pl, pl.now())
	a.params = p.params
	a.table = cols
	p.a = a
	if s.Where != nil {
		if err := a.cond(s.Where); err != nil {
			return nil, err
		}
	}
	prog, err := a.checkOutput(s)
	if err != nil {
		return nil, err
	}
	p.prog = prog
	for _, e := range conjuncts(s.Where) {
		p.Conjuncts = append(p.Conjuncts, Conjunct{Source: e.String(), Class: Local, Pos: e.Pos(), expr: e})
		p.residual = append(p.residual, e)
	}
	if err := p.compile(); err != nil {
		return nil, err
	}
	return p, nil
}

// resolveTable resolves a name against a source's columns.
func (a *analysis) resolveTable(r *lang.Ref) (*column, error) {
	if r.Event != "" {
		return nil, errAt(r.Pos(), "", "[%s][%s]: event-pinned references apply to records only", r.Event, r.Name)
	}
	for _, c := range a.table {
		if c.Name == r.Name {
			return a.slotFor(&column{kind: ckTable, name: c.Name, tkind: c.Kind}), nil
		}
	}
	var names []string
	for _, c := range a.table {
		names = append(names, c.Name)
	}
	if s := nearest(r.Name, names); s != "" {
		return nil, errAt(r.Pos(), "", "no column '%s'; did you mean '%s'?", r.Name, s)
	}
	return nil, errAt(r.Pos(), "", "no column '%s' (columns: %s)", r.Name, strings.Join(names, ", "))
}
