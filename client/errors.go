package client

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error is the error of every failed API call: a non-200 status, a REDCap
// error message (also when sent with 200), an HTML page where data was
// expected, or a body that is empty, truncated or does not parse. It never
// holds the token. Match its kinds with errors.Is: ErrTooLarge, ErrBanned,
// ErrThrottled, ErrTruncated, ErrMalformed.
type Error struct {
	Status     int             // HTTP status; 0 when no response arrived
	Message    string          // REDCap's message, or what went wrong
	Content    string          // the request's content parameter
	Action     string          // the request's action parameter, if any
	BodyPrefix string          // first bytes of a body that did not parse
	Problems   []ImportProblem // import validation errors, one per bad value
	Err        error           // the cause (a sentinel below or a network error)
}

// ImportProblem is one value REDCap refused in an import.
type ImportProblem struct {
	Record, Field, Value, Message string
}

// Sentinels matched with errors.Is against an *Error.
var (
	// ErrTooLarge: REDCap ran out of memory or time (500 "ran out of server
	// memory", 400 "TIMEOUT ERROR"), or the request has too many POST
	// variables or bytes. Send a smaller request (fewer records or fields).
	ErrTooLarge = errors.New("request too large for the REDCap server")
	// ErrBanned: HTTP 429. REDCap's rate limiter bans the client IP
	// permanently; an administrator must lift the ban by hand.
	ErrBanned = errors.New("IP banned by the REDCap rate limiter")
	// ErrThrottled: HTTP 429 with Retry-After, a temporary limit of a proxy
	// or gateway in front of REDCap. The client waits it out and retries
	// (within WithTimeout); this error means it could not.
	ErrThrottled = errors.New("throttled by the server (429 with Retry-After)")
	// ErrTruncated: the body ended early (connection cut, Content-Length
	// mismatch, JSON or CSV cut in the middle).
	ErrTruncated = errors.New("response body truncated")
	// ErrMalformed: the body is not what the method returns (an HTML page,
	// an empty body, JSON or CSV that does not parse).
	ErrMalformed = errors.New("malformed response body")
	// ErrHTMLPage: the server answered 200 with an HTML page (a PHP fatal
	// error, a login or proxy page). It also matches ErrMalformed. Reads
	// are retried on it; writes are not, since the write may have happened.
	ErrHTMLPage = errors.New("HTML page instead of an API answer")
)

// Error formats as "redcap content/action: HTTP 400: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("redcap ")
	b.WriteString(e.Content)
	if e.Action != "" {
		b.WriteString("/")
		b.WriteString(e.Action)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Message == "" && e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	if e.BodyPrefix != "" {
		fmt.Fprintf(&b, " (body starts %q)", e.BodyPrefix)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// bodyPrefixLen is how much of an unparsable body an Error keeps.
const bodyPrefixLen = 200

func prefixOf(b []byte) string {
	if len(b) > bodyPrefixLen {
		b = b[:bodyPrefixLen]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// errorf is for mistakes of the caller found before any request (bad
// options, bad parameters); they are not *Error.
func errorf(format string, args ...any) error {
	return fmt.Errorf("client: "+format, args...)
}

// classify fills in the sentinel for REDCap messages that mean
// "make the request smaller".
func classify(e *Error) {
	if e.Err != nil {
		return
	}
	m := strings.ToLower(e.Message + " " + e.BodyPrefix)
	switch {
	case strings.Contains(m, "ran out of server memory"),
		strings.Contains(m, "timeout error"),
		strings.Contains(m, "maximum for the number of post parameters"),
		e.Status == 413:
		e.Err = ErrTooLarge
	}
}

// parseImportProblems splits REDCap's import validation message: lines of
// CSV `"record","field","value","explanation"`. Lines that are not such
// quadruples are left in the message only.
func parseImportProblems(msg string) []ImportProblem {
	if !strings.Contains(msg, "\",\"") {
		return nil
	}
	var out []ImportProblem
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "\"") {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.LazyQuotes = true
		rec, err := r.Read()
		if err != nil || len(rec) != 4 {
			continue
		}
		out = append(out, ImportProblem{Record: rec[0], Field: rec[1], Value: rec[2], Message: rec[3]})
	}
	return out
}

// String formats a problem as "record 1, field age, value "x": message".
func (p ImportProblem) String() string {
	return "record " + p.Record + ", field " + p.Field + ", value " + strconv.Quote(p.Value) + ": " + p.Message
}
