package render

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/redcapql/rq/client"
)

// genRows makes n rows on demand, counting how many have been read, so a
// test can see how far the source was read when the output was written.
type genRows struct {
	n, read int
	row     []client.Value
}

func (g *genRows) Columns() []string {
	return []string{"id", "name", "score", "note", "when"}
}

func (g *genRows) Next() bool {
	if g.read >= g.n {
		return false
	}
	g.read++
	return true
}

func (g *genRows) Row() []client.Value {
	i := g.read
	g.row = append(g.row[:0],
		Text(strconv.Itoa(i)),
		Text("name "+strconv.Itoa(i%97)),
		client.Value{Kind: client.KindNumber, Num: float64(i) / 4},
		client.Value{},
		Text("2026-12-06 10:00"))
	return g.row
}

func (g *genRows) Err() error { return nil }

// pacedWriter records, at every write, how many rows the source had given.
type pacedWriter struct {
	src     *genRows
	writes  int
	maxGap  int // most rows read between two writes (or before the first)
	last    int
	written int64
}

func (w *pacedWriter) Write(p []byte) (int, error) {
	w.writes++
	w.maxGap = max(w.maxGap, w.src.read-w.last)
	w.last = w.src.read
	w.written += int64(len(p))
	return len(p), nil
}

// TestEveryFormatStreams proves structurally that every format writes as
// it reads: over 100,000 rows, the output is written in many pieces and
// never more than a bounded number of rows (the grid formats' sizing
// window plus one buffer of lines) is read between two writes. A writer
// that held every row would show one gap of 100,000.
func TestEveryFormatStreams(t *testing.T) {
	const total = 100_000
	for _, f := range Formats {
		for _, width := range []int{0, 60} {
			t.Run(string(f)+"/width="+strconv.Itoa(width), func(t *testing.T) {
				src := &genRows{n: total}
				w := &pacedWriter{src: src}
				n, err := Write(w, f, src, Options{Width: width})
				if err != nil || n != total {
					t.Fatalf("Write = %d, %v", n, err)
				}
				bound, writes := windowRows+2000, 10
				if f == Parquet {
					// Parquet holds one row group (65,536 rows by default),
					// then writes it: bounded, by design of the format.
					bound, writes = 65536+2000, 2
				}
				if w.maxGap > bound {
					t.Errorf("%d rows read between two writes: the output is not streamed", w.maxGap)
				}
				if w.writes < writes {
					t.Errorf("only %d writes for %d bytes", w.writes, w.written)
				}
			})
		}
	}
}

// TestGridAfterWindow: rows after the sizing window keep the window's
// widths; a wider cell is cut on a terminal and kept whole otherwise, and
// markdown never cuts.
func TestGridAfterWindow(t *testing.T) {
	rows := func() *Slice {
		s := &Slice{Cols: []string{"col_a", "col_b"}}
		for i := 0; i < windowRows; i++ {
			s.Vals = append(s.Vals, []client.Value{Text("x"), Text("y")})
		}
		s.Vals = append(s.Vals, []client.Value{Text("wider than x"), Text("y")})
		return s
	}
	tests := []struct {
		f     Format
		width int
		last  string
	}{
		{Table, 0, " wider than x | y"},
		{Table, 80, " wide… | y"},
		{Markdown, 0, "| wider than x | y     |"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if _, err := Write(&b, tt.f, rows(), Options{Width: tt.width}); err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(b.Bytes(), []byte("\n")), []byte("\n"))
		last := string(lines[len(lines)-1])
		if tt.f == Table {
			last = string(lines[len(lines)-2]) // before the row count
		}
		if last != tt.last {
			t.Errorf("%s width %d: last row %q, want %q", tt.f, tt.width, last, tt.last)
		}
	}
}

// FuzzJSONString: the hand-written string encoder agrees with encoding/json
// (HTML escaping off) on every input.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\n\r\t\b\f\x00\x1f", "<&>", "\u2028\u2029", "\xff\xfe", "é€😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		want := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
