// Package rq is the embedding API of the rq query engine for REDCap: open a
// project, run a query, read typed rows, explain a plan.
package rq
