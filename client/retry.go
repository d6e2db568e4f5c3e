package client

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy says when and how a failed request is sent again. Network
// errors that may pass (resets, time-outs), truncated bodies and HTTP 408
// and 5xx are retried; DNS failures, a refused first connection, TLS and
// protocol mismatches, 400/401/403 and a 429 ban never are. Requests that change data (imports,
// deletes, renames, project creation, DAG switches, randomisation) are
// retried only when the connection could not be opened, because a
// resent write may be applied twice.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, first included; 1 disables retries
	BaseDelay   time.Duration // delay before the first retry; doubles each time
	MaxDelay    time.Duration // ceiling of any one delay
}

// DefaultRetryPolicy is 4 attempts waiting about 1, 2 and 4 seconds
// (with jitter), never more than 30 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, BaseDelay: time.Second, MaxDelay: 30 * time.Second}
}

// minRetryDelay keeps even a misconfigured policy from looping tightly.
const minRetryDelay = 10 * time.Millisecond

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 1 {
		return errorf("RetryPolicy: MaxAttempts must be at least 1, got %d", p.MaxAttempts)
	}
	if p.MaxAttempts > 1 && p.BaseDelay < minRetryDelay {
		return errorf("RetryPolicy: BaseDelay %v is below %v; retries must not loop tightly", p.BaseDelay, minRetryDelay)
	}
	if p.MaxDelay != 0 && p.MaxDelay < p.BaseDelay {
		return errorf("RetryPolicy: MaxDelay %v is below BaseDelay %v", p.MaxDelay, p.BaseDelay)
	}
	return nil
}

// delay returns the wait before retry number n (1-based): exponential
// back-off with "equal jitter", so it is never shorter than half the step.
func (p RetryPolicy) delay(n int, retryAfter time.Duration) time.Duration {
	step := p.BaseDelay
	for i := 1; i < n && step < p.maxDelay(); i++ {
		step *= 2
	}
	step = min(step, p.maxDelay())
	d := step/2 + rand.N(step/2+1)
	if retryAfter > d {
		d = min(retryAfter, p.maxDelay())
	}
	return max(d, minRetryDelay)
}

func (p RetryPolicy) maxDelay() time.Duration {
	if p.MaxDelay == 0 {
		return 30 * time.Second
	}
	return p.MaxDelay
}

// retryAfter reads a Retry-After header given in seconds.
func retryAfter(h http.Header) time.Duration {
	s := h.Get("Retry-After")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
