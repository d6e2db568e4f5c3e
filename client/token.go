package client

import (
	"fmt"
	"log/slog"
)

// Token is a REDCap API token: 32 hexadecimal characters for a project
// token, 64 for a super token. Every way of printing it (String, Format with
// any verb, GoString, MarshalText, slog) gives a redacted form; the secret
// is reachable only by the client, which puts it in the POST body and
// nowhere else. The secret sits behind a pointer so that even printing a
// struct that holds a Token by reflection shows an address, not the value.
type Token struct {
	secret *string
}

// ParseToken checks the shape of s (32 or 64 hexadecimal characters, either
// case; surrounding spaces and a trailing newline are trimmed). Its error
// never contains the token.
func ParseToken(s string) (Token, error) {
	s = trimSpace(s)
	if s == "" {
		return Token{}, errorf("token is empty; want 32 (project) or 64 (super token) hexadecimal characters")
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return Token{}, errorf("token has a character that is not hexadecimal at position %d; want 32 or 64 characters 0-9, A-F", i+1)
		}
	}
	if len(s) != 32 && len(s) != 64 {
		return Token{}, errorf("token has %d characters; want 32 (project) or 64 (super token) hexadecimal characters", len(s))
	}
	return Token{secret: &s}, nil
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// IsZero reports whether t holds no token.
func (t Token) IsZero() bool { return t.secret == nil }

// IsSuper reports whether t is a 64-character super token.
func (t Token) IsSuper() bool { return t.secret != nil && len(*t.secret) == 64 }

// value is the secret itself; only request encoding may call it.
func (t Token) value() string {
	if t.secret == nil {
		return ""
	}
	return *t.secret
}

// String returns the redacted form, e.g. "[token ****AB12]".
func (t Token) String() string {
	if t.secret == nil {
		return "[no token]"
	}
	s := *t.secret
	return "[token ****" + s[len(s)-4:] + "]"
}

// GoString returns the redacted form, so %#v does not reveal the token.
func (t Token) GoString() string { return "client.Token" + t.String() }

// Format prints the redacted form whatever the verb (%s, %v, %q, %x, %#v...).
func (t Token) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, t.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", t.String())
	default:
		fmt.Fprint(f, t.String())
	}
}

// MarshalText returns the redacted form, so JSON, YAML and the like never
// carry the token.
func (t Token) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// LogValue makes slog print the redacted form.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }
