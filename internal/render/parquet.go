package render

import (
	"errors"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/parquetio"
)

// Parquet is the typed columnar format DuckDB, Spark and pandas read
// (internal/parquetio holds the typing scheme; docs/parquet.md the user's
// version).
const Parquet Format = "parquet"

// ParquetSource is implemented by rows that know how to type their
// columns: the data dictionary, the field behind each column, labels, the
// project's metadata (rq.Rows and the command line's record export).
type ParquetSource interface {
	ParquetOptions() parquetio.Options
}

// rawRows is implemented by rows that also have each cell's raw export
// text (a record export): Parquet keeps what the typed value cannot say.
type rawRows interface {
	RawRow() []string
}

// codeRows is implemented by rows whose Row may hold choice labels:
// CodeRow has the codes (rq.Rows with labels on).
type codeRows interface {
	CodeRow() []client.Value
}

// ErrBinaryTerminal refuses to write Parquet to a terminal.
var ErrBinaryTerminal = errors.New("parquet is a binary format: write it to a file with -o FILE.parquet, or pipe it")

// parquetOptions reads the rows' typing, if they have one.
func parquetOptions(rows Rows) parquetio.Options {
	if s, ok := rows.(ParquetSource); ok {
		return s.ParquetOptions()
	}
	return parquetio.Options{}
}

// parquetSink is what writeParquet feeds: one file or a partitioned folder.
type parquetSink interface {
	Write(vals []client.Value, raw []string) error
	WriteRaw(raw []string) error
}

// feed copies rows into a sink.
func feed(sink parquetSink, rows Rows) (int, error) {
	raw, hasRaw := rows.(rawRows)
	codes, hasCodes := rows.(codeRows)
	n := 0
	for rows.Next() {
		var err error
		switch {
		case hasRaw:
			err = sink.WriteRaw(raw.RawRow())
		case hasCodes:
			err = sink.Write(codes.CodeRow(), nil)
		default:
			err = sink.Write(rows.Row(), nil)
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// writeParquet writes rows as one Parquet file, one row group at a time.
// On a read error the file gets no footer, so no reader takes the part
// written for a whole.
func writeParquet(w io.Writer, rows Rows) (int, error) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return 0, ErrBinaryTerminal
	}
	pw := parquetio.NewWriter(w, rows.Columns(), parquetOptions(rows))
	n, err := feed(pw, rows)
	if err != nil {
		return n, err
	}
	return n, pw.Close()
}

// WriteParquetDir writes rows as a Hive-style partitioned folder
// (dir/event=baseline_arm_1/part-0.parquet) by key: event, form or dag.
// The folder appears whole, replacing dir, or not at all.
func WriteParquetDir(dir, key string, rows Rows) (int, error) {
	dw, err := parquetio.NewDirWriter(dir, key, rows.Columns(), parquetOptions(rows))
	if err != nil {
		return 0, err
	}
	n, err := feed(dw, rows)
	if err != nil {
		dw.Abort()
		return n, err
	}
	return n, dw.Close()
}
