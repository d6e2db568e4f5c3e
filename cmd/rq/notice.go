package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// noticeHandler turns the client's warnings (retries, plain-http) into one
// short stderr line each, "rq: retrying record export in 1.2s (attempt 2
// of 4): HTTP 503 Service Unavailable", instead of slog's timestamped
// key=value lines. -q drops them; -v uses the full debug log instead.
type noticeHandler struct {
	mu *sync.Mutex
	w  io.Writer
}

func newNoticeHandler(w io.Writer) *noticeHandler { return &noticeHandler{mu: &sync.Mutex{}, w: w} }

func (h *noticeHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *noticeHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]string{}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.String()
		return true
	})
	msg := strings.TrimPrefix(r.Message, "redcap client: ")
	var line string
	if strings.HasPrefix(msg, "retrying") || strings.HasPrefix(msg, "body cut off") {
		what := strings.TrimSpace(attrs["content"] + " " + attrs["action"])
		wait := attrs["wait"]
		if d, err := time.ParseDuration(wait); err == nil {
			wait = d.Round(10 * time.Millisecond).String()
			if d >= time.Second {
				wait = d.Round(100 * time.Millisecond).String()
			}
		}
		reason := firstLine(attrs["error"])
		if len(reason) > 120 {
			reason = reason[:120] + "…"
		}
		line = fmt.Sprintf("rq: retrying %s in %s (attempt %s failed): %s", what, wait, attrs["attempt"], reason)
	} else {
		line = "rq: warning: " + msg
		if u := attrs["url"]; u != "" {
			line += " (" + u + ")"
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintln(h.w, line)
	return err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func (h *noticeHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *noticeHandler) WithGroup(string) slog.Handler      { return h }
