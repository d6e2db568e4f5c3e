package redcaptest

import (
	"sync"
	"time"
)

// now is the project's clock: Project.Clock when set (tests move it to
// make record changes fall in or out of a dateRangeBegin/End window, or a
// log query's beginTime), else the wall clock. Record imports, deletes and
// every log entry take their time from it.
func (p *Project) now() time.Time {
	if p.Clock != nil {
		return p.Clock()
	}
	return time.Now()
}

// ManualClock is a clock for Project.Clock that moves only when told.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock starts a clock at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
