// Package redcaptest is an embedded REDCap-compatible API server, in the spirit
// of net/http/httptest. It plays REDCap for tests, for `rq --demo` and for
// `rq serve`. It never imports the lang or planner packages, so that a bug
// shared with them cannot hide itself.
package redcaptest
