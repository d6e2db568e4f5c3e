package client_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

func decodeAll(body, format string) (cols []string, rows [][]string, err error) {
	rs, err := client.NewRecordStream(strings.NewReader(body), format, "")
	if err != nil {
		return nil, nil, err
	}
	for rs.Next() {
		rows = append(rows, append([]string(nil), rs.Row()...))
	}
	return rs.Columns(), rows, rs.Err()
}

func TestDecodeJSONRecords(t *testing.T) {
	tests := []struct {
		name, in string
		cols     string
		rows     string
		err      error
		errHas   string
	}{
		{name: "empty array", in: " [ ] \n", cols: "[]", rows: "[]"},
		{name: "key order kept", in: `[{"z":"1","a":"2","m":"3"}]`, cols: "[z a m]", rows: `[["1" "2" "3"]]`},
		{name: "later objects reordered and sparse", in: `[{"a":"1","b":"2"},{"b":"4","a":"3"},{"b":"5"}]`, cols: "[a b]", rows: `[["1" "2"] ["3" "4"] ["" "5"]]`},
		{name: "repeat instance as number, null, bools", in: `[{"r":"1","redcap_repeat_instance":2,"x":null,"t":true,"f":false,"n":-1.5e3}]`,
			cols: "[r redcap_repeat_instance x t f n]", rows: `[["1" "2" "" "true" "false" "-1.5e3"]]`},
		{name: "escapes", in: `[{"a":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00 lone\ud800x"}]`, cols: "[a]", rows: `[["q\"b\\s/n\nt\tué😀 lone�x"]]`},
		{name: "escaped key", in: `[{"a\u0062":"1"}]`, cols: "[ab]", rows: `[["1"]]`},
		{name: "unicode raw", in: `[{"name":"Кирилл","x":"日本"}]`, cols: "[name x]", rows: `[["Кирилл" "日本"]]`},
		{name: "empty object", in: `[{}]`, cols: "[]", rows: `[[]]`},
		{name: "new key later", in: `[{"a":"1"},{"a":"2","b":"3"}]`, err: client.ErrMalformed, errHas: `field "b"`},
		{name: "nested", in: `[{"a":{"b":"1"}}]`, err: client.ErrMalformed, errHas: "nested"},
		{name: "not an array", in: `{"a":"1"}`, err: client.ErrMalformed},
		{name: "trailing garbage", in: `[{"a":"1"}] x`, err: client.ErrMalformed, errHas: "after the closing"},
		{name: "missing comma", in: `[{"a":"1"} {"a":"2"}]`, err: client.ErrMalformed},
		{name: "bad number", in: `[{"a":01}]`, err: client.ErrMalformed},
		{name: "control char", in: "[{\"a\":\"x\ny\"}]", err: client.ErrMalformed, errHas: "control character"},
		{name: "bad escape", in: `[{"a":"\x"}]`, err: client.ErrMalformed},
		{name: "empty body", in: "", err: client.ErrTruncated, errHas: "empty body"}, // a body cut at byte 0: retried
		{name: "cut in value", in: `[{"a":"1"},{"a":"2`, err: client.ErrTruncated, errHas: "record 2"},
		{name: "cut after object", in: `[{"a":"1"}`, err: client.ErrTruncated},
		{name: "cut in number", in: `[{"a":12`, err: client.ErrTruncated},
		{name: "cut in literal", in: `[{"a":tr`, err: client.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cols, rows, err := decodeAll(tt.in, "json")
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !strings.Contains(fmt.Sprint(err), tt.errHas) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(cols); got != tt.cols {
				t.Errorf("cols %s, want %s", got, tt.cols)
			}
			if rows == nil {
				rows = [][]string{}
			}
			if got := fmt.Sprintf("%q", rows); got != tt.rows {
				t.Errorf("rows %s, want %s", got, tt.rows)
			}
		})
	}
}

func TestDecodeCSVRecords(t *testing.T) {
	tests := []struct {
		name, in, delim string
		cols, rows      string
		err             error
	}{
		{name: "no rows: empty body", in: "", cols: "[]", rows: "[]"},
		{name: "header only", in: "record_id,age\n", cols: "[record_id age]", rows: "[]"},
		{name: "quoted", in: "id,notes\n1,\"a, \"\"b\"\"\nc\"\n2,\n", cols: "[id notes]", rows: `[["1" "a, \"b\"\nc"] ["2" ""]]`},
		{name: "BOM", in: "\ufeffid,x\n1,2\n", cols: "[id x]", rows: `[["1" "2"]]`},
		{name: "tab", in: "id\tx\n1\t2,3\n", delim: "tab", cols: "[id x]", rows: `[["1" "2,3"]]`},
		{name: "CRLF", in: "id,x\r\n1,2\r\n", cols: "[id x]", rows: `[["1" "2"]]`},
		{name: "no final newline", in: "id,x\n1,2", cols: "[id x]", rows: `[["1" "2"]]`},
		{name: "bare quote", in: "id,x\n1,a\"b\n", err: client.ErrMalformed},
		{name: "short row mid-body", in: "id,x\n1\n2,3\n", err: client.ErrMalformed},
		{name: "cut in quote", in: "id,x\n1,\"abc", err: client.ErrTruncated},
		{name: "cut mid-row", in: "id,x,y\n1,2,3\n4,5", err: client.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := client.NewRecordStream(strings.NewReader(tt.in), "csv", tt.delim)
			var rows [][]string
			if err == nil {
				for rs.Next() {
					rows = append(rows, append([]string(nil), rs.Row()...))
				}
				err = rs.Err()
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rows == nil {
				rows = [][]string{}
			}
			if got := fmt.Sprint(rs.Columns()); got != tt.cols {
				t.Errorf("cols %s, want %s", got, tt.cols)
			}
			if got := fmt.Sprintf("%q", rows); got != tt.rows {
				t.Errorf("rows %s, want %s", got, tt.rows)
			}
		})
	}
}
