package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/repl/render"
)

// readInput reads a file argument, "-" being stdin.
func (a *app) readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(a.stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}

// dataFormat is --data-format, else the file's extension, else csv.
func dataFormat(flag, name string) string {
	if flag != "" {
		return strings.ToLower(flag)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return "json"
	case ".xml":
		return "xml"
	}
	return "csv"
}

// decodeObjects reads CSV (a header row) or a JSON array of objects into
// []T, matching columns to T's JSON names; text is converted to the field's
// type, with the row and column named when it does not fit.
func decodeObjects[T any](data []byte, format string) ([]T, error) {
	var objs []map[string]any
	switch format {
	case "json":
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&objs); err != nil {
			return nil, fmt.Errorf("reading JSON: %w (want an array of objects)", err)
		}
	case "csv":
		r := csv.NewReader(bytes.NewReader(data))
		recs, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("reading CSV: %w", err)
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("reading CSV: no header row")
		}
		for _, rec := range recs[1:] {
			o := map[string]any{}
			for i, h := range recs[0] {
				if i < len(rec) {
					o[strings.TrimSpace(h)] = rec[i]
				}
			}
			objs = append(objs, o)
		}
	default:
		return nil, usageError{fmt.Errorf("data format %q: want csv or json", format)}
	}
	var zero T
	t := reflect.TypeOf(zero)
	fields := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = render.Snake(t.Field(i).Name)
		}
		fields[name] = i
	}
	out := make([]T, len(objs))
	for n, o := range objs {
		v := reflect.ValueOf(&out[n]).Elem()
		for k, x := range o {
			i, ok := fields[k]
			if !ok {
				return nil, fmt.Errorf("row %d: unknown column %q", n+1, k)
			}
			s := fmt.Sprint(x)
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(s)
			case reflect.Int:
				if s == "" {
					continue
				}
				iv, err := strconv.Atoi(s)
				if err != nil {
					return nil, fmt.Errorf("row %d, column %s: %q is not a whole number", n+1, k, s)
				}
				f.SetInt(int64(iv))
			case reflect.Bool:
				f.SetBool(s == "1" || s == "true")
			default:
				return nil, fmt.Errorf("row %d: column %s cannot be imported", n+1, k)
			}
		}
	}
	return out, nil
}

// importCommand is 'rq import ...'.
func (a *app) importCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import into REDCap: records, metadata, arms, events, fem, repeating, dags, user-role-mapping, user-dag-mapping",
		RunE:  whatCommand,
	}
	var format string
	var override bool
	count := func(n int, err error) error {
		if err != nil {
			return err
		}
		return a.write(&render.Slice{Cols: []string{"count"}, Vals: [][]client.Value{{{Kind: client.KindNumber, Num: float64(n)}}}})
	}
	design := func(use, short string, withOverride bool, fn func(ctx context.Context, c *client.Client, data []byte, format string) (int, error)) *cobra.Command {
		c := a.apiCommand(use+" file", short+" from a CSV or JSON file (- for stdin)", exactArgs(1), func(ctx context.Context, c *client.Client, args []string) error {
			data, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			return count(fn(ctx, c, data, dataFormat(format, args[0])))
		})
		c.Flags().StringVar(&format, "data-format", "", "csv or json (default from the file's extension)")
		if withOverride {
			c.Flags().BoolVar(&override, "override", false, "replace every existing one (REDCap's override=1)")
		}
		return c
	}
	cmd.AddCommand(a.importRecords(),
		design("metadata", "Import the data dictionary", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			var meta []client.MetadataField
			var err error
			if format == "json" {
				err = json.Unmarshal(data, &meta)
			} else {
				meta, err = client.ReadMetadataCSV(bytes.NewReader(data))
			}
			if err != nil {
				return 0, fmt.Errorf("reading the data dictionary: %w", err)
			}
			return c.ImportMetadata(ctx, meta)
		}),
		design("arms", "Import arms", true, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.Arm](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportArms(ctx, client.ImportArmsParams{Arms: v, Override: override})
		}),
		design("events", "Import events", true, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.Event](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportEvents(ctx, client.ImportEventsParams{Events: v, Override: override})
		}),
		design("fem", "Import the instrument–event mapping", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.FormEventMapping](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportFormEventMapping(ctx, v)
		}),
		design("repeating", "Import the repeating instruments and events", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.RepeatingFormEvent](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportRepeatingFormsEvents(ctx, v)
		}),
		design("dags", "Import data access groups", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.DAG](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportDAGs(ctx, v)
		}),
		design("user-role-mapping", "Import which user has which role", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.UserRoleMapping](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportUserRoleMapping(ctx, v)
		}),
		design("user-dag-mapping", "Import which user is in which data access group", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := decodeObjects[client.UserDAGMapping](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportUserDAGMapping(ctx, v)
		}),
	)
	return cmd
}

