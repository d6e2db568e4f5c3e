package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/planner/catalog"
)

// apiCommand makes a subcommand calling the API with the command's client.
func (a *app) apiCommand(use, short string, args cobra.PositionalArgs, fn func(ctx context.Context, c *client.Client, args []string) error) *cobra.Command {
	if args == nil {
		args = exactArgs(0)
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.begin()
			c, err := a.connect()
			if err != nil {
				return err
			}
			ctx, stop := signalContext()
			defer stop()
			return fn(ctx, c, args)
		},
	}
}

// writeObjects renders a slice of API results. With no results, the header
// is emptyCols when given, else the element type's columns.
func (a *app) writeObjects(items any, emptyCols ...string) error {
	rows, err := render.Objects(items)
	if err != nil {
		return err
	}
	if len(rows.Vals) == 0 && len(emptyCols) > 0 {
		rows.Cols = emptyCols
	}
	return a.write(rows)
}

// notice prints a one-line notice on stderr, unless --quiet.
func (a *app) notice(msg string) {
	if !a.quiet {
		fmt.Fprintln(a.stderr, msg)
	}
}

// writeRaw copies a body to the output unchanged (a file download: only
// its length is checked, by the client).
func (a *app) writeRaw(body io.Reader) error {
	w, closeOut, err := a.out()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, body)
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// writeVerified runs a raw export that verifies its body (and fetches it
// again when the check fails) into the output: the -o file, or a spool
// copied to stdout once the body is proved whole.
func (a *app) writeVerified(what string, export func(w client.Rewinder) error) error {
	if a.verbose {
		fmt.Fprintf(a.stderr, "rq: %s: verified: %s\n", what, verifiedText(what))
	}
	w, finish, err := a.rawSink()
	if err != nil {
		return err
	}
	if err := export(w); err != nil {
		return err
	}
	return finish()
}

// verifiedText says what is proved of an export's body (for -v).
func verifiedText(format string) string {
	if t, ok := client.VerifiedFormats[format]; ok {
		return t
	}
	return "nothing beyond the HTTP framing (this format cannot be verified)"
}

// exportCommand is 'rq export ...': REDCap's export methods.
func (a *app) exportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export from REDCap: records, metadata, fields, instruments, fem, arms, events, repeating, users, roles, dags, logging, report, project, xml, version",
		RunE:  whatCommand,
	}
	cmd.AddCommand(a.exportRecords(), a.exportMetadata(), a.exportFields(), a.exportReport(), a.exportXML(), a.exportLogging())
	var arms []int
	armFlag := func(c *cobra.Command) *cobra.Command {
		c.Flags().IntSliceVar(&arms, "arm", nil, "only these arm numbers (repeatable or comma-separated)")
		return c
	}
	cmd.AddCommand(
		a.apiCommand("instruments", "Export the instruments (forms)", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportInstruments(ctx)
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		}),
		armFlag(a.apiCommand("fem", "Export the instrument–event mapping", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportFormEventMapping(ctx, client.ExportFormEventMappingParams{Arms: arms})
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		})),
		armFlag(a.apiCommand("arms", "Export the arms", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportArms(ctx, client.ExportArmsParams{Arms: arms})
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		})),
		armFlag(a.apiCommand("events", "Export the events", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportEvents(ctx, client.ExportEventsParams{Arms: arms})
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		})),
		a.apiCommand("repeating", "Export the repeating instruments and events", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportRepeatingFormsEvents(ctx)
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		}),
		a.apiCommand("users", "Export the project's users and their rights", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportUsers(ctx)
			if err != nil {
				return err
			}
			users, _ := catalog.LookupSource("users")
			cols := users.ColumnNames() // as 'select * from users'
			return a.writeObjects(v, cols...)
		}),
		a.apiCommand("roles", "Export the user roles", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportUserRoles(ctx)
			if err != nil {
				return err
			}
			return a.writeObjects(v, "unique_role_name", "role_label")
		}),
		a.apiCommand("user-role-mapping", "Export which user has which role", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportUserRoleMapping(ctx)
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		}),
		a.apiCommand("dags", "Export the data access groups", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportDAGs(ctx)
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		}),
		a.apiCommand("user-dag-mapping", "Export which user is in which data access group", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportUserDAGMapping(ctx)
			if err != nil {
				return err
			}
			return a.writeObjects(v)
		}),
		a.apiCommand("project", "Export the project's settings", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			info, err := c.ExportProjectInfo(ctx)
			if err != nil {
				return err
			}
			keys := make([]string, 0, len(info.Raw))
			for k := range info.Raw {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			// project_id and project_title first, the rest by name
			for _, k := range []string{"project_title", "project_id"} {
				if i := slices.Index(keys, k); i >= 0 {
					keys = append([]string{k}, slices.Delete(keys, i, i+1)...)
				}
			}
			numeric := map[string]bool{}
			project, _ := catalog.LookupSource("project")
			for _, col := range project.Columns() {
				numeric[col.Name] = col.Kind == client.KindNumber
			}
			row := make([]client.Value, len(keys))
			for i, k := range keys {
				row[i] = cellOf(info.Raw[k])
				if f, err := strconv.ParseFloat(row[i].Str, 64); err == nil && numeric[k] && row[i].Kind == client.KindText {
					row[i] = client.Value{Kind: client.KindNumber, Num: f, Str: row[i].Str}
				}
			}
			return a.write(&render.Slice{Cols: keys, Vals: [][]client.Value{row}})
		}),
		a.apiCommand("version", "Export the REDCap version", nil, func(ctx context.Context, c *client.Client, _ []string) error {
			v, err := c.ExportVersion(ctx)
			if err != nil {
				return err
			}
			return a.write(render.Strings([]string{"version"}, [][]string{{v}}))
		}),
	)
	return cmd
}

