package client

import (
	"errors"
	"strings"
)

// scrub removes the token from an *Error's server-supplied text. A proxy
// or PHP error page may echo the POST body, token included; an error must
// never carry it onwards.
func (c *Client) scrub(err error) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	tok := c.token.value()
	e.Message = redactToken(e.Message, tok)
	e.BodyPrefix = redactToken(e.BodyPrefix, tok)
	for i := range e.Problems {
		p := &e.Problems[i]
		p.Record, p.Field, p.Value, p.Message = redactToken(p.Record, tok), redactToken(p.Field, tok), redactToken(p.Value, tok), redactToken(p.Message, tok)
	}
	return err
}

// redactToken replaces, in s, every run of hexadecimal characters that
// shares 8 or more consecutive characters with tok (in any letter case)
// with "[token]": the token whole, and the pieces of it that an error's
// window onto a body may cut at either end.
func redactToken(s, tok string) string {
	const minShared = 8
	if len(tok) < minShared || len(s) < minShared {
		return s
	}
	up := strings.ToUpper(tok)
	var out []byte
	last := 0
	for i := 0; i < len(s); {
		if !isHex(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isHex(s[j]) {
			j++
		}
		run := strings.ToUpper(s[i:j])
		for k := 0; k+minShared <= len(run); k++ {
			if strings.Contains(up, run[k:k+minShared]) {
				out = append(out, s[last:i]...)
				out = append(out, "[token]"...)
				last = j
				break
			}
		}
		i = j
	}
	if out == nil {
		return s
	}
	return string(append(out, s[last:]...))
}
