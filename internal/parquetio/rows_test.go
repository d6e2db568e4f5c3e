package parquetio

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// rawFile writes rows (the columns of TestWriteRawTypes) to a Parquet file
// of small row groups and returns its path.
func rawFile(t *testing.T, cols []string, rows [][]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(f, cols, Options{Dict: testDict(t), RowGroupRows: 700})
	for _, r := range rows {
		if err := w.WriteRaw(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawRows makes n rows over every type, with nulls, runs of equal values,
// missing codes and values that do not fit (rq_raw), varied by seed.
func rawRows(n, seed int) [][]string {
	base := [][]string{
		{"1", "base_arm_1", "", "", "42", "70.5", "1.50", "1980-02-29", "2024-01-31 08:05", "07:30", "1", "2", "g", "1", "0", "0", "héllo, \"world\"", "2"},
		{"2", "base_arm_1", "f", "3", "abc", "1.50", "2.5", "NA", "", "", "0", "1", "r", "0", "1", "0", "", "0"},
		{"10", "fu_arm_1", "", "", "UNK", "-0.25", "", "", "2024-02-01 23:59", "", "", "", "", "0", "0", "1", "x", ""},
		{"10", "fu_arm_1", "f", "1", "", "", "", "", "", "", "", "", "", "", "", "", "", ""},
	}
	var out [][]string
	for i := 0; i < n; i++ {
		r := slices.Clone(base[(i+seed)%len(base)])
		r[0] = fmt.Sprint((i + seed) / 3) // runs of a record's rows
		if r[4] == "42" {
			r[4] = fmt.Sprint(i * 7919 % 5000) // ints beyond the shared small texts
		}
		if r[5] == "70.5" {
			r[5] = fmt.Sprintf("%d.%d", i%300, i%10)
		}
		if i%5 == 0 {
			r[16] = fmt.Sprintf("note %d", i)
		}
		out = append(out, r)
	}
	return out
}

// TestRawRowsCells: the rows' text comes back exactly through Row, through
// Cell asked for a few cells of some rows only (the rows skipped and the
// columns never asked for are not decoded), and across files sharing
// buffers (RowsReusing), for wanted columns in any order and one the file
// lacks.
func TestRawRowsCells(t *testing.T) {
	cols := []string{"id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "age", "weight", "dose", "dob", "seen", "wake", "smoker", "sex", "color", "meds___1", "meds___2", "meds___na", "notes", "f_complete"}
	files := []struct {
		path string
		rows [][]string
	}{}
	for seed, n := range []int{2500, 1300} {
		rows := rawRows(n, seed)
		files = append(files, struct {
			path string
			rows [][]string
		}{rawFile(t, cols, rows), rows})
	}
	want := []string{"notes", "age", "nosuch", "id", "redcap_event_name", "meds___na", "dob", "weight", "dose", "seen", "wake", "smoker", "color", "f_complete"}
	pick := func(r []string) []string {
		out := make([]string, len(want))
		for i, w := range want {
			if j := slices.Index(cols, w); j >= 0 {
				out[i] = r[j]
			}
		}
		return out
	}
	var prev *RawRows
	for fi, file := range files {
		f, err := Open(file.path)
		if err != nil {
			t.Fatal(err)
		}
		// whole rows, buffers taken over from the previous file's iterator
		it := f.RowsReusing(want, prev)
		n := 0
		for it.Next() {
			if got, exp := it.Row(), pick(file.rows[n]); !slices.Equal(got, exp) {
				t.Fatalf("file %d row %d\n got %q\nwant %q", fi, n, got, exp)
			}
			n++
		}
		if it.Err() != nil || n != len(file.rows) {
			t.Fatalf("file %d: %d rows, %v", fi, n, it.Err())
		}
		prev = it
		// single cells: every third row, a few columns, the row never whole
		it = f.Rows(want)
		n = 0
		for it.Next() {
			if n%3 == 0 {
				exp := pick(file.rows[n])
				for _, i := range []int{(n / 3) % len(want), 3, 1} {
					for _, z := range []bool{false, true} {
						if got, want := it.Blank(i, z), exp[i] == "" || z && exp[i] == "0"; got != want {
							t.Fatalf("file %d row %d: Blank(%d, %v) = %v for %q", fi, n, i, z, got, exp[i])
						}
					}
					if got := it.Cell(i); got != exp[i] {
						t.Fatalf("file %d row %d: Cell(%d) = %q, want %q", fi, n, i, got, exp[i])
					}
				}
				if n%6 == 0 { // every column's Blank before any Cell of the row
					for i := range want {
						if got, want := it.Blank(i, true), exp[i] == "" || exp[i] == "0"; got != want {
							t.Fatalf("file %d row %d: Blank(%d, true) = %v for %q", fi, n, i, got, exp[i])
						}
					}
				}
				if n%9 == 0 && !slices.Equal(it.Row(), exp) {
					t.Fatalf("file %d row %d: Row after Cell\n got %q\nwant %q", fi, n, it.Row(), exp)
				}
			}
			n++
		}
		if it.Err() != nil || n != len(file.rows) {
			t.Fatalf("file %d (cells): %d rows, %v", fi, n, it.Err())
		}
		// Only: the rows of one event (dictionary-encoded), and a filter
		// on a column the file lacks (every cell blank)
		for _, c := range []struct {
			col   int
			texts []string
		}{{4, []string{"fu_arm_1"}}, {4, []string{"nosuch_arm_1", "base_arm_1"}}, {2, []string{""}}, {2, []string{"x"}}} {
			var exp [][]string
			for _, r := range file.rows {
				if p := pick(r); slices.Contains(c.texts, p[c.col]) {
					exp = append(exp, p)
				}
			}
			it = f.Rows(want)
			it.Only(c.col, c.texts)
			var got [][]string
			for it.Next() {
				got = append(got, slices.Clone(it.Row()))
			}
			if it.Err() != nil || len(got) != len(exp) {
				t.Fatalf("file %d: Only(%d, %q): %d rows, want %d (%v)", fi, c.col, c.texts, len(got), len(exp), it.Err())
			}
			for k := range got {
				if !slices.Equal(got[k], exp[k]) {
					t.Fatalf("file %d: Only(%d, %q) row %d\n got %q\nwant %q", fi, c.col, c.texts, k, got[k], exp[k])
				}
			}
		}
		f.Close()
	}
}
