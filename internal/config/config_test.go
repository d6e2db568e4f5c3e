package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
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
		want                *Profile
		wantErr             string
	}{
		{"default", file, "", &Profile{Name: "default", URL: "https://a.example/api/", TokenFile: "/secrets/a.token"}, ""},
		{"named", file, "b", &Profile{Name: "b", URL: "https://b.example/api/", CABundle: "/etc/ca.pem", Insecure: true}, ""},
		{"no default", "[x]\nurl = u\n", "", nil, ""},
		{"missing", file, "c", nil, `profile "c" is not in cfg`},
		{"token refused", "[x]\ntoken = ABC\n", "x", nil, "cfg:2: the config file holds no tokens"},
		{"unknown key", "[x]\nuser = me\n", "x", nil, `cfg:2: unknown key "user"`},
		{"outside section", "url = u\n", "", nil, `cfg:1: "url" is outside a [profile] section`},
		{"no equals", "[x]\nurl\n", "x", nil, `cfg:2: want key = value, got "url"`},
		{"open header", "[x\n", "x", nil, `cfg:1: section header "[x" has no closing ]`},
		{"rate and concurrency", "[x]\nmax_rate = 120\nconcurrency = 2\n", "x", &Profile{Name: "x", MaxRate: ptr(120.0), Concurrency: 2}, ""},
		{"rate off", "[x]\nmax_rate = 0\n", "x", &Profile{Name: "x", MaxRate: ptr(0.0)}, ""},
		{"bad rate", "[x]\nmax_rate = fast\n", "x", nil, `cfg:2: max_rate = "fast": want calls per minute`},
		{"negative rate", "[x]\nmax_rate = -5\n", "x", nil, `cfg:2: max_rate = "-5"`},
		{"bad concurrency", "[x]\n\nconcurrency = 0\n", "x", nil, `cfg:3: concurrency = "0": want a whole number ≥ 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.text), "cfg", tt.profile)
			if tt.wantErr != "" {
				var ce *Error
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &ce) {
					t.Fatalf("err = %v, want a *config.Error with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "ABC") {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tt.want == nil) || got != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Load and Names read $XDG_CONFIG_HOME/rq/config; "~/" is the home folder.
func TestLoadAndNames(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", "/home/ann")
	if p, err := Load(""); p != nil || err != nil {
		t.Errorf("no file: %v, %v", p, err)
	}
	var ce *Error
	if _, err := Load("x"); !errors.As(err, &ce) || !strings.Contains(err.Error(), `profile "x": no config file`) {
		t.Errorf("no file, named profile: %v", err)
	}
	if Names() != nil {
		t.Error("names without a file")
	}
	os.MkdirAll(filepath.Join(dir, "rq"), 0o700)
	os.WriteFile(filepath.Join(dir, "rq", "config"), []byte("[default]\nurl = u\n[profile study]\ntoken_file = ~/t.token\n"), 0o600)
	if got := Path(); got != filepath.Join(dir, "rq", "config") {
		t.Errorf("Path = %s", got)
	}
	p, err := Load("study")
	if err != nil || p.TokenFile != "/home/ann/t.token" {
		t.Errorf("study: %+v, %v", p, err)
	}
	if got := Names(); !slices.Equal(got, []string{"default", "study"}) {
		t.Errorf("Names = %v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("[default]\nurl = u\ntoken_file = t\n", "")
	f.Add("[profile x]\ninsecure = 1\n", "x")
	f.Add("[\n=\n", "")
	f.Fuzz(func(t *testing.T, text, name string) {
		p, err := Parse(strings.NewReader(text), "cfg", name)
		if err == nil && p != nil && name != "" && p.Name != name {
			t.Errorf("asked for %q, got %q", name, p.Name)
		}
	})
}

func ptr[T any](v T) *T { return &v }
