package client

import (
	"slices"
	"testing"
)

// TestCSVCheckRows: whatever sizes the body arrives in, each data row goes
// to onRow once, whole (newline included), with its first field unquoted;
// the header is not a row, and a last row without a newline is one.
func TestCSVCheckRows(t *testing.T) {
	body := "record_id,name\n1,\"a, \"\"b\"\"\"\n\"2\",\"line\none\"\r\n3,c"
	want := []string{
		"1|1,\"a, \"\"b\"\"\"\n",
		"2|\"2\",\"line\none\"\r\n",
		"3|3,c",
	}
	for _, size := range []int{1, 2, 3, 7, 16, len(body)} {
		var got []string
		c := &csvCheck{comma: ',', onRow: func(id string, row []byte) { got = append(got, id+"|"+string(row)) }}
		for i := 0; i < len(body); i += size {
			c.write([]byte(body[i:min(i+size, len(body))]))
		}
		if err := c.finish(); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("size %d:\n got %q\nwant %q", size, got, want)
		}
	}
	c := &csvCheck{comma: ','}
	c.write([]byte("a,\"open"))
	if c.finish() == nil {
		t.Error("a body that ends inside a quoted value passed")
	}
}
