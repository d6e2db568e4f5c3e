package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrNoServerTime is returned by ServerTime when the server's answer has no
// readable HTTP Date header.
var ErrNoServerTime = errors.New("the server's answer has no Date header")

// ServerTime returns the server's clock as its HTTP Date header gives it
// (whole seconds), read from a light call (content=version). A local copy
// that later asks for the records changed since its export (dateRangeBegin)
// must take that time from the server: rq's own clock may be far off the
// server's, and REDCap compares dateRangeBegin with its own clock.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	_, h, err := c.readAll(ctx, newForm("version", ""), read)
	if err != nil {
		return time.Time{}, err
	}
	d := h.Get("Date")
	if d == "" {
		return time.Time{}, ErrNoServerTime
	}
	t, err := http.ParseTime(d)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: Date %q: %v", ErrNoServerTime, d, err)
	}
	return t, nil
}
