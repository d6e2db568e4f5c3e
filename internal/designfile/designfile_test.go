package designfile

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

func TestDecode(t *testing.T) {
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
		got, err := Decode[row]([]byte(tt.data), tt.format)
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

func TestDecodeOrdered(t *testing.T) {
	users, err := DecodeOrdered[client.User]([]byte("username,email,design\ncarol,c@example.org,1\n"), "csv")
	if err != nil || len(users) != 1 || users[0].Username != "carol" || users[0].Email != "c@example.org" ||
		users[0].Rights["design"] != "1" || !slices.Equal(users[0].Columns, []string{"username", "email", "design"}) {
		t.Errorf("csv: %+v, %v", users, err)
	}
	roles, err := DecodeOrdered[client.UserRole]([]byte(`[{"role_label":"Monitor","design":0}]`), "json")
	if err != nil || len(roles) != 1 || roles[0].RoleLabel != "Monitor" {
		t.Errorf("json: %+v, %v", roles, err)
	}
	for _, tt := range []struct{ data, format, wantErr string }{
		{`{"username":"x"}`, "json", "want an array of objects"},
		{"username,email\n\"x,y\n", "csv", "reading CSV"},
		{"", "csv", "no header row"},
		{"", "xml", `data format "xml"`},
	} {
		if _, err := DecodeOrdered[client.User]([]byte(tt.data), tt.format); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%q as %s: err = %v, want %q", tt.data, tt.format, err, tt.wantErr)
		}
	}
	if _, err := DecodeOrdered[client.User](nil, "xml"); !errors.Is(err, ErrFormat) {
		t.Errorf("xml: %v is not ErrFormat", err)
	}
}

func TestFormatOf(t *testing.T) {
	for _, tt := range []struct{ flag, name, want string }{
		{"", "a.json", "json"}, {"", "A.JSON", "json"}, {"", "p.xml", "xml"}, {"", "a.csv", "csv"}, {"", "-", "csv"}, {"JSON", "a.csv", "json"},
	} {
		if got := FormatOf(tt.flag, tt.name); got != tt.want {
			t.Errorf("FormatOf(%q, %q) = %q, want %q", tt.flag, tt.name, got, tt.want)
		}
	}
}
