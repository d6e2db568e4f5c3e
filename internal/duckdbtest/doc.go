// Package duckdbtest holds rq's Parquet interoperability test: real DuckDB
// (its Node package, @duckdb/node-api 1.5.x, driven with node) reads the
// files rq writes (a query's result, a record export, its event partitions
// and a mirror's parts) and must agree with rq on types, counts and
// aggregates.
//
// It is a folder of its own because it carries a package.json: CI runs
// `npm ci` here (.ci/run). Locally the test skips with a message when
// node or the package is absent; under RQ_REQUIRE_FIXTURES=1 or CI=true it
// fails instead, as the fixture tests do.
package duckdbtest
