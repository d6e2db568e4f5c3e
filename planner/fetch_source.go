package planner

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
)

// LocalSources lists the sources other than records: each is one API export
// seen as a table and evaluated locally.
var LocalSources = []string{"metadata", "fields", "instruments", "events", "arms", "fem", "repeating", "users", "dags", "project"}

// projectColumns is the key order of REDCap's project-info export.
var projectColumns = []string{
	"project_id", "project_title", "creation_time", "production_time", "in_production",
	"project_language", "purpose", "purpose_other", "project_notes", "custom_record_label",
	"secondary_unique_field", "is_longitudinal", "has_repeating_instruments_or_events",
	"surveys_enabled", "scheduling_enabled", "record_autonumbering_enabled",
	"randomization_enabled", "ddp_enabled", "project_irb_number", "project_grant_number",
	"project_pi_firstname", "project_pi_lastname", "display_today_now_button",
	"missing_data_codes", "external_modules", "bypass_branching_erase_field_prompt",
}

// sourceTypes maps a local source to the client type of one export row.
var sourceTypes = map[string]reflect.Type{
	"metadata":    reflect.TypeFor[client.MetadataField](),
	"fields":      reflect.TypeFor[client.ExportFieldName](),
	"instruments": reflect.TypeFor[client.Instrument](),
	"events":      reflect.TypeFor[client.Event](),
	"arms":        reflect.TypeFor[client.Arm](),
	"fem":         reflect.TypeFor[client.FormEventMapping](),
	"repeating":   reflect.TypeFor[client.RepeatingFormEvent](),
}

// SourceColumns returns the columns of a local source (its export's keys,
// in REDCap's order); false for a name that is not a local source. The
// project source may gain columns a newer server sends.
func SourceColumns(source string) ([]string, bool) {
	switch source {
	case "project":
		return slices.Clone(projectColumns), true
	case "users":
		return slices.Clone(userColumns), true
	case "dags":
		return slices.Clone(dagColumns), true
	}
	t, ok := sourceTypes[source]
	if !ok {
		return nil, false
	}
	return structColumns(t), true
}

// structColumns lists the json keys of a struct type, in field order.
func structColumns(t reflect.Type) []string {
	var cols []string
	for i := range t.NumField() {
		if name, ok := jsonKey(t.Field(i)); ok {
			cols = append(cols, name)
		}
	}
	return cols
}

func jsonKey(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" || !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return "", false
	}
	return name, true
}

// FetchSource exports a local source (see LocalSources) and returns it as
// raw rows whose columns are the export's keys. A classic project has no
// events, arms or mappings: those sources are then empty, not an error.
func FetchSource(ctx context.Context, c *client.Client, source string) (RawRows, error) {
	cols, ok := SourceColumns(source)
	if !ok {
		return nil, fmt.Errorf("no local source %q (sources: records, %s)", source, strings.Join(LocalSources, ", "))
	}
	var (
		rows any
		err  error
	)
	switch source {
	case "metadata":
		rows, err = c.ExportMetadata(ctx, client.ExportMetadataParams{})
	case "fields":
		rows, err = c.ExportFieldNames(ctx, client.ExportFieldNamesParams{})
	case "instruments":
		rows, err = c.ExportInstruments(ctx)
	case "events", "arms", "fem":
		var info *client.ProjectInfo
		info, err = c.ExportProjectInfo(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		if !info.IsLongitudinal {
			return NewTableRows(cols, nil), nil
		}
		switch source {
		case "events":
			rows, err = c.ExportEvents(ctx, client.ExportEventsParams{})
		case "arms":
			rows, err = c.ExportArms(ctx, client.ExportArmsParams{})
		default:
			rows, err = c.ExportFormEventMapping(ctx, client.ExportFormEventMappingParams{})
		}
	case "repeating":
		rows, err = c.ExportRepeatingFormsEvents(ctx)
	case "users", "dags":
		return fetchAccessSource(ctx, c, source)
	case "project":
		var info *client.ProjectInfo
		info, err = c.ExportProjectInfo(ctx)
		if err != nil {
			return nil, fmt.Errorf("project: %w", err)
		}
		return projectTable(info), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return structTable(cols, rows), nil
}

// structTable lays out a slice of tagged structs as a table.
func structTable(cols []string, slice any) *TableRows {
	v := reflect.ValueOf(slice)
	out := make([][]string, v.Len())
	for i := range v.Len() {
		e := v.Index(i)
		t := e.Type()
		row := make([]string, 0, len(cols))
		for j := range t.NumField() {
			if _, ok := jsonKey(t.Field(j)); ok {
				row = append(row, formatValue(e.Field(j).Interface()))
			}
		}
		out[i] = row
	}
	return NewTableRows(cols, out)
}

// formatValue writes a value as REDCap's CSV export would.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// projectTable is the one-row project table, from the raw attributes when
// the client kept them (newer keys are appended, sorted).
func projectTable(info *client.ProjectInfo) *TableRows {
	cols := slices.Clone(projectColumns)
	var extra []string
	for k := range info.Raw {
		if !slices.Contains(cols, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	cols = append(cols, extra...)
	row := make([]string, len(cols))
	if info.Raw != nil {
		for i, c := range cols {
			row[i] = formatValue(info.Raw[c])
		}
	} else {
		typed := []any{info.ProjectID, info.ProjectTitle, info.CreationTime, info.ProductionTime, info.InProduction,
			info.ProjectLanguage, info.Purpose, info.PurposeOther, info.ProjectNotes, info.CustomRecordLabel,
			info.SecondaryUniqueField, info.IsLongitudinal, info.HasRepeatingInstrumentsOrEvents,
			info.SurveysEnabled, info.SchedulingEnabled, info.RecordAutonumberingEnabled,
			info.RandomizationEnabled, info.DDPEnabled, info.ProjectIRBNumber, info.ProjectGrantNumber,
			info.ProjectPIFirstname, info.ProjectPILastname, info.DisplayTodayNowButton,
			info.MissingDataCodes, info.ExternalModules, info.BypassBranchingEraseFieldPrompt}
		for i, v := range typed {
			row[i] = formatValue(v)
		}
	}
	return NewTableRows(cols, [][]string{row})
}

// TableRows is an in-memory RawRows.
type TableRows struct {
	cols []string
	rows [][]string
	i    int
}

// NewTableRows returns rows over cols and rows (not copied).
func NewTableRows(cols []string, rows [][]string) *TableRows {
	return &TableRows{cols: cols, rows: rows}
}

// Columns returns the column names.
func (t *TableRows) Columns() []string { return t.cols }

// Next advances to the next row.
func (t *TableRows) Next() bool {
	if t.i >= len(t.rows) {
		return false
	}
	t.i++
	return true
}

// Row returns the current row.
func (t *TableRows) Row() []string { return t.rows[t.i-1] }

// Err is always nil.
func (t *TableRows) Err() error { return nil }

// Close does nothing.
func (t *TableRows) Close() error { return nil }

// Len returns the number of rows.
func (t *TableRows) Len() int { return len(t.rows) }
