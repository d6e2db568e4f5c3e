package rq_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/lang"
)

// contentLog records the content of every API request it sends.
type contentLog struct {
	mu       sync.Mutex
	contents []string
}

func (l *contentLog) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	l.mu.Lock()
	l.contents = append(l.contents, form.Get("content"))
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// sent returns the contents requested so far and forgets them.
func (l *contentLog) sent() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.contents
	l.contents = nil
	return out
}

// loggedDemo opens the demo project through a client whose requests are logged.
func loggedDemo(t *testing.T, records int) (*rq.Project, *contentLog) {
	t.Helper()
	proj := redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 3})
	srv := redcaptest.NewServer(t, proj)
	log := &contentLog{}
	c, err := client.New(srv.URL, srv.Token(proj.Name), client.WithRateLimit(0),
		client.WithHTTPClient(&http.Client{Transport: log}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := rq.OpenClient(c)
	if err != nil {
		t.Fatal(err)
	}
	return p, log
}

// TestExecChecksFirst: a file's parameter problems are all reported before any
// request, and every statement is checked before any record is exported.
func TestExecChecksFirst(t *testing.T) {
	p, log := loggedDemo(t, 20)
	ctx := context.Background()
	tests := []struct {
		name   string
		src    string
		params map[string]string
		want   string // lang.Render of the error; "" for no error
		sent   bool   // whether any request may be made
	}{
		{
			name: "undeclared parameter used after a statement that would run",
			src:  "select count(*) from project;\nselect count(*) from records where age > $nope;\n",
			want: "q.rq:2:42: parameter $nope is not declared and has no value\n" +
				"    select count(*) from records where age > $nope;\n" +
				"                                             ^\n" +
				"hint: give it with -p nope=value (or \\set nope value), or declare it: param $nope = default;\n",
		},
		{
			name: "parameter declared twice",
			src:  "param $x = 1;\nparam $x = 2;\nselect count(*) from records where age > $x;\n",
			want: "q.rq:2:1: parameter $x is declared twice\n" +
				"    param $x = 2;\n" +
				"    ^\n" +
				"hint: the first declaration is at q.rq:1:1\n",
		},
		{
			name:   "declared twice even when given",
			src:    "param $x;\nparam $x;\nselect count(*) from records where age > $x;\n",
			params: map[string]string{"x": "3"},
			want: "q.rq:2:1: parameter $x is declared twice\n" +
				"    param $x;\n" +
				"    ^\n" +
				"hint: the first declaration is at q.rq:1:1\n",
		},
		{
			name: "missing value: at the first use, pointing back at the declaration",
			src:  "param $since comment 'start';\nselect count(*) from project;\nselect count(*) from records where dob > $since;\nselect $since as s from project;\n",
			want: "q.rq:3:42: parameter $since has no value\n" +
				"    select count(*) from records where dob > $since;\n" +
				"                                             ^\n" +
				"hint: it is declared without a default at q.rq:1:1; give it with -p since=value\n",
		},
		{
			name: "every problem together",
			src:  "param $a;\nparam $a;\nselect count(*) from records where age > $a and score > $b;\n",
			want: "q.rq:2:1: parameter $a is declared twice\n" +
				"    param $a;\n" +
				"    ^\n" +
				"hint: the first declaration is at q.rq:1:1\n" +
				"\n" +
				"q.rq:3:42: parameter $a has no value\n" +
				"    select count(*) from records where age > $a and score > $b;\n" +
				"                                             ^\n" +
				"hint: it is declared without a default at q.rq:1:1; give it with -p a=value\n" +
				"\n" +
				"q.rq:3:57: parameter $b is not declared and has no value\n" +
				"    select count(*) from records where age > $a and score > $b;\n" +
				"                                                            ^\n" +
				"hint: give it with -p b=value (or \\set b value), or declare it: param $b = default;\n",
		},
		{
			name: "a later statement's error stops the file before any record export",
			src:  "select count(*) from records;\nselect agee from records;\n",
			want: "q.rq:2:8: no field 'agee'",
			sent: true,
		},
		{
			name:   "given, defaulted and unused declarations run",
			src:    "param $min = 5;\nparam $since;\nparam $unused;\nselect count(*) from records where score > $min and dob > $since;\n",
			params: map[string]string{"since": "1900-01-01"},
			sent:   true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log.sent()
			ran := 0
			err := p.Exec(ctx, "q.rq", tc.src, tc.params, func(*lang.Select, *rq.Rows) error {
				ran++
				return nil
			})
			sent := log.sent()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("no error, want %q", tc.want)
			case tc.want != "":
				got := lang.Render(err, tc.src)
				if tc.sent && !strings.HasPrefix(got, tc.want) || !tc.sent && got != tc.want {
					t.Errorf("error:\n%s\nwant:\n%s", got, tc.want)
				}
				if ran != 0 {
					t.Errorf("%d statements ran before the error", ran)
				}
				for _, c := range sent {
					if c == "record" {
						t.Errorf("records exported before the error: %v", sent)
						break
					}
				}
			case ran != len(strings.Split(strings.TrimSpace(tc.src), "select"))-1:
				t.Errorf("%d statements ran", ran)
			}
			if !tc.sent && len(sent) > 0 {
				t.Errorf("requests before the error: %v", sent)
			}
		})
	}
}

