// Package exec runs a plan: it fetches what the plan reads (the record
// export in batches, another source as one table, or rows from elsewhere
// such as a mirror), runs the plan's local pipeline over them (typing,
// residual, grouping, aggregates, order and limit), then summarize and
// labels, and keeps the run's figures in its own value (Stats), never in
// the plan.
package exec
