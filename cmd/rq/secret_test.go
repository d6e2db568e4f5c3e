package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadSecret(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  error
	}{
		{"abc\r", "abc", nil},
		{"abc\n", "abc", nil},
		{"abc\rrest", "abc", nil},
		{"abx\x7fc\r", "abc", nil},
		{"ab\x08\x08xy\r", "xy", nil},
		{"junk\x15abc\r", "abc", nil},
		{"abc", "abc", nil}, // end of input ends the line
		{"ab\x03c\r", "", errInterrupted},
		{"\x04", "", io.EOF},
		{"", "", io.EOF},
	} {
		got, err := readSecret(strings.NewReader(tc.in))
		if !errors.Is(err, tc.err) || string(got) != tc.want {
			t.Errorf("readSecret(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
