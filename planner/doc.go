// Package planner checks an rq statement against the project's catalog
// (planner/catalog) and plans it: what to push to REDCap's export (records,
// fields, forms, events, filterLogic), the residual and output compiled for
// local evaluation, and the explanation of both. A Plan is never changed
// once planned; planner/fetch fetches its records and planner/exec runs it.
package planner
