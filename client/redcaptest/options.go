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
	// SuperUser is the username behind SuperToken (DefaultSuperUser when
	// empty): the creator, with full rights, of each project it creates.
	SuperUser string
	// CreateUsers are declared (ParseUsersCSV) in each project the super
	// token creates, after the creator; a token already in use by another
	// project is left out (that user then has no API access there).
	CreateUsers []User
	// Model makes calls cost server time like a real REDCap (the zero
	// value: instant, unlimited).
	Model ServerModel
	// MaxBodyBytes is PHP's post_max_size: a larger request body is not
	// read (memory stays bounded) and, as PHP then leaves $_POST empty,
	// REDCap answers as to a request without a token (403). 0 means
	// DefaultMaxBodyBytes; negative means no limit.
	MaxBodyBytes int64
	// MaxValueBytes is the longest value an import may store (REDCap keeps
	// values in a MySQL TEXT column); a longer one fails the import's
	// validation. 0 means DefaultMaxValueBytes; negative means no limit.
	MaxValueBytes int
}

// REDCap-like defaults of the request limits: 32 MB is the post_max_size
// REDCap's configuration check asks for; 65,535 bytes is MySQL's TEXT.
const (
	DefaultMaxBodyBytes  = 32 << 20
	DefaultMaxValueBytes = 65535
)

func (o Options) maxBody() int64 {
	switch {
	case o.MaxBodyBytes == 0:
		return DefaultMaxBodyBytes
	case o.MaxBodyBytes < 0:
		return 1 << 62
	}
	return o.MaxBodyBytes
}

func (o Options) maxValue() int {
	switch {
	case o.MaxValueBytes == 0:
		return DefaultMaxValueBytes
	case o.MaxValueBytes < 0:
		return 1 << 62
	}
	return o.MaxValueBytes
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
