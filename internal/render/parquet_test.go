package render

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/redcapql/rq/client"
)

// failingRows returns n rows, then fails.
type failingRows struct {
	n, i int
}

func (f *failingRows) Columns() []string { return []string{"record", "redcap_event_name", "x"} }
func (f *failingRows) Next() bool        { f.i++; return f.i <= f.n }
func (f *failingRows) Row() []client.Value {
	return []client.Value{Text("r"), Text("e"), {Kind: client.KindNumber, Num: float64(f.i)}}
}
func (f *failingRows) Err() error {
	if f.i > f.n {
		return errors.New("connection reset")
	}
	return nil
}

// TestParquetFailureLeavesNoFile checks that a result that fails half-way
// is not a readable Parquet file (no footer), and that a partitioned
// folder does not appear at all.
func TestParquetFailureLeavesNoFile(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Write(&buf, Parquet, &failingRows{n: 3000}, Options{}); err == nil {
		t.Fatal("no error")
	}
	if _, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil {
		t.Error("a truncated result reads as a whole Parquet file")
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := WriteParquetDir(dir, "event", &failingRows{n: 10}); err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("folder exists after a failed write: %v", err)
	}
	// a complete result reads back
	buf.Reset()
	s := &Slice{Cols: []string{"record", "x"}, Vals: [][]client.Value{{Text("1"), {Kind: client.KindNumber, Num: 2}}}}
	if n, err := Write(&buf, Parquet, s, Options{}); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || pf.NumRows() != 1 {
		t.Fatal(err)
	}
	if f, err := ParseFormat("PARQUET"); err != nil || f != Parquet {
		t.Errorf("ParseFormat: %v %v", f, err)
	}
}
