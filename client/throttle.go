package client

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A 429 means one of two things, told apart by Retry-After:
//
//   - without it, REDCap's own rate limiter has banned the client IP for
//     good (redcap-api.md §6.3): every later request gets 429 until an
//     administrator lifts the ban by hand, so a retry only adds to the
//     abuse log. The call stops at once with ErrBanned.
//   - with it, something in front of REDCap (a proxy or gateway) asks the
//     client to slow down for a while: the client waits as long as it
//     says, within the per-attempt time-out, and sends the request again
//     (a write too: the request never reached REDCap).

// banMessage explains a 429 without Retry-After. Error() already prints
// "HTTP 429", so the message does not repeat it.
const banMessage = "REDCap's rate limiter has banned this computer's IP address permanently " +
	"(a 429 answer without Retry-After): a REDCap administrator must lift the ban by hand, " +
	"and every request until then fails. rq did not retry. Before asking, lower the request rate " +
	"(rq --max-rate, profile key max_rate, or client.WithMaxRate)"

// throttleError fills e for a 429 answer whose body starts with b.
func throttleError(e *Error, h http.Header, b []byte) *Error {
	said := strings.TrimSpace(prefixOf(b))
	if d, ok := parseRetryAfter(h, time.Now()); ok {
		e.Err = ErrThrottled
		e.Message = "the server asks to wait " + d.String() + " before the next request (429 with Retry-After)"
	} else {
		e.Err = ErrBanned
		e.Message = banMessage
	}
	if said != "" {
		e.Message += "; server said: " + said
	}
	return e
}

// throttleWait decides what to do after the 429 e: a ban (no Retry-After)
// returns e; a wait longer than the per-attempt time-out returns e saying
// so; else it returns the wait.
func (c *Client) throttleWait(h http.Header, e *Error) (time.Duration, error) {
	if !isThrottled(e) {
		return 0, e
	}
	d, _ := parseRetryAfter(h, time.Now())
	if c.timeout > 0 && d > c.timeout {
		e.Message += "; that is longer than the time-out (" + c.timeout.String() + "), so rq stopped; try again later or raise --timeout"
		return 0, e
	}
	c.log.Warn("redcap client: throttled (429 with Retry-After), waiting", "content", e.Content, "action", e.Action, "wait", d)
	return d, nil
}

func isThrottled(e *Error) bool { return e.Err == ErrThrottled }

// parseRetryAfter reads Retry-After as seconds or an HTTP date (RFC 9110
// §10.2.3); ok is false when it is absent or unreadable. A date in the
// past means no wait.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	s := strings.TrimSpace(h.Get("Retry-After"))
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(24*time.Hour/time.Second) {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(s)
	if err != nil {
		return 0, false
	}
	return max(0, t.Sub(now)), true
}
