package catalog

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
)

// Source is one table a query reads from: records (the project's data,
// fetched in batches by the planner's fetch code) or one API export seen as
// a table and evaluated locally.
type Source struct {
	Name string // as written after from (lang.Sources)
	Help string // one line for \dt and completion
	// Export is the API call behind the source (its content parameter).
	Export string

	columns []string // the export's keys in REDCap's order (nil for records)
	fetch   func(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error)
}

// Column is one column of a local source.
type Column struct {
	Name string
	Kind client.Kind // KindText or KindNumber
}

// sourceSpecs says, for each name of lang.Sources (the grammar's list, the
// one list of source names), what the source holds and how it is fetched.
// Sources returns them in lang.Sources' order.
var sourceSpecs = map[string]*Source{
	"records":     {Help: "the project's data, one row per record, event and instance", Export: "record"},
	"metadata":    {Help: "the data dictionary, one row per field", Export: "metadata", columns: structColumns(reflect.TypeFor[client.MetadataField]()), fetch: fetchMetadata},
	"fields":      {Help: "export field names (checkbox columns expanded)", Export: "exportFieldNames", columns: structColumns(reflect.TypeFor[client.ExportFieldName]()), fetch: fetchFields},
	"instruments": {Help: "forms and their labels", Export: "instrument", columns: structColumns(reflect.TypeFor[client.Instrument]()), fetch: fetchInstruments},
	"events":      {Help: "events (longitudinal projects)", Export: "event", columns: structColumns(reflect.TypeFor[client.Event]()), fetch: fetchEvents},
	"arms":        {Help: "arms (longitudinal projects)", Export: "arm", columns: structColumns(reflect.TypeFor[client.Arm]()), fetch: fetchArms},
	"fem":         {Help: "the form–event mapping", Export: "formEventMapping", columns: structColumns(reflect.TypeFor[client.FormEventMapping]()), fetch: fetchFEM},
	"repeating":   {Help: "repeating instruments and events", Export: "repeatingFormsEvents", columns: structColumns(reflect.TypeFor[client.RepeatingFormEvent]()), fetch: fetchRepeating},
	"users":       {Help: "project users and their rights", Export: "user", columns: userColumns, fetch: fetchUsers},
	"dags":        {Help: "data access groups", Export: "dag", columns: dagColumns, fetch: fetchDAGs},
	"project":     {Help: "project settings (one row)", Export: "project", columns: projectColumns, fetch: fetchProject},
}

// sources is sourceSpecs in lang.Sources' order.
var sources = func() []*Source {
	out := make([]*Source, 0, len(lang.Sources))
	for _, name := range lang.Sources {
		s, ok := sourceSpecs[name]
		if !ok {
			panic("catalog: lang.Sources names " + name + ", which has no entry in sourceSpecs")
		}
		s.Name = name
		out = append(out, s)
	}
	return out
}()

// Sources returns every source, records first, in the grammar's order.
func Sources() []*Source { return sources }

// LookupSource returns the source of a name (lower case, as the parser
// leaves it).
func LookupSource(name string) (*Source, bool) {
	s, ok := sourceSpecs[name]
	return s, ok
}

// SourceNames returns the names of every source, records first.
func SourceNames() []string { return slices.Clone(lang.Sources) }

// IsRecords reports whether the source is the project's data.
func (s *Source) IsRecords() bool { return s.fetch == nil }

// ColumnNames returns a local source's columns (its export's keys, in
// REDCap's order; nil for records). The users and project sources may gain
// columns a server sends beyond these.
func (s *Source) ColumnNames() []string { return slices.Clone(s.columns) }

// Columns returns a local source's typed columns: numbers typed as numbers
// and the rest as text (nil for records). The engine reads the export with
// these column names; extra columns are ignored and absent ones read as null.
func (s *Source) Columns() []Column {
	if s.columns == nil {
		return nil
	}
	out := make([]Column, len(s.columns))
	for i, n := range s.columns {
		out[i] = Column{Name: n, Kind: client.KindText}
		if numericSourceColumns[n] {
			out[i].Kind = client.KindNumber
		}
	}
	return out
}

// Fetch exports a local source and returns its rows as text, columns being
// the export's keys. A classic project has no events, arms or mappings:
// those sources are then empty, not an error. Records are not fetched here
// (the planner fetches them in batches).
func (s *Source) Fetch(ctx context.Context, c *client.Client) (cols []string, rows [][]string, err error) {
	if s.fetch == nil {
		return nil, nil, fmt.Errorf("catalog: %s is fetched in batches, not as one table (sources: %s)", s.Name, strings.Join(lang.Sources, ", "))
	}
	return s.fetch(ctx, c, slices.Clone(s.columns))
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
