package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestDecodeObjects(t *testing.T) {
	type row struct {
		Num  int    `json:"arm_num"`
		Name string `json:"name"`
	}
	for _, tt := range []struct {
		data, format, want, wantErr string
	}{
		{"arm_num,name\n1,A\n2,\"B, b\"\n", "csv", "[{1 A} {2 B, b}]", ""},
		{`[{"arm_num":1,"name":"A"},{"arm_num":"2","name":7}]`, "json", "[{1 A} {2 7}]", ""},
		{"arm_num,name\nx,A\n", "csv", "", `row 1, column arm_num: "x" is not a whole number`},
		{"arm_num,nom\n1,A\n", "csv", "", `row 1: unknown column "nom"`},
		{`{"arm_num":1}`, "json", "", "want an array of objects"},
		{"", "xml", "", `data format "xml": want csv or json`},
	} {
		got, err := decodeObjects[row]([]byte(tt.data), tt.format)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want %q", tt.data, err, tt.wantErr)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != tt.want {
			t.Errorf("%q: got %v, %v; want %s", tt.data, got, err, tt.want)
		}
	}
}
