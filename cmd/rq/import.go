package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/importer"
	"github.com/redcapql/rq/internal/designfile"
	"github.com/redcapql/rq/internal/render"
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

// importCommand is 'rq import ...'.
func (a *app) importCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import into REDCap: records, metadata, arms, events, fem, repeating, dags, users, roles, user-role-mapping, user-dag-mapping",
		RunE:  whatCommand,
	}
	var format string
	var override bool
	count := func(n int, err error) error {
		if errors.Is(err, designfile.ErrFormat) {
			return usageError{err}
		}
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
			return count(fn(ctx, c, data, designfile.FormatOf(format, args[0])))
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
			v, err := designfile.Decode[client.Arm](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportArms(ctx, client.ImportArmsParams{Arms: v, Override: override})
		}),
		design("events", "Import events", true, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.Decode[client.Event](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportEvents(ctx, client.ImportEventsParams{Events: v, Override: override})
		}),
		design("fem", "Import the instrument–event mapping", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.Decode[client.FormEventMapping](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportFormEventMapping(ctx, v)
		}),
		design("repeating", "Import the repeating instruments and events", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.Decode[client.RepeatingFormEvent](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportRepeatingFormsEvents(ctx, v)
		}),
		design("dags", "Import data access groups", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.Decode[client.DAG](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportDAGs(ctx, v)
		}),
		design("users", "Import users and their rights", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.DecodeOrdered[client.User](data, format)
			if err != nil {
				return 0, err
			}
			for i, u := range v {
				if u.Username == "" {
					return 0, fmt.Errorf("row %d: no username", i+1)
				}
			}
			return c.ImportUsers(ctx, v)
		}),
		design("roles", "Import user roles (blank unique_role_name: a new role)", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.DecodeOrdered[client.UserRole](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportUserRoles(ctx, v)
		}),
		design("user-role-mapping", "Import which user has which role", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.Decode[client.UserRoleMapping](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportUserRoleMapping(ctx, v)
		}),
		design("user-dag-mapping", "Import which user is in which data access group", false, func(ctx context.Context, c *client.Client, data []byte, format string) (int, error) {
			v, err := designfile.Decode[client.UserDAGMapping](data, format)
			if err != nil {
				return 0, err
			}
			return c.ImportUserDAGMapping(ctx, v)
		}),
	)
	return cmd
}