// cellOf converts a decoded JSON value.
func cellOf(v any) client.Value {
	switch t := v.(type) {
	case nil:
		return client.Value{}
	case string:
		if t == "" {
			return client.Value{}
		}
		return render.Text(t)
	case float64:
		return client.Value{Kind: client.KindNumber, Num: t}
	case bool:
		if t {
			return client.Value{Kind: client.KindNumber, Num: 1}
		}
		return client.Value{Kind: client.KindNumber, Num: 0}
	}
	return render.Text(fmt.Sprint(v))
}

// whatCommand is the RunE of a command that only groups subcommands.
func whatCommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q; %s", args[0], cmd.CommandPath(), subNames(cmd))}
	}
	return usageError{fmt.Errorf("%s what? %s", cmd.Name(), subNames(cmd))}
}

func subNames(cmd *cobra.Command) string {
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
	}
	return "want one of: " + strings.Join(names, ", ")
}

// decodedWire is the wire format of the exports that rq decodes and writes
// in its own output format (without --raw): rows are written as they
// arrive, in constant memory, and a body cut short fails the command
// instead of passing for a complete export.
const decodedWire = "json"

func (a *app) exportRecords() *cobra.Command {
	var p client.ExportRecordsParams
	var raw string
	var noRecordID bool
	cmd := a.apiCommand("records", "Export records (REDCap's export records method)", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		checkAgainstProject(ctx, c, p)
		if (len(p.Fields) > 0 || len(p.Forms) > 0) && !noRecordID {
			if err := addRecordID(ctx, c, &p); err != nil {
				return err
			}
		}
		if raw == "" && a.wantsParquet() {
			return a.exportRecordsParquet(ctx, c, p)
		}
		if raw != "" {
			p.Format = raw
			return a.writeVerified(raw, func(w client.Rewinder) error { return c.ExportRecordsRawTo(ctx, p, w) })
		}
		if a.verbose {
			fmt.Fprintf(a.stderr, "rq: export records: verified: %s\n", verifiedText(decodedWire))
		}
		p.Format = decodedWire
		rs, err := newResumingRows(ctx, func() (*client.RecordStream, error) { return c.ExportRecordsVerified(ctx, p) }, a.notice)
		if err != nil {
			return err
		}
		defer rs.Close()
		return a.write(render.RecordRows(rs))
	})
	f := cmd.Flags()
	f.StringSliceVar(&p.Records, "record", nil, "only these record ids (repeatable or comma-separated)")
	f.StringSliceVar(&p.Fields, "field", nil, "only these fields")
	f.StringSliceVar(&p.Forms, "form", nil, "only these forms (instruments)")
	f.StringSliceVar(&p.Events, "event", nil, "only these events")
	f.StringVar(&p.FilterLogic, "filter-logic", "", "REDCap filterLogic the rows must meet")
	f.StringVar(&p.RawOrLabel, "raw-or-label", "", "raw (codes) or label")
	f.StringVar(&p.RawOrLabelHeaders, "raw-or-label-headers", "", "raw (variable names) or label headers")
	f.BoolVar(&p.ExportCheckboxLabel, "export-checkbox-label", false, "checkbox labels instead of Checked/Unchecked with --raw-or-label label")
	f.BoolVar(&p.ExportSurveyFields, "export-survey-fields", false, "add survey identifier and timestamp columns")
	f.BoolVar(&p.ExportDataAccessGroups, "export-data-access-groups", false, "add the redcap_data_access_group column")
	f.BoolVar(&p.ExportBlankForGrayFormStatus, "export-blank-for-gray-form-status", false, "blank instead of 0 for forms never saved")
	f.BoolVar(&p.CombineCheckboxOptions, "combine-checkbox-options", false, "one column per checkbox field")
	f.StringVar(&p.DateRangeBegin, "date-range-begin", "", "only records created or changed after this time (YYYY-MM-DD HH:MM:SS)")
	f.StringVar(&p.DateRangeEnd, "date-range-end", "", "only records created or changed before this time")
	f.StringVar(&p.CSVDelimiter, "csv-delimiter", "", "delimiter of REDCap's CSV (with --raw csv)")
	f.StringVar(&p.DecimalCharacter, "decimal-character", "", "decimal character of numbers (. or ,)")
	f.StringVar(&p.Type, "type", "", "flat (one row per record and event) or eav")
	f.StringVar(&raw, "raw", "", "print REDCap's body unchanged in this wire format: csv, json, xml or odm")
	f.BoolVar(&noRecordID, "no-record-id", false, "with --field or --form, do not add the record-id field (REDCap's own behaviour)")
	cmd.Long = `Export records with REDCap's export records method.

REDCap leaves the record-id field out when --field or --form does not name
it; like PyCap, rq then adds it to the fields, so every row says which record
it belongs to. --no-record-id sends the fields and forms as given.

Every export is verified before it counts as done; a body that fails the
check is fetched again like a 5xx answer, then the command fails. What is
proved, by wire format:
  json  ` + client.VerifiedFormats["json"] + `
  xml   ` + client.VerifiedFormats["xml"] + `
  odm   ` + client.VerifiedFormats["odm"] + `
  csv   ` + client.VerifiedFormats["csv"] + `
With --no-record-id, or --field without the record-id field first, the rows
carry no record id and a CSV body is checked only for a cut inside a quoted
value. -v prints what was verified. With -o the file appears only once the
whole export is verified; --raw to stdout is held back until then.`
	return cmd
}

