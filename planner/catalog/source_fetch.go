package catalog

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

// The fetch functions of the local sources (sourceSpecs), one API export each.

func fetchMetadata(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return structExport(c.ExportMetadata(ctx, client.ExportMetadataParams{}))(cols, "metadata")
}

func fetchFields(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return structExport(c.ExportFieldNames(ctx, client.ExportFieldNamesParams{}))(cols, "fields")
}

func fetchInstruments(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return structExport(c.ExportInstruments(ctx))(cols, "instruments")
}

func fetchRepeating(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return structExport(c.ExportRepeatingFormsEvents(ctx))(cols, "repeating")
}

func fetchEvents(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return longitudinal(ctx, c, cols, "events", func() ([]string, [][]string, error) {
		return structExport(c.ExportEvents(ctx, client.ExportEventsParams{}))(cols, "events")
	})
}

func fetchArms(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return longitudinal(ctx, c, cols, "arms", func() ([]string, [][]string, error) {
		return structExport(c.ExportArms(ctx, client.ExportArmsParams{}))(cols, "arms")
	})
}

func fetchFEM(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	return longitudinal(ctx, c, cols, "fem", func() ([]string, [][]string, error) {
		return structExport(c.ExportFormEventMapping(ctx, client.ExportFormEventMappingParams{}))(cols, "fem")
	})
}

func fetchProject(ctx context.Context, c *client.Client, cols []string) ([]string, [][]string, error) {
	info, err := c.ExportProjectInfo(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("project: %w", err)
	}
	cols, rows := projectTable(cols, info)
	return cols, rows, nil
}

// longitudinal runs fetch in a longitudinal project; a classic one has no
// events, arms or mappings, so the source is empty there (REDCap answers
// those exports with an error).
func longitudinal(ctx context.Context, c *client.Client, cols []string, source string, fetch func() ([]string, [][]string, error)) ([]string, [][]string, error) {
	info, err := c.ExportProjectInfo(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	if !info.IsLongitudinal {
		return cols, nil, nil
	}
	return fetch()
}

// structExport lays out an export's typed rows as a table named after its
// json keys: structExport(c.ExportX(ctx))(cols, source).
func structExport[T any](rows []T, err error) func(cols []string, source string) ([]string, [][]string, error) {
	return func(cols []string, source string) ([]string, [][]string, error) {
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", source, err)
		}
		return cols, structTable(cols, rows), nil
	}
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

// structTable lays out a slice of tagged structs as a table.
func structTable(cols []string, slice any) [][]string {
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
	return out
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
func projectTable(cols []string, info *client.ProjectInfo) ([]string, [][]string) {
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
	return cols, [][]string{row}
}