func (a *app) importRecords() *cobra.Command {
	var (
		format, journal, dateFormat, encoding string
		o                                     importer.Options
		allowOutOfRange                       bool
	)
	cmd := a.apiCommand("records file", "Import records from a flat CSV or JSON file (- for stdin), safely", exactArgs(1), func(ctx context.Context, c *client.Client, args []string) error {
		name := args[0]
		f := importer.FormatOf(name)
		if format != "" {
			var err error
			if f, err = importer.ParseFormat(format); err != nil {
				return usageError{err}
			}
		}
		if o.ChunkRecords < 1 {
			return usageError{fmt.Errorf("--chunk %d: want at least 1 record per request", o.ChunkRecords)}
		}
		switch {
		case journal != "":
			o.JournalPath = journal
		case name != "-":
			o.JournalPath = importer.DefaultJournalPath(name)
		case o.Resume:
			return usageError{fmt.Errorf("--resume with stdin needs --journal")}
		}
		if o.Resume && o.DryRun {
			return usageError{fmt.Errorf("--resume and --dry-run exclude each other")}
		}
		data, err := a.readInput(name)
		if err != nil {
			return err
		}
		var opts []importer.Option
		if dateFormat != "" {
			opts = append(opts, importer.WithDateFormat(strings.ToUpper(dateFormat)))
		}
		if allowOutOfRange {
			opts = append(opts, importer.AllowOutOfRange())
		}
		if encoding != "" {
			opts = append(opts, importer.WithEncoding(encoding))
		}
		im, err := importer.New(c, nil, opts...)
		if err != nil {
			return usageError{err}
		}
		rep, ierr := im.Import(ctx, bytes.NewReader(data), f, o)
		w, closeOut, err := a.out()
		if err != nil {
			return err
		}
		if rep != nil {
			_, err = io.WriteString(w, rep.Summary(0, "--resume"))
		}
		if cerr := closeOut(); err == nil {
			err = cerr
		}
		if err == nil {
			// the report is whole even when the import failed: keep it
			err = a.commitOutputs()
		}
		if ierr != nil {
			return importError(ierr, rep, o)
		}
		return err
	})
	fl := cmd.Flags()
	fl.StringVar(&format, "data-format", "", "csv or json (default from the file's extension)")
	fl.BoolVar(&o.DryRun, "dry-run", false, "only validate the file against the data dictionary: send nothing")
	fl.IntVar(&o.ChunkRecords, "chunk", importer.DefaultChunkRecords, "records per request (all rows of a record go in the same one)")
	fl.BoolVar(&o.Resume, "resume", false, "continue an import that stopped, from its journal's first unwritten chunk")
	fl.StringVar(&journal, "journal", "", "the resume journal (default .NAME.rq-import.json beside the file)")
	fl.BoolVar(&o.Overwrite, "overwrite", false, "let blank values in the file ERASE stored values (default: blanks are ignored)")
	fl.StringVar(&dateFormat, "date-format", "", "how the file writes dates: YMD (default), MDY or DMY")
	fl.StringVar(&encoding, "encoding", "", "the file's text encoding: utf-8 (default; other bytes are refused) or latin1 (converted to UTF-8)")
	fl.BoolVar(&allowOutOfRange, "allow-out-of-range", false, "import values outside a field's validation min/max (a warning, as REDCap allows)")
	cmd.Long = `Import records from a flat CSV or JSON file (REDCap's export layout: one row
per record, event and instance; columns are export field names).

Nothing is sent until every row passes a check against the data dictionary
and the project's events, forms and repeating instruments; every problem is
listed with its line, record, field and value. --dry-run stops there.

Records then go in chunks of --chunk records; REDCap stores a chunk whole or
not at all, and each record counts as written only when REDCap names it in
its answer. When a chunk fails, rq lists exactly which records were written
and which were not, and keeps a journal (mode 0600, beside the file) so that
--resume continues from the first unwritten chunk; a new run over an
unfinished journal is refused.

Blank values never erase stored data unless --overwrite is given.`
	return cmd
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}

// importError is the one-line error of a failed import (the report on
// stdout has the details); its cause sets the exit code.
func importError(err error, rep *importer.Report, o importer.Options) error {
	var ps importer.Problems
	var ce *importer.ChunkError
	switch {
	case errors.As(err, &ps):
		return &displayError{text: fmt.Sprintf("rq: import records: %s in the file; nothing was sent", plural(len(ps.Errors()), "problem")), err: err}
	case errors.As(err, &ce):
		msg := fmt.Sprintf("rq: import records: %v", err)
		if o.JournalPath != "" {
			msg += "\nrq: fix the cause, then run the same command with --resume to send the records not written"
		}
		return &displayError{text: msg, err: err}
	}
	return err
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
			if _, err := os.Lstat(name); err == nil {
				return fmt.Errorf("%s: file exists (give -o to choose another name)", name)
			}
			p, err := createBeside(name)
			if err != nil {
				return err
			}
			defer os.Remove(p.tmp)
			_, err = io.Copy(p.f, d.Body)
			if cerr := p.f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%w (%s was not written)", err, name)
			}
			// a link, unlike a rename, never replaces a file that appeared meanwhile
			if err := os.Link(p.tmp, name); err != nil {
				return fmt.Errorf("%w (give -o to choose another name)", err)
			}
			fmt.Fprintf(a.stderr, "wrote %s\n", name)
			return nil
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
