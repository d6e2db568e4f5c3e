package client_test

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/redcapql/rq/client"
)

// rowSource generates a flat export lazily: the whole body never exists.
type rowSource struct {
	format string
	rows   int
	i      int
	buf    []byte
}

func (s *rowSource) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		switch {
		case s.i == 0 && s.format == "csv":
			s.buf = []byte("record_id,redcap_event_name,age,notes\n")
		case s.i == 0:
			s.buf = []byte("[")
		case s.i > s.rows && s.format == "json":
			s.buf, s.format = []byte("]"), "done"
		case s.i > s.rows:
			return 0, io.EOF
		case s.format == "csv":
			s.buf = fmt.Appendf(nil, "%d,enrollment_arm_1,%d,\"free text, with a comma and \"\"quotes\"\" %d\"\n", s.i, s.i%90, s.i)
		default:
			sep := ","
			if s.i == 1 {
				sep = ""
			}
			s.buf = fmt.Appendf(nil, `%s{"record_id":"%d","redcap_event_name":"enrollment_arm_1","age":"%d","notes":"free text, with \"quotes\" %d"}`, sep, s.i, s.i%90, s.i)
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// TestStreamConstantMemory decodes a ~30 MB export and checks that the
// live heap stays small: rows are not accumulated anywhere.
func TestStreamConstantMemory(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		rs, err := client.NewRecordStream(&rowSource{format: format, rows: 300_000}, format, "")
		if err != nil {
			t.Fatal(err)
		}
		var ms runtime.MemStats
		peak, n := uint64(0), 0
		for rs.Next() {
			n++
			if n%50_000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if rs.Err() != nil || n != 300_000 {
			t.Fatalf("%s: %d rows, %v", format, n, rs.Err())
		}
		if rs.BytesRead() < 20<<20 {
			t.Fatalf("%s: only %d bytes", format, rs.BytesRead())
		}
		if peak > 16<<20 {
			t.Errorf("%s: live heap reached %d MB while streaming %d MB", format, peak>>20, rs.BytesRead()>>20)
		}
	}
}
