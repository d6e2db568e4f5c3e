// Package parquetio writes and reads rq's Parquet files: query results and
// record exports typed from the data dictionary, for DuckDB, Spark and
// rq's own offline mirror.
//
// It is a package of its own (not part of internal/render) because both the
// output renderers (internal/render, used by the CLI and the shell) and the
// root package's mirror reader need it, and imports flow repl -> rq: only a
// package below both can serve them. It imports client and parquet-go only.
//
// The typing scheme (docs/parquet.md has the user's version):
//
//   - integer validation, form status, arm and instance: INT64;
//   - number_Ndp validation: DECIMAL(18,N); other numbers, calc, slider: DOUBLE;
//   - date_*: DATE; datetime_*: TIMESTAMP (millisecond, not adjusted to UTC,
//     as REDCap stores no zone); time*: TIME (millisecond);
//   - yesno and truefalse: BOOLEAN;
//   - radio and dropdown: the code (INT64 when every code is an integer, else
//     STRING), the labels in the rq.columns key-value metadata, and with
//     labels on a dictionary-encoded <column>_label STRING column;
//   - checkbox: one BOOLEAN column per option, <field>___<code>, as REDCap's
//     own export names them;
//   - everything else (text, notes, record id, event, instrument, dag): STRING.
//
// A cell whose typed value does not give back REDCap's raw text exactly (a
// missing-data code, a value that does not fit its type, a number written
// 1.50 in a plain number field) is null or the typed value in its column,
// and its raw text is kept in the rq_raw column: a JSON object from column
// name to raw text, null for the (usual) row where every cell is exact.
// Raw() rebuilds the export text of every cell from the two.
package parquetio
