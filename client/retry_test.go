package client

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryDelayBounds(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 6, BaseDelay: time.Second, MaxDelay: 10 * time.Second}
	for n, step := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 9: 10 * time.Second} {
		for range 200 {
			d := p.delay(n, 0)
			if d < step/2 || d > step {
				t.Fatalf("delay(%d) = %v, want in [%v, %v]", n, d, step/2, step)
			}
		}
	}
	if d := p.delay(1, 5*time.Second); d != 5*time.Second {
		t.Errorf("Retry-After 5s: delay %v", d)
	}
	if d := p.delay(1, time.Hour); d != 10*time.Second {
		t.Errorf("Retry-After capped by MaxDelay: %v", d)
	}
	if d := (RetryPolicy{MaxAttempts: 2, BaseDelay: minRetryDelay}).delay(1, 0); d < minRetryDelay {
		t.Errorf("delay %v below the floor", d)
	}
	h := http.Header{}
	h.Set("Retry-After", "3")
	if retryAfter(h) != 3*time.Second {
		t.Error("Retry-After not read")
	}
	h.Set("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")
	if retryAfter(h) != 0 {
		t.Error("HTTP-date Retry-After should be ignored")
	}
}
