// Package refeval is a naive reference evaluator (an oracle) for the
// differential test. It is written from the language requirement
// (rq-language.md §3–§5), independently of the planner: it walks the lang
// AST directly over ONE full export of the project, row by row, with SQL's
// three-valued logic. It is slow and simple on purpose; it must never call
// the planner.
//
// It types the export with its own code (schema.go, value.go), not the
// client's Dictionary or RowParser: a typing bug in the engine must not be
// able to hide by being in the oracle too. The client serves only as the
// transport for the raw exports (metadata rows, project info, events, the
// repeating setup and the flat record export, all as REDCap's text).
package refeval