func (a *app) importRecords() *cobra.Command {
	var p client.ImportRecordsParams
	var format string
	cmd := a.apiCommand("records file", "Import records from a CSV, JSON or XML file (- for stdin)", exactArgs(1), func(ctx context.Context, c *client.Client, args []string) error {
		data, err := a.readInput(args[0])
		if err != nil {
			return err
		}
		p.Data = data
		p.Format = dataFormat(format, args[0])
		res, err := c.ImportRecords(ctx, p)
		if err != nil {
			return err
		}
		switch {
		case p.ReturnContent == "ids":
			var rows [][]string
			for _, id := range res.IDs {
				rows = append(rows, []string{id})
			}
			return a.write(render.Strings([]string{"record"}, rows))
		case p.ReturnContent == "auto_ids":
			return a.writeObjects(res.AutoIDs)
		case p.ReturnContent == "nothing":
			return nil
		}
		return a.write(&render.Slice{Cols: []string{"count"}, Vals: [][]client.Value{{{Kind: client.KindNumber, Num: float64(res.Count)}}}})
	})
	f := cmd.Flags()
	f.StringVar(&format, "data-format", "", "csv, json or xml (default from the file's extension)")
	f.StringVar(&p.Type, "type", "", "flat or eav")
	f.StringVar(&p.OverwriteBehavior, "overwrite-behavior", "", "normal (blanks ignored) or overwrite (blanks erase)")
	f.BoolVar(&p.ForceAutoNumber, "force-auto-number", false, "let REDCap number new records")
	f.StringVar(&p.DateFormat, "date-format", "", "YMD, MDY or DMY")
	f.StringVar(&p.CSVDelimiter, "csv-delimiter", "", "the CSV's delimiter")
	f.StringVar(&p.ReturnContent, "return-content", "", "count, ids, auto_ids or nothing")
	return cmd
}

// deleteCommand is 'rq delete records'.
func (a *app) deleteCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete from REDCap: records",
		RunE:  whatCommand,
	}
	var p client.DeleteRecordsParams
	rec := a.apiCommand("records", "Delete records (or one instrument's data of them)", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		if len(p.Records) == 0 {
			return usageError{fmt.Errorf("delete records: give the records with --record")}
		}
		n, err := c.DeleteRecords(ctx, p)
		if err != nil {
			return err
		}
		return a.write(&render.Slice{Cols: []string{"count"}, Vals: [][]client.Value{{{Kind: client.KindNumber, Num: float64(n)}}}})
	})
	f := rec.Flags()
	f.StringSliceVar(&p.Records, "record", nil, "the records to delete (repeatable or comma-separated; required)")
	f.StringVar(&p.Arm, "arm", "", "only in this arm")
	f.StringVar(&p.Instrument, "instrument", "", "only this instrument's data")
	f.StringVar(&p.Event, "event", "", "with --instrument, only in this event")
	f.IntVar(&p.RepeatInstance, "repeat-instance", 0, "only this instance of a repeating instrument")
	f.BoolVar(&p.DeleteLogging, "delete-logging", false, "also delete the records' logging")
	cmd.AddCommand(rec)
	return cmd
}

// fileCommand is 'rq file export|import|delete'.
func (a *app) fileCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "file",
		Short: "Export, import or delete the file in a record's file field",
		RunE:  whatCommand,
	}
	var p client.FileParams
	cell := func(c *cobra.Command) *cobra.Command {
		f := c.Flags()
		f.StringVar(&p.Record, "record", "", "the record (required)")
		f.StringVar(&p.Field, "field", "", "the file field (required)")
		f.StringVar(&p.Event, "event", "", "the event (longitudinal projects)")
		f.IntVar(&p.RepeatInstance, "repeat-instance", 0, "the instance of a repeating instrument or event")
		return c
	}
	check := func() error {
		if p.Record == "" || p.Field == "" {
			return usageError{fmt.Errorf("give the file's cell with --record and --field")}
		}
		return nil
	}
	export := cell(a.apiCommand("export", "Export a file: to -o, else to its own name in the current folder", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		if err := check(); err != nil {
			return err
		}
		d, err := c.ExportFile(ctx, p)
		if err != nil {
			return err
		}
		defer d.Body.Close()
		if a.output == "" {
			name := filepath.Base(d.Name)
			if name == "." || name == "/" || name == "" || name == ".." {
				return fmt.Errorf("the server's file name %q is unusable; give -o", d.Name)
			}
			f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
			if err != nil {
				return fmt.Errorf("%w (give -o to choose another name)", err)
			}
			if _, err := io.Copy(f, d.Body); err != nil {
				f.Close()
				return err
			}
			fmt.Fprintf(a.stderr, "wrote %s\n", name)
			return f.Close()
		}
		return a.writeRaw(d.Body)
	}))
	var name string
	imp := cell(a.apiCommand("import path", "Import a file into a record's file field", exactArgs(1), func(ctx context.Context, c *client.Client, args []string) error {
		if err := check(); err != nil {
			return err
		}
		f, err := os.Open(args[0])
		if err != nil {
			return usageError{err}
		}
		defer f.Close()
		n := name
		if n == "" {
			n = filepath.Base(args[0])
		}
		return c.ImportFile(ctx, client.ImportFileParams{FileParams: p, Name: n, Content: f})
	}))
	imp.Flags().StringVar(&name, "name", "", "file name to store (default the file's own)")
	del := cell(a.apiCommand("delete", "Delete the file of a record's file field", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		if err := check(); err != nil {
			return err
		}
		return c.DeleteFile(ctx, p)
	}))
	cmd.AddCommand(export, imp, del)
	return cmd
}
