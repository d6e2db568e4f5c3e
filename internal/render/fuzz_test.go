package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

// FuzzWrite: any column names and values render in every format without
// panicking; JSON and JSON lines always parse, with the values' types.
func FuzzWrite(f *testing.F) {
	f.Add("age", "33", 33.0, "a,b", "")
	f.Add("x\"y", "", -0.5, "\n", "NA")
	f.Add("", "1e400", 1e300, "|", "")
	f.Fuzz(func(t *testing.T, col, text string, num float64, code, missing string) {
		rows := func() *Slice {
			return &Slice{
				Cols: []string{col, "n", "c", "m"},
				Vals: [][]client.Value{{
					Text(text),
					{Kind: client.KindNumber, Num: num, Str: text},
					{Kind: client.KindCodeSet, Codes: []string{code}},
					{Kind: client.KindNull, Missing: missing},
				}},
			}
		}
		for _, f := range Formats {
			var b strings.Builder
			if _, err := Write(&b, f, rows(), Options{Width: 40}); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			switch f {
			case JSON:
				var v []map[string]any
				if err := json.Unmarshal([]byte(b.String()), &v); err != nil || len(v) != 1 {
					t.Fatalf("json does not parse: %v\n%s", err, b.String())
				}
				if _, ok := v[0]["n"].(float64); !ok && v[0]["n"] != nil {
					t.Fatalf("number is %T", v[0]["n"])
				}
			case JSONL:
				if !json.Valid([]byte(strings.TrimSpace(b.String()))) {
					t.Fatalf("jsonl does not parse:\n%s", b.String())
				}
			}
		}
	})
}
