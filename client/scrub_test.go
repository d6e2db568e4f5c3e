package client

import "testing"

func TestRedactToken(t *testing.T) {
	tok := "0123456789ABCDEF0123456789ABCDEF"
	tests := []struct{ in, want string }{
		{"no secret here", "no secret here"},
		{"token=" + tok + "&x=1", "token=[token]&x=1"},
		{"lower " + "0123456789abcdef0123456789abcdef", "lower [token]"},
		{"cut at the start: 6789ABCDEF0123456789ABCDEF\"}", "cut at the start: [token]\"}"},
		{"cut at the end: {\"a\":\"0123456789AB", "cut at the end: {\"a\":\"[token]"},
		{"record 20240101 and id 1234", "record 20240101 and id 1234"},
		{"dates 2024-01-01, hash deadbeefcafe0000", "dates 2024-01-01, hash deadbeefcafe0000"},
	}
	for _, tt := range tests {
		if got := redactToken(tt.in, tok); got != tt.want {
			t.Errorf("redactToken(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
