// Command bench is the end-to-end benchmark of rq (issue 7): it starts the
// embedded REDCap server in-process with fault-free settings and prints one
// table of export throughput, peak memory of the rq binary, query times,
// parallel speed-up under injected latency, and the Go benchmarks of the
// parser, planner, client decoder and server.
//
// It is a top-level folder, not part of any package, because it imports the
// whole stack (client, client/redcaptest, planner, the root package rq, the
// CLI's renderer) and builds and runs cmd/rq as a child process: no single
// package can hold it without importing packages above it.
//
//	go run ./bench                     # full table, a few minutes
//	go run ./bench -short              # seconds; what CI runs
//	go run ./bench -records 10000,100000 -out table.md
//
// It exits non-zero when a measurement fails (an error, a wrong row count),
// never because a target is missed: targets are reported in the table.
// docs/performance.md explains every figure and what bounds it.
package main
