package client_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// faulty serves the demo project through redcaptest's fault injection.
func faulty(t *testing.T, f redcaptest.Faults, opts ...client.Option) *client.Client {
	t.Helper()
	p := redcaptest.Demo(redcaptest.DemoOptions{Records: 40, Seed: 3})
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{Faults: f}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	base := []client.Option{client.WithRateLimit(0), client.WithLogger(slog.New(slog.DiscardHandler)), client.WithRetry(fastRetry)}
	c, err := client.New(srv.URL, srv.Token("rq demo study"), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmulatorFaults(t *testing.T) {
	ctx := context.Background()
	export := func(c *client.Client) error {
		_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Format: "json"})
		return err
	}
	t.Run("MaxCells gives ErrTooLarge", func(t *testing.T) {
		err := export(faulty(t, redcaptest.Faults{MaxCells: 100}))
		if !errors.Is(err, client.ErrTooLarge) {
			t.Fatalf("err = %v", err)
		}
		var e *client.Error
		if !errors.As(err, &e) || e.Status != 500 {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("rate limit ban stops at once", func(t *testing.T) {
		c := faulty(t, redcaptest.Faults{RateLimitPerMinute: 2})
		var err error
		for i := 0; i < 3 && err == nil; i++ {
			_, err = c.ExportVersion(ctx)
		}
		if !errors.Is(err, client.ErrBanned) || !strings.Contains(err.Error(), "permanently") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("every request failing exhausts the retries", func(t *testing.T) {
		err := export(faulty(t, redcaptest.Faults{FailRate: 1, Seed: 1}))
		var e *client.Error
		if !errors.As(err, &e) || e.Status < 502 || e.Status > 504 || !strings.Contains(err.Error(), "gave up after 3 attempts") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("half failing is absorbed by retries", func(t *testing.T) {
		c := faulty(t, redcaptest.Faults{FailRate: 0.5, Seed: 5},
			client.WithRetry(client.RetryPolicy{MaxAttempts: 12, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}))
		for i := 0; i < 5; i++ {
			if err := export(c); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("truncated bodies are detected", func(t *testing.T) {
		for _, format := range []string{"json", "csv"} {
			c := faulty(t, redcaptest.Faults{TruncateRate: 1, Seed: 2})
			_, err := c.ExportRecords(ctx, client.ExportRecordsParams{Format: format})
			if !errors.Is(err, client.ErrTruncated) {
				t.Errorf("%s: err = %v", format, err)
			}
			_, err = c.ExportMetadata(ctx, client.ExportMetadataParams{})
			if !errors.Is(err, client.ErrTruncated) && !errors.Is(err, client.ErrMalformed) {
				t.Errorf("metadata: err = %v", err)
			}
		}
	})
	t.Run("HTML error pages with 200 are detected", func(t *testing.T) {
		err := export(faulty(t, redcaptest.Faults{HTMLErrorRate: 1, Seed: 2}))
		if !errors.Is(err, client.ErrMalformed) || !strings.Contains(err.Error(), "HTML") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("latency past the time-out", func(t *testing.T) {
		c := faulty(t, redcaptest.Faults{Latency: time.Second}, client.WithTimeout(50*time.Millisecond),
			client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
		_, err := c.ExportVersion(ctx)
		if err == nil || !strings.Contains(err.Error(), "WithTimeout") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestEmulatorLongRecordListUnderMaxInputVars(t *testing.T) {
	c := faulty(t, redcaptest.Faults{MaxInputVars: 1000})
	ids := make([]string, 1500)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	recs, err := c.ExportRecords(context.Background(), client.ExportRecordsParams{Records: ids, Fields: []string{"record_id"}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs.Rows {
		seen[r[0]] = true
	}
	if len(seen) != 40 { // the demo here has 40 records; the others are silently absent, as in REDCap
		t.Fatalf("%d records", len(seen))
	}
	// A list that cannot be comma-joined stays an array and meets the limit.
	ids[0] = "a,b"
	_, err = c.ExportRecords(context.Background(), client.ExportRecordsParams{Records: ids})
	if !errors.Is(err, client.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}
