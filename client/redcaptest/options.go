package redcaptest

import (
	"net/http"
	"time"
)

// Options configure a server started with Start (NewServer uses the zero value).
type Options struct {
	// Faults injects failures; the zero value injects none.
	Faults Faults
	// SuperToken (64 hex) enables content=project creation and version with it.
	SuperToken string
}

// Faults configures fault injection, mirroring the `rq serve` flags.
// MaxCells and MaxInputVars are enforced by the record export and the form
// parser; the others by the fault middleware (faults*.go).
type Faults struct {
	MaxCells           int           // an export above this many cells fails like REDCap's out-of-memory 500
	Latency            time.Duration // added to every request
	FailRate           float64       // share of requests answered 502/503/504
	TruncateRate       float64       // share of bodies cut off mid-way
	TruncateAtLineEnd  bool          // cut truncated bodies just after a newline (a CSV that still parses), not mid-row
	HTMLErrorRate      float64       // share of 200 answers carrying an HTML error page
	RateLimitPerMinute int           // requests per minute per client before a permanent 429 ban
	MaxInputVars       int           // POST variables allowed (default 100000)
	Seed               int64         // makes the random faults reproducible
}

// faultsMiddleware wraps the API handler with fault injection. The fault
// middleware file sets it from an init function; nil means no middleware.
var faultsMiddleware func(h http.Handler, f Faults) http.Handler

func wrapFaults(h http.Handler, f Faults) http.Handler {
	if faultsMiddleware == nil {
		return h
	}
	return faultsMiddleware(h, f)
}
