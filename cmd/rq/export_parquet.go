package main

import (
	"context"
	"fmt"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/parquetio"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/planner/catalog"
)

// wantsParquet reports whether the output is Parquet (--format parquet,
// -o NAME.parquet or --partition-by).
func (a *app) wantsParquet() bool {
	if a.partitionBy != "" {
		return true
	}
	_, ok, err := a.parquetFormat(nil)
	return ok || err != nil
}

// exportRecordsParquet streams a record export into Parquet, typing each
// column from the data dictionary and keeping raw text the types cannot
// say (rq_raw): memory stays at one row group whatever the export's size.
func (a *app) exportRecordsParquet(ctx context.Context, c *client.Client, p client.ExportRecordsParams) error {
	if p.Type != "" && p.Type != "flat" {
		return usageError{fmt.Errorf("export records: Parquet needs the flat type, not --type %s", p.Type)}
	}
	if p.RawOrLabel == "label" {
		return usageError{fmt.Errorf("export records: Parquet holds codes (typed); use --labels for label columns, not --raw-or-label label")}
	}
	proj, err := c.Project(ctx)
	if err != nil {
		return err
	}
	cat, err := catalog.FromProject(proj)
	if err != nil {
		return err
	}
	dict := cat.Dictionary()
	// the decoded exports' wire and check: a CSV body cut at a row end
	// parses, and would pass for a whole export in a Parquet file
	if a.verbose {
		fmt.Fprintf(a.stderr, "rq: export records: verified: %s\n", verifiedText(decodedWire))
	}
	p.Format = decodedWire
	rs, err := c.ExportRecordsVerified(ctx, p)
	if err != nil {
		return err
	}
	defer rs.Close()
	rows := &exportRows{rs: rs, opts: parquetio.Options{Dict: dict, Labels: a.labels, Metadata: rq.ProjectMetadata(dict, cat.Design())}}
	if err := a.write(rows); err != nil {
		return err
	}
	return nil
}

// exportRows adapts a record stream to render.Rows with raw text and the
// dictionary's typing.
type exportRows struct {
	rs   *client.RecordStream
	opts parquetio.Options
	row  []client.Value
}

func (e *exportRows) Columns() []string {
	if cols := e.rs.Columns(); len(cols) > 0 {
		return cols
	}
	return e.opts.Dict.Columns() // no rows: REDCap sent no header
}

func (e *exportRows) Next() bool { return e.rs.Next() }

// Row is the raw text as text values (the Parquet writer reads RawRow).
func (e *exportRows) Row() []client.Value {
	raw := e.rs.Row()
	e.row = e.row[:0]
	for _, s := range raw {
		if s == "" {
			e.row = append(e.row, client.Value{})
		} else {
			e.row = append(e.row, render.Text(s))
		}
	}
	return e.row
}

func (e *exportRows) RawRow() []string                  { return e.rs.Row() }
func (e *exportRows) Err() error                        { return e.rs.Err() }
func (e *exportRows) ParquetOptions() parquetio.Options { return e.opts }
