// Command rqbench is rq's end-to-end benchmark (issue 12): it measures what
// users run. It builds cmd/rq, starts `rq serve` as a child process, and
// runs the rq binary with its default settings as a child process too,
// reading each run's wall time, CPU time and peak RSS:
//
//   - against an instant server and a REDCap-like one (`rq serve
//     --request-cost 100ms --cell-cost 5us --workers 8`): `select *` and the
//     headline query to CSV at 20k and 200k records, next to one plain HTTP
//     POST of the whole project from the same server (the floor, and what a
//     script's single export request costs);
//   - `select *` at --concurrency 1, 4 and 8 on the REDCap-like server;
//   - the peak RSS of `rq export records` at 1M records;
//   - issue 17's figures (-only mirror, cmd/rqbench/mirror.go): the
//     headline query on a 1M-record mirror on one core, Parquet output
//     against CSV output at 1M records, and the bytes an incremental sync
//     moves after 1% of 200k records changed;
//   - the Go benchmarks of the parser, planner, decoder and server.
//
// It lives under cmd/ as the second command of the module.
//
//	go run ./cmd/rqbench                 # full table, tens of minutes
//	go run ./cmd/rqbench -short          # well under a minute; what CI runs
//	go run ./cmd/rqbench -only cli -records 20000 -out table.md
//
// It exits non-zero when a measurement fails (an error, too few rows),
// never because a target is missed: targets are reported in the table.
// docs/performance.md explains every figure and what bounds it.
package main
