// Package importer imports records into REDCap safely: it reads a flat CSV
// or JSON records file, checks every row against the project's data
// dictionary and structure before anything is sent, and then imports the
// records in chunks that REDCap applies all-or-nothing.
//
// The guarantees, in order:
//
//   - Nothing is sent unless every row passes validation; Validate and a
//     DryRun list every problem with its line, row, record, field and value.
//   - All rows of a record travel in the same chunk, so a record is never
//     half written by rq.
//   - Each chunk asks for returnContent=ids: a record counts as written only
//     when the server names it in its answer.
//   - When a chunk fails, the Report says exactly which records were written
//     (earlier chunks, confirmed by the server), which were not, and which
//     may or may not have been (the failing chunk, when the answer was lost
//     after the request went out; rq then checks them with an export).
//   - A journal (JSON, mode 0600) records the confirmed chunks, so a later
//     Import with Resume continues from the first unwritten chunk.
//   - overwriteBehavior is "normal" unless Overwrite is set: blank values in
//     the file are then ignored by REDCap and never erase stored data.
//
// Typical use (the `rq import records` command does this):
//
//	imp, err := importer.Load(ctx, c)            // dictionary and structure from the server
//	f, _ := os.Open(path)
//	rep, err := imp.Import(ctx, f, importer.FormatOf(path), importer.Options{
//		JournalPath: importer.DefaultJournalPath(path),
//	})
//	fmt.Print(rep)                                // what was written, what was not
package importer
