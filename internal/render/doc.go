// Package render writes query results in rq's output formats: an aligned
// table fitted to the terminal, CSV, TSV, JSON, JSON lines, Markdown and a
// vertical one-line-per-value layout. Nulls are always distinguishable from
// empty text.
//
// It is under internal/ (not repl/) because the CLI's commands (cmd/rq:
// -c, run, export, import, delete) and the shell (repl) both write with it.
package render
