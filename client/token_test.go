package client_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
)

func TestTokenNeverPrinted(t *testing.T) {
	tok, err := client.ParseToken(testToken + "\n")
	if err != nil {
		t.Fatal(err)
	}
	holder := struct {
		T     client.Token
		inner struct{ t client.Token }
	}{T: tok}
	holder.inner.t = tok
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "token", tok)
	js, _ := json.Marshal(holder)
	c, err := client.New("https://redcap.example.org/api/", testToken)
	if err != nil {
		t.Fatal(err)
	}
	outputs := []string{
		tok.String(), tok.GoString(),
		fmt.Sprintf("%s %v %+v %#v %q %x %X %d", tok, tok, tok, tok, tok, tok, tok, tok),
		fmt.Sprintf("%v %+v %#v", holder, holder, holder),
		fmt.Sprintf("%v %+v %#v %s", c, c, c, c),
		fmt.Sprint(c.Token()),
		string(js), logged.String(),
	}
	for _, out := range outputs {
		if strings.Contains(strings.ToUpper(out), testToken) || strings.Contains(strings.ToLower(out), strings.ToLower(testToken)) {
			t.Errorf("token printed: %s", out)
		}
	}
	if !strings.Contains(tok.String(), "CDEF") || !strings.Contains(tok.String(), "****") {
		t.Errorf("redacted form %q should show the last 4 characters only", tok)
	}
}

func TestTokenShape(t *testing.T) {
	secretish := "0123456789ABCDEF0123456789ABCDEG"
	tests := []struct {
		in, errHas string
	}{
		{testToken, ""},
		{strings.ToLower(testToken), ""},
		{testToken + testToken, ""},
		{"  " + testToken + "\r\n", ""},
		{"", "empty"},
		{testToken[:31], "31 characters"},
		{testToken + "0", "33 characters"},
		{secretish, "position 32"},
		{"0123456789ABCDEF 0123456789ABCDE", "position 17"},
	}
	for _, tt := range tests {
		_, err := client.ParseToken(tt.in)
		if tt.errHas == "" {
			if err != nil {
				t.Errorf("ParseToken(%q): %v", tt.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("ParseToken(%q) = %v, want error containing %q", tt.in, err, tt.errHas)
			continue
		}
		if len(tt.in) > 8 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)[:8]) {
			t.Errorf("error repeats the token: %v", err)
		}
		if _, err := client.New("https://x.org/api/", tt.in); err == nil {
			t.Errorf("New accepted token %q", tt.in)
		}
	}
}

func TestURLNormalised(t *testing.T) {
	tests := []struct{ in, want, errHas string }{
		{"https://redcap.example.org/api/", "https://redcap.example.org/api/", ""},
		{"https://redcap.example.org/api", "https://redcap.example.org/api/", ""},
		{"https://redcap.example.org/redcap/api/", "https://redcap.example.org/redcap/api/", ""},
		{"http://127.0.0.1:8080/api/", "http://127.0.0.1:8080/api/", ""},
		{"https://redcap.example.org/", "", "must end in /api/"},
		{"https://redcap.example.org/redcap", "", "must end in /api/"},
		{"ftp://redcap.example.org/api/", "", "https://"},
		{"https:///api/", "", "no host"},
		{"https://redcap.example.org/api/?token=" + testToken, "", "query"},
		{"https://user:pw@redcap.example.org/api/", "", "user name"},
	}
	for _, tt := range tests {
		c, err := client.New(tt.in, testToken)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("New(%q) err = %v, want %q", tt.in, err, tt.errHas)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks token: %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q): %v", tt.in, err)
			continue
		}
		if c.URL() != tt.want {
			t.Errorf("URL() = %q, want %q", c.URL(), tt.want)
		}
	}
}

func TestOptionsChecked(t *testing.T) {
	bad := []client.Option{
		client.WithRetry(client.RetryPolicy{MaxAttempts: 0}),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 3, BaseDelay: 0}),
		client.WithTimeout(-1),
		client.WithConnectTimeout(0),
		client.WithCABundle("/nonexistent/ca.pem"),
		client.WithHTTPClient(nil),
		client.WithLogger(nil),
	}
	for i, o := range bad {
		if _, err := client.New("https://x.org/api/", testToken, o); err == nil {
			t.Errorf("option %d accepted", i)
		}
	}
}

func TestInsecureSkipVerifyWarns(t *testing.T) {
	var logged bytes.Buffer
	_, err := client.New("https://x.org/api/", testToken, client.WithInsecureSkipVerify(),
		client.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged.String(), "WARN") || !strings.Contains(logged.String(), "verification is OFF") {
		t.Fatalf("no warning logged: %q", logged.String())
	}
}