// addRecordID puts the project's record-id field (the dictionary's first
// field) first in p.Fields unless it is there already.
func addRecordID(ctx context.Context, c *client.Client, p *client.ExportRecordsParams) error {
	meta, err := c.ExportMetadata(ctx, client.ExportMetadataParams{})
	if err != nil {
		return err
	}
	if len(meta) == 0 {
		return fmt.Errorf("export records: the project has no fields")
	}
	id := meta[0].FieldName
	if !slices.Contains(p.Fields, id) {
		p.Fields = append([]string{id}, p.Fields...)
	}
	return nil
}

func (a *app) exportMetadata() *cobra.Command {
	var p client.ExportMetadataParams
	cmd := a.apiCommand("metadata", "Export the data dictionary", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		checkAgainstProject(ctx, c, client.ExportRecordsParams{Fields: p.Fields, Forms: p.Forms})
		v, err := c.ExportMetadata(ctx, p)
		if err != nil {
			return err
		}
		return a.writeObjects(v)
	})
	cmd.Flags().StringSliceVar(&p.Fields, "field", nil, "only these fields")
	cmd.Flags().StringSliceVar(&p.Forms, "form", nil, "only these forms")
	return cmd
}

func (a *app) exportFields() *cobra.Command {
	var p client.ExportFieldNamesParams
	cmd := a.apiCommand("fields", "Export the export field names (checkbox columns expanded)", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		v, err := c.ExportFieldNames(ctx, p)
		if err != nil {
			return err
		}
		return a.writeObjects(v)
	})
	cmd.Flags().StringVar(&p.Field, "field", "", "only this field")
	return cmd
}

