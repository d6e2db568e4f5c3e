package client

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// Retrying what cannot succeed wastes the user's time and hides the cause
// under retry notices. These errors fail the same way every time.

// hopeless says why a network error cannot be cured by sending again, or
// "" when a retry may succeed (a reset, a time-out, a refused connection
// to a server that answered before and may be restarting).
func hopeless(err error, contacted bool) string {
	var dns *net.DNSError
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	msg := err.Error()
	switch {
	case isCertError(err):
		return "the server's TLS certificate is not trusted (see --ca-bundle)"
	case errors.As(err, &dns) && (dns.IsNotFound || !dns.IsTemporary && !dns.IsTimeout):
		return "the host name " + quote(dns.Name) + " does not resolve (DNS); check the URL"
	case errors.Is(err, syscall.ECONNREFUSED) && !contacted:
		return "connection refused: nothing listens at that address and port; check the URL"
	case errors.As(err, &rh), strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "the server does not speak TLS at that address: is the URL http://, not https://?"
	case strings.Contains(msg, "malformed HTTP response"), strings.Contains(msg, "malformed HTTP status code"):
		return "the server does not answer in HTTP at that address: is the URL https://, not http://?"
	case errors.As(err, &alert), strings.Contains(msg, "tls: protocol version not supported"), strings.Contains(msg, "tls: no supported versions"):
		return "the TLS handshake failed (protocol or cipher mismatch)"
	}
	return ""
}

func quote(s string) string { return `"` + s + `"` }

// retryableStatus reports the statuses for a request that may succeed
// later: 408 and the 5xx answers of a proxy or an overloaded server; not
// 501 (not implemented) or 505 (HTTP version), which answer the same
// again. REDCap's out-of-memory 500 is a 500 too: sendRetrying tells it
// apart by its body (ErrTooLarge, not retried: the planner splits
// instead). 429 is handled apart (a ban or a Retry-After).
func retryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout:
		return true
	case code == http.StatusNotImplemented, code == http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500 && code < 600
}
