package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/redcapql/rq/internal/parquetio"
)

// cmdParquet is the script command 'parquet FILE [COLUMN...]': it reads a
// Parquet file with parquet-go and prints its row count, each column's
// name and type, then (with COLUMNs) those columns' raw text, row by row.
func cmdParquet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: parquet FILE [COLUMN...]")
	}
	f, err := parquetio.Open(ts.MkAbs(args[0]))
	if neg {
		if err == nil {
			f.Close()
			ts.Fatalf("%s is a readable rq Parquet file", args[0])
		}
		return
	}
	ts.Check(err)
	defer f.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "rows %d\n", f.NumRows())
	pf, err := parquet.OpenFile(mustOpen(ts, args[0]))
	ts.Check(err)
	for _, c := range pf.Schema().Fields() {
		fmt.Fprintf(&b, "%s %s\n", c.Name(), c.Type())
	}
	if len(args) > 1 {
		ts.Check(f.ReadRaw(args[1:], func(raw []string) error {
			fmt.Fprintf(&b, "%s\n", strings.Join(raw, "|"))
			return nil
		}))
	}
	ts.Stdout().Write([]byte(b.String()))
}

func mustOpen(ts *testscript.TestScript, name string) (*strings.Reader, int64) {
	data := ts.ReadFile(filepath.Clean(name))
	return strings.NewReader(data), int64(len(data))
}
