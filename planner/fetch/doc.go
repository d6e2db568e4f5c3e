// Package fetch fetches what a plan reads from the REDCap API: a record
// export as the id step then batches sized by cells, in parallel, complete
// or failing (never partial), in REDCap's record order, with progress and
// its own figures (FetchStats); and the other sources, one export each,
// read as tables. It knows nothing of the language: the planner hands it
// export parameters and options.
package fetch
