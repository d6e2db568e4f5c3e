package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseProfile(t *testing.T) {
	const file = `# rq profiles
[default]
url = https://a.example/api/
token_file = /secrets/a.token

[profile b]
url = "https://b.example/api/"
ca_bundle = /etc/ca.pem
insecure = yes
`
	tests := []struct {
		name, text, profile string
		want                *profile
		wantErr             string
	}{
		{"default", file, "", &profile{Name: "default", URL: "https://a.example/api/", TokenFile: "/secrets/a.token"}, ""},
		{"named", file, "b", &profile{Name: "b", URL: "https://b.example/api/", CABundle: "/etc/ca.pem", Insecure: true}, ""},
		{"no default", "[x]\nurl = u\n", "", nil, ""},
		{"missing", file, "c", nil, `profile "c" is not in cfg`},
		{"token refused", "[x]\ntoken = ABC\n", "x", nil, "cfg:2: the config file holds no tokens"},
		{"unknown key", "[x]\nuser = me\n", "x", nil, `cfg:2: unknown key "user"`},
		{"outside section", "url = u\n", "", nil, `cfg:1: "url" is outside a [profile] section`},
		{"no equals", "[x]\nurl\n", "x", nil, `cfg:2: want key = value, got "url"`},
		{"open header", "[x\n", "x", nil, `cfg:1: section header "[x" has no closing ]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProfile(strings.NewReader(tt.text), "cfg", tt.profile)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "ABC") {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseProfile(f *testing.F) {
	f.Add("[default]\nurl = u\ntoken_file = t\n", "")
	f.Add("[profile x]\ninsecure = 1\n", "x")
	f.Add("[\n=\n", "")
	f.Fuzz(func(t *testing.T, text, name string) {
		p, err := parseProfile(strings.NewReader(text), "cfg", name)
		if err == nil && p != nil && name != "" && p.Name != name {
			t.Errorf("asked for %q, got %q", name, p.Name)
		}
	})
}

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
