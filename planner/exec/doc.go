// Package exec runs a plan: it fetches what the plan reads (the record
// export in batches through planner/fetch, another source as one table, or
// rows from elsewhere such as a mirror), runs the plan's compiled local
// pipeline over them (Plan.Run: typing, residual, grouping, aggregates,
// order and limit), then the summarize statement's statistics and choice
// labels, and keeps the run's figures in its own value (Stats), never in
// the plan.
package exec
