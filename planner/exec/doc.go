// Package exec runs a plan: it fetches what the plan reads (the record
// export in batches through planner/fetch, another source as one table, or
// rows from elsewhere such as a mirror), runs the plan's compiled local
// pipeline over them (Pipeline executes planner.Program: typing rows, the
// residual, grouping, aggregates, order by and limit/offset), then the
// summarize statement's statistics and choice labels, and keeps the run's
// figures in its own values (PipelineStats, Stats), never in the plan.
package exec
