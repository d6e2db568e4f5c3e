// Package rq is the embedding API of the rq query engine for REDCap: open a
// project, run a query, read typed rows, explain a plan. It only delegates:
// lang parses, planner (with planner/catalog) plans, planner/exec runs the
// plan and planner/fetch fetches its records; docs/embedding.md walks the
// path from a statement to the HTTP call.
package rq