func (a *app) exportReport() *cobra.Command {
	var p client.ExportReportParams
	cmd := a.apiCommand("report", "Export a report's rows", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		if p.ReportID == "" {
			return usageError{fmt.Errorf("export report: --report-id is required")}
		}
		p.Format = decodedWire
		rs, err := newResumingRows(ctx, func() (*client.RecordStream, error) { return c.ExportReportStream(ctx, p) }, a.notice)
		if err != nil {
			return err
		}
		defer rs.Close()
		return a.write(render.RecordRows(rs))
	})
	f := cmd.Flags()
	f.StringVar(&p.ReportID, "report-id", "", "the report's id (required)")
	f.StringVar(&p.RawOrLabel, "raw-or-label", "", "raw (codes) or label")
	f.StringVar(&p.RawOrLabelHeaders, "raw-or-label-headers", "", "raw or label headers")
	f.BoolVar(&p.ExportCheckboxLabel, "export-checkbox-label", false, "checkbox labels with --raw-or-label label")
	f.StringVar(&p.DecimalCharacter, "decimal-character", "", "decimal character of numbers")
	return cmd
}

func (a *app) exportXML() *cobra.Command {
	var p client.ExportProjectXMLParams
	cmd := a.apiCommand("xml", "Export the project as REDCap project XML (CDISC ODM)", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		return a.writeVerified("odm", func(w client.Rewinder) error { return c.ExportProjectXMLTo(ctx, p, w) })
	})
	f := cmd.Flags()
	f.BoolVar(&p.ReturnMetadataOnly, "metadata-only", false, "the design without records")
	f.StringSliceVar(&p.Records, "record", nil, "only these records")
	f.StringSliceVar(&p.Fields, "field", nil, "only these fields")
	f.StringSliceVar(&p.Events, "event", nil, "only these events")
	f.BoolVar(&p.ExportSurveyFields, "export-survey-fields", false, "add survey fields")
	f.BoolVar(&p.ExportDataAccessGroups, "export-data-access-groups", false, "add data access groups")
	f.StringVar(&p.FilterLogic, "filter-logic", "", "REDCap filterLogic the records must meet")
	f.BoolVar(&p.ExportFiles, "export-files", false, "embed uploaded files")
	return cmd
}

func (a *app) exportLogging() *cobra.Command {
	var p client.ExportLoggingParams
	cmd := a.apiCommand("logging", "Export the project's log", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		v, err := c.ExportLogging(ctx, p)
		if err != nil {
			return err
		}
		return a.writeObjects(v)
	})
	f := cmd.Flags()
	f.StringVar(&p.LogType, "log-type", "", "export, manage, user, record, record_add, record_edit, record_delete, lock_record or page_view")
	f.StringVar(&p.User, "user", "", "only this user's actions")
	f.StringVar(&p.Record, "record", "", "only this record")
	f.StringVar(&p.DAG, "dag", "", "only this data access group")
	f.StringVar(&p.BeginTime, "begin-time", "", "from this time (YYYY-MM-DD HH:MM)")
	f.StringVar(&p.EndTime, "end-time", "", "until this time")
	return cmd
}
