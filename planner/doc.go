// Package planner checks an rq statement against the project's catalog
// (planner/catalog) and plans it: what to push to REDCap's export (records,
// fields, forms, events, filterLogic), the residual, output, aggregates,
// order and limit compiled into a read-only Program (Plan.Program) for
// local evaluation, and the explanation of both. The planner only plans: a
// Plan is never changed once planned; planner/fetch fetches its records and
// planner/exec runs its Program.
package planner