// TestExecUnusedParams: a given value that the file neither uses nor declares
// (a misspelt name, whose default would silently run) is an error, unless the
// values are a session's variables.
func TestExecUnusedParams(t *testing.T) {
	p, log := loggedDemo(t, 20)
	ctx := context.Background()
	src := "param $min_age = 18 comment 'youngest';\nparam $site;\nselect count(*) from records where age >= $min_age and dob > $since;\n"
	tests := []struct {
		name   string
		params map[string]string
		opts   []rq.ExecOption
		want   string // lang.Render of the error; "" to run
	}{
		{"misspelt declared name", map[string]string{"min_agee": "30", "since": "1900-01-01"}, nil,
			"q.rq: parameter $min_agee is given but no statement uses it\nhint: did you mean $min_age?\n"},
		{"misspelt used name", map[string]string{"snce": "1900-01-01"}, nil,
			"q.rq: parameter $snce is given but no statement uses it\nhint: did you mean $since?\n\n" +
				"q.rq:3:62: parameter $since is not declared and has no value\n" +
				"    select count(*) from records where age >= $min_age and dob > $since;\n" +
				"                                                                 ^\n" +
				"hint: give it with -p since=value (or \\set since value), or declare it: param $since = default;\n"},
		{"nothing near", map[string]string{"since": "1900-01-01", "colour": "red"}, nil,
			"q.rq: parameter $colour is given but no statement uses it\nhint: the file's parameters are $min_age, $site, $since\n"},
		{"declared but unused is fine", map[string]string{"since": "1900-01-01", "site": "nyc"}, nil, ""},
		{"a session's variables", map[string]string{"since": "1900-01-01", "min_agee": "30"}, []rq.ExecOption{rq.IgnoreUnusedParams()}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log.sent()
			var got []string
			err := p.Exec(ctx, "q.rq", src, tc.params, func(_ *lang.Select, rows *rq.Rows) error {
				for rows.Next() {
					got = append(got, rows.Strings()...)
				}
				return nil
			}, tc.opts...)
			sent := log.sent()
			if tc.want != "" {
				if r := lang.Render(err, src); r != tc.want {
					t.Errorf("error:\n%s\nwant:\n%s", r, tc.want)
				}
				if len(sent) > 0 || len(got) > 0 {
					t.Errorf("ran before the error: requests %v, rows %v", sent, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := reader(t)(p.Query(ctx, "select count(*) from records where age >= 18 and dob > '1900-01-01'", nil))
			if len(got) != 1 || got[0] != want[0][0] {
				t.Errorf("count = %v, want %v (the default $min_age)", got, want)
			}
		})
	}
	if _, err := rq.FileParams(mustParseFile(t, src), map[string]string{"min_agee": "30"}); err == nil || !strings.Contains(err.Error(), "$min_agee") {
		t.Errorf("rq.FileParams with a misspelt name: %v", err)
	}
}

func mustParseFile(t *testing.T, src string) *lang.File {
	t.Helper()
	f, err := lang.ParseFile("q.rq", src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestQueryParams: Query takes its params as a session's variables: a value
// it does not use is ignored, a parameter it uses without a value is an error.
func TestQueryParams(t *testing.T) {
	p, _ := loggedDemo(t, 10)
	ctx := context.Background()
	q := "select count(*) from records where score > $min"
	for _, tc := range []struct {
		params map[string]string
		want   string // error text; "" to run
	}{
		{map[string]string{"min": "5"}, ""},
		{map[string]string{"min": "5", "site": "nyc"}, ""},
		{map[string]string{"mni": "5"}, "$min"},
	} {
		rows, err := p.Query(ctx, q, tc.params)
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: err = %v, want it to name %s", tc.params, err, tc.want)
			}
			continue
		}
		if got := readAll(t, rows, err); len(got) != 1 {
			t.Errorf("%v: %v", tc.params, got)
		}
	}
}
