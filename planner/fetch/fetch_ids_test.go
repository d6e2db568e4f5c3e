package fetch

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/redcapql/rq/client"
)

// TestFetchIDsStreamed: step 1, which keeps only the ids as the rows go
// by, has each id once, in the export's order, whether or not the export
// lists records in REDCap's order.
func TestFetchIDsStreamed(t *testing.T) {
	tests := []struct {
		name string
		ids  []string // the server's record order
		rows int      // rows per record
		want []string
	}{
		{"REDCap order", []string{"1", "2", "10", "a"}, 3, []string{"1", "2", "10", "a"}},
		{"one row each", []string{"1", "2", "3"}, 1, []string{"1", "2", "3"}},
		{"out of order", []string{"2", "1", "3"}, 2, []string{"2", "1", "3"}},
		{"a record again later", []string{"1", "2", "1", "3"}, 2, []string{"1", "2", "3"}},
		{"no records", nil, 2, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFake(0, tc.rows, "a")
			fs.ids = tc.ids
			p := client.ExportRecordsParams{}
			opts := FetchOptions{RecordIDField: "record_id"}
			if err := opts.SetDefaults(p); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f := newFetchRows(ctx, cancel, fs.export, p, opts)
			l, err := f.fetchIDs(PlanCalls(p, opts))
			if err != nil {
				t.Fatal(err)
			}
			if got := l.slice(0, l.len()); !slices.Equal(got, tc.want) {
				t.Fatalf("ids = %q, want %q", got, tc.want)
			}
			if f.stats.IDs != len(tc.want) || f.stats.Calls != 1 {
				t.Errorf("stats: %d ids in %d calls, want %d in 1", f.stats.IDs, f.stats.Calls, len(tc.want))
			}
		})
	}
}

func TestIDList(t *testing.T) {
	for _, c := range []struct {
		in      []string
		ordered bool
	}{
		{nil, true},
		{[]string{"1"}, true},
		{[]string{"1", "2", "10", "a", "ab"}, true},
		{[]string{"10", "2"}, false},
		{[]string{"1", "1"}, false},
		{[]string{"", "x"}, true},
	} {
		var b idBuilder
		for _, id := range c.in {
			b.add(id)
		}
		if n := len(c.in); n > 0 && !b.isLast(c.in[n-1]) {
			t.Errorf("%q: isLast(%q) = false", c.in, c.in[n-1])
		}
		l := b.list()
		if got := l.slice(0, l.len()); !slices.Equal(got, c.in) && !(len(got) == 0 && len(c.in) == 0) {
			t.Errorf("list of %q = %q", c.in, got)
		}
		if l.ordered() != c.ordered {
			t.Errorf("%q: ordered = %v, want %v", c.in, l.ordered(), c.ordered)
		}
		b.truncate(1)
		if len(c.in) > 0 && (b.len() != 1 || !b.isLast(c.in[0])) {
			t.Errorf("%q truncated to 1: %d ids", c.in, b.len())
		}
	}
}

// cutStream ends after `after` rows with a body cut short.
type cutStream struct {
	exportStream
	after, n int
}

func (c *cutStream) Next() bool {
	if c.n == c.after {
		return false
	}
	c.n++
	return c.exportStream.Next()
}

func (c *cutStream) Err() error {
	if c.n == c.after {
		return fmt.Errorf("fake: body cut: %w", client.ErrTruncated)
	}
	return c.exportStream.Err()
}

// TestFetchIDsRetriedAfterCut: an id export cut short is asked again and
// read from the start; the ids of the cut attempt are not kept twice.
func TestFetchIDsRetriedAfterCut(t *testing.T) {
	fs := newFake(5, 2, "a")
	cuts := 1
	export := func(ctx context.Context, p client.ExportRecordsParams) (exportStream, error) {
		s, err := fs.export(ctx, p)
		if err != nil || cuts == 0 {
			return s, err
		}
		cuts--
		return &cutStream{exportStream: s, after: 3}, nil
	}
	p := client.ExportRecordsParams{}
	opts := FetchOptions{RecordIDField: "record_id"}
	if err := opts.SetDefaults(p); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFetchRows(ctx, cancel, export, p, opts)
	l, err := f.fetchIDs(PlanCalls(p, opts))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.slice(0, l.len()), []string{"1", "2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Fatalf("ids = %q, want %q", got, want)
	}
	if f.stats.Retries != 1 || f.stats.Calls != 2 {
		t.Errorf("stats: %d calls, %d retries; want 2 and 1", f.stats.Calls, f.stats.Retries)
	}
}
