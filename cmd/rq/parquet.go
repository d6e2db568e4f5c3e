package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/redcapql/rq/internal/render"
)

// parquetFormat decides the Parquet cases of the output format: --format
// parquet, or no --format and -o NAME.parquet; Parquet to a terminal is
// refused. ok is false when the format is not Parquet.
func (a *app) parquetFormat(w io.Writer) (render.Format, bool, error) {
	isParquet := strings.EqualFold(a.format, string(render.Parquet)) ||
		(a.format == "" && strings.HasSuffix(strings.ToLower(a.output), ".parquet"))
	if !isParquet {
		return "", false, nil
	}
	if isTerminal(w) {
		return "", false, usageError{render.ErrBinaryTerminal}
	}
	return render.Parquet, true, nil
}

// writePartitioned is --partition-by: a Parquet folder at -o.
func (a *app) writePartitioned(rows render.Rows) error {
	if a.output == "" || a.output == "-" {
		return usageError{fmt.Errorf("--partition-by %s writes a folder: name it with -o DIR", a.partitionBy)}
	}
	if a.format != "" && !strings.EqualFold(a.format, string(render.Parquet)) {
		return usageError{fmt.Errorf("--partition-by writes Parquet, not --format %s", a.format)}
	}
	_, err := render.WriteParquetDir(a.output, a.partitionBy, rows)
	a.progress.done()
	return err
}
