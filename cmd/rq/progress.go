package main

import (
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"

	"github.com/redcapql/rq"
)

// progress draws a bar on stderr for a query fetching more than one batch.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	muted bool // the result is being printed: no bar until done
}

// showProgress: only on a terminal and without --quiet.
func (a *app) showProgress() bool {
	return !a.quiet && isTerminal(a.stderr)
}

// update is the planner's progress callback.
func (p *progress) update(pr rq.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.muted {
		return
	}
	if p.bar == nil {
		// Only once a batch has come and more are due: a query fetched in
		// one call gets no bar.
		if pr.Total <= 0 || pr.Records == 0 || pr.Records >= pr.Total {
			return
		}
		p.bar = progressbar.NewOptions(pr.Total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("fetching"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100_000_000),
		)
	}
	p.bar.Set(pr.Records)
	if pr.Records >= pr.Total {
		p.bar.Finish()
		p.bar = nil
	}
}

// done clears a bar left by a query that ended early (a limit reached
// before every batch came), before its result is printed, and lets the
// next query draw one.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.muted = false
}

func (p *progress) clear() {
	if p.bar != nil {
		p.bar.Clear()
		p.bar = nil
	}
}

// output wraps a result's writer: its first write clears the bar, which
// stays off while the result streams out (until done), so rows never share
// a line with it.
func (p *progress) output(w io.Writer) io.Writer {
	return &barClearingWriter{w: w, p: p}
}

type barClearingWriter struct {
	w       io.Writer
	p       *progress
	cleared bool
}

func (c *barClearingWriter) Write(b []byte) (int, error) {
	if !c.cleared {
		c.cleared = true
		c.p.mu.Lock()
		c.p.clear()
		c.p.muted = true
		c.p.mu.Unlock()
	}
	return c.w.Write(b)
}
