// Command rq queries REDCap projects with a small query language: one
// query (-c), saved .rq files (run), an interactive shell, the REDCap API
// methods as subcommands (export, import, delete, file), and an embedded
// REDCap server for trying it all offline (--demo, serve).
//
// Exit codes: 0 success, 1 query error, 2 usage error, 3 server or network
// error, 4 a failure after part of the result went to stdout.
package main
