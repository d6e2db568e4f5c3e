package client

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"time"
)

// kind says whether a request changes data. Writes are retried only when
// the connection could not be opened, since a resent write may apply twice.
type kind int

const (
	read kind = iota
	write
)

// send posts f and returns a 200 response whose body the caller must close
// (closing also releases the attempt's time-out). Non-200 answers, REDCap
// error bodies and HTML pages become *Error. It waits for the rate limiter
// before every attempt and retries per the RetryPolicy.
func (c *Client) send(ctx context.Context, f *form, k kind) (*http.Response, error) {
	c.calls.Add(1)
	resp, err := c.sendRetrying(ctx, f, k)
	if err != nil {
		return nil, c.scrub(err)
	}
	resp.Body = &scrubbedBody{ReadCloser: resp.Body, c: c}
	return resp, nil
}

// Calls returns how many API calls the client has sent, each counted once
// however many times it was retried.
func (c *Client) Calls() int64 { return c.calls.Load() }

// scrubbedBody scrubs the token from errors raised while reading.
type scrubbedBody struct {
	io.ReadCloser
	c *Client
}

func (b *scrubbedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.c.scrub(err)
	}
	return n, err
}

func (c *Client) sendRetrying(ctx context.Context, f *form, k kind) (*http.Response, error) {
	content, action := f.get("content"), f.get("action")
	fail := func(status int, msg string, cause error) *Error {
		return &Error{Status: status, Message: msg, Content: content, Action: action, Err: cause}
	}
	body, ctype, err := c.encodeBody(f) // once: every attempt sends the same bytes
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fail(0, "waiting for the rate limiter: "+err.Error(), ctx.Err())
		}
		sent := time.Now()
		resp, actx, cancel, err := c.attempt(ctx, body, ctype)
		if err == nil {
			c.contacted.Store(true)
		}
		if c.log.Enabled(ctx, slog.LevelDebug) {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			c.log.Debug("redcap client: request", "content", content, "action", action, "params", f.logSummary(),
				"attempt", attempt, "status", status, "headers_after", time.Since(sent).Round(time.Millisecond))
		}
		var retryWait time.Duration
		var lastErr *Error
		switch {
		case err != nil:
			if ctx.Err() != nil { // the caller gave up: never retry
				return nil, fail(0, "request cancelled: "+ctx.Err().Error(), ctx.Err())
			}
			if why := hopeless(err, c.contacted.Load()); why != "" {
				return nil, fail(0, "cannot use "+c.url+": "+why+" (not retried): "+err.Error(), err)
			}
			lastErr = fail(0, describeNetErr(err, c.timeout), err)
			if k == write && !isDialError(err) {
				return nil, lastErr
			}
		case resp.StatusCode == http.StatusOK:
			r, err := c.checkOK(resp, actx, cancel, content, action)
			// A 200 carrying an HTML page is PHP failing after the headers
			// went out: a read is safe to send again, a write is not.
			if err == nil || k == write || !errors.Is(err, ErrHTMLPage) || !errors.As(err, &lastErr) {
				return r, err
			}
		case resp.StatusCode == http.StatusTooManyRequests:
			// Never retried unless the answer says when (see throttle.go).
			lastErr = c.statusError(resp, content, action)
			cancel()
			if retryWait, err = c.throttleWait(resp.Header, lastErr); err != nil {
				return nil, err
			}
		default:
			lastErr = c.statusError(resp, content, action)
			cancel()
			if !retryableStatus(resp.StatusCode) || k == write || errors.Is(lastErr, ErrTooLarge) {
				return nil, lastErr
			}
			retryWait = retryAfter(resp.Header)
		}
		if attempt >= c.retry.MaxAttempts {
			if attempt > 1 {
				lastErr.Message += " (gave up after " + itoa(attempt) + " attempts)"
			}
			return nil, lastErr
		}
		d := c.retry.delay(attempt, retryWait)
		if errors.Is(lastErr, ErrThrottled) {
			d = retryWait // exactly what the server asked, not the policy's cap
		}
		c.scrub(lastErr)
		c.log.Warn("redcap client: retrying", "content", content, "action", action, "attempt", attempt, "wait", d, "error", lastErr.Message)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fail(0, "request cancelled while waiting to retry: "+ctx.Err().Error(), ctx.Err())
		case <-t.C:
		}
	}
}

// attempt sends one request under the per-attempt time-out.
func (c *Client) attempt(ctx context.Context, body []byte, ctype string) (*http.Response, context.Context, context.CancelFunc, error) {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json, text/csv, text/xml, */*")
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return resp, actx, cancel, nil
}

// encodeBody builds a url-encoded body, or a multipart one for uploads.
func (c *Client) encodeBody(f *form) ([]byte, string, error) {
	if f.file == nil {
		return []byte(f.encode(c.token)), "application/x-www-form-urlencoded", nil
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys, vals := f.fields(c.token)
	for i, k := range keys {
		if err := mw.WriteField(k, vals[i]); err != nil {
			return nil, "", err
		}
	}
	w, err := mw.CreateFormFile("file", f.file.name)
	if err != nil {
		return nil, "", err
	}
	if f.file.data == nil { // read once: a retried upload must send the same bytes
		if f.file.data, err = io.ReadAll(f.file.content); err != nil {
			return nil, "", errorf("reading the file to upload: %v", err)
		}
	}
	if _, err := w.Write(f.file.data); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// isCertError reports a TLS certificate that failed verification: a
// retry would fail the same way.
func isCertError(err error) bool {
	var ve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &ve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func describeNetErr(err error, timeout time.Duration) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return "no complete response within " + timeout.String() + " (WithTimeout): " + err.Error()
	}
	return "network error: " + err.Error()
}

// statusError reads (a bounded part of) a non-200 body into an *Error.
func (c *Client) statusError(resp *http.Response, content, action string) *Error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	e := &Error{Status: resp.StatusCode, Content: content, Action: action}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return throttleError(e, resp.Header, b)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Message = "the server redirected to " + resp.Header.Get("Location") + "; not followed (the token would be resent there). Use the final URL, ending in /api/"
		e.Err = errRedirect
		return e
	}
	if msg, ok := errorMessage(b); ok {
		e.Message = msg
		e.Problems = parseImportProblems(msg)
	} else if looksHTML(b) {
		e.Message = http.StatusText(resp.StatusCode) + ": the server sent an HTML page, not a REDCap API answer"
		e.BodyPrefix = prefixOf(b)
	} else if t := strings.TrimSpace(string(b)); t != "" && len(t) <= 2000 && !bytes.ContainsRune(b, 0) {
		e.Message = t
	} else {
		e.Message = http.StatusText(resp.StatusCode)
		e.BodyPrefix = prefixOf(b)
	}
	classify(e)
	return e
}

// errorMessage recognises REDCap's error bodies: {"error":"msg"} (JSON,
// what returnFormat=json asks for) and <hash><error>msg</error></hash>.
func errorMessage(b []byte) (string, bool) {
	t := bytes.TrimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(t, &m) != nil {
			return "", false
		}
		raw, ok := m["error"]
		if !ok || len(m) > 2 {
			return "", false
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		return string(raw), true
	}
	if i := bytes.Index(t, []byte("<error>")); i >= 0 && bytes.Contains(t[:i], []byte("<hash>")) {
		rest := t[i+len("<error>"):]
		if j := bytes.Index(rest, []byte("</error>")); j >= 0 {
			return string(rest[:j]), true
		}
	}
	return "", false
}

// looksHTML recognises an HTML page or a PHP error printout.
func looksHTML(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf"))
	if len(t) > 512 {
		t = t[:512]
	}
	l := bytes.ToLower(t)
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<br />", "<br>", "<b>fatal error", "<b>warning", "<b>parse error"} {
		if bytes.HasPrefix(l, []byte(p)) {
			return true
		}
	}
	return false
}

// peekLen is how much of a 200 body is inspected for an error before it
// is handed on.
const peekLen = 512

// checkOK inspects the start of a 200 body for REDCap error objects and
// HTML pages, and returns the response with a body that reports
// truncation as *Error and releases the time-out on Close.
func (c *Client) checkOK(resp *http.Response, actx context.Context, cancel context.CancelFunc, content, action string) (*http.Response, error) {
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	head, _ := br.Peek(peekLen)
	t := bytes.TrimLeft(head, " \t\r\n")
	mk := func(msg string, cause error, body []byte) *Error {
		return &Error{Status: resp.StatusCode, Message: msg, Content: content, Action: action, Err: cause, BodyPrefix: prefixOf(body)}
	}
	if len(t) > 0 && (t[0] == '{' || t[0] == '<') {
		// An error object is small: read a bounded amount to decide.
		whole, _ := br.Peek(64 << 10)
		if msg, ok := errorMessage(whole); ok {
			resp.Body.Close()
			cancel()
			e := mk(msg, nil, nil)
			e.Problems = parseImportProblems(msg)
			classify(e)
			return nil, e
		}
		if looksHTML(head) && !isHTMLDownload(resp.Header) {
			resp.Body.Close()
			cancel()
			return nil, mk("the server answered 200 with an HTML page, not a REDCap API answer (a login page, proxy or PHP error?)", errors.Join(ErrMalformed, ErrHTMLPage), head)
		}
	}
	resp.Body = &checkedBody{r: br, c: resp.Body, ctx: actx, cancel: cancel, content: content, action: action, want: resp.ContentLength}
	return resp, nil
}

// isHTMLDownload tells an exported HTML file (Content-Type carries the
// file name) from an error page.
func isHTMLDownload(h http.Header) bool {
	return strings.Contains(h.Get("Content-Type"), "name=")
}

// checkedBody turns read failures into *Error: a body shorter than its
// Content-Length or a connection cut is ErrTruncated; a time-out says so.
type checkedBody struct {
	r               io.Reader
	c               io.Closer
	ctx             context.Context // the attempt's; done means the time-out fired
	cancel          context.CancelFunc
	content, action string
	want, got       int64
	err             error
}

func (b *checkedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	b.got += int64(n)
	switch {
	case err == nil:
	case err == io.EOF:
		if b.want >= 0 && b.got != b.want {
			err = &Error{Status: 200, Content: b.content, Action: b.action, Err: ErrTruncated,
				Message: "body has " + itoa64(b.got) + " bytes but Content-Length says " + itoa64(b.want)}
		}
	default:
		cause := ErrTruncated
		msg := "body cut after " + itoa64(b.got) + " bytes: " + err.Error()
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
			msg = "time-out while reading the body after " + itoa64(b.got) + " bytes (WithTimeout): " + err.Error()
		}
		err = &Error{Status: 200, Content: b.content, Action: b.action, Err: errors.Join(cause, err, context.Cause(b.ctx)), Message: msg}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

func (b *checkedBody) Close() error {
	err := b.c.Close()
	b.cancel()
	return err
}

// readAll sends f and returns the whole 200 body. A read whose body is
// cut off (or times out) mid-way is sent again per the RetryPolicy.
func (c *Client) readAll(ctx context.Context, f *form, k kind) ([]byte, http.Header, error) {
	return c.readChecked(ctx, f, k, nil)
}

// readChecked is readAll with check run on the body inside the retry loop,
// so that a body cut off at a clean boundary (JSON that ends early) is
// retried like one whose connection broke.
func (c *Client) readChecked(ctx context.Context, f *form, k kind, check func([]byte) error) ([]byte, http.Header, error) {
	var b []byte
	var h http.Header
	err := c.retryBody(ctx, f, k, func() error {
		resp, err := c.send(ctx, f, k)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err = io.ReadAll(resp.Body)
		h = resp.Header
		if err == nil && check != nil {
			err = check(b)
		}
		return err
	})
	if err != nil {
		return nil, nil, c.scrub(err)
	}
	return b, h, nil
}

// retryBody runs do, which sends a request and consumes its whole body,
// again when a read's body was cut off: send has retried what fails
// before the body, this covers what fails inside it.
func (c *Client) retryBody(ctx context.Context, f *form, k kind, do func() error) error {
	for attempt := 1; ; attempt++ {
		err := do()
		if err == nil || k == write || !errors.Is(err, ErrTruncated) || ctx.Err() != nil || attempt >= c.retry.MaxAttempts {
			return err
		}
		d := c.retry.delay(attempt, 0)
		c.log.Warn("redcap client: body cut off, retrying", "content", f.get("content"), "action", f.get("action"), "attempt", attempt, "wait", d, "error", c.scrub(err))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// postJSON sends f and decodes the JSON answer into out.
func (c *Client) postJSON(ctx context.Context, f *form, k kind, out any) error {
	f.set("format", "json")
	_, _, err := c.readChecked(ctx, f, k, func(b []byte) error { return decodeJSON(b, f, out) })
	return err
}

func decodeJSON(b []byte, f *form, out any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return &Error{Status: 200, Content: f.get("content"), Action: f.get("action"), Err: ErrTruncated,
			Message: "empty body where JSON was expected"}
	}
	if err := json.Unmarshal(b, out); err != nil {
		cause := ErrMalformed
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(b, " \t\r\n"))) || errors.Is(err, io.ErrUnexpectedEOF) {
			cause = ErrTruncated
		}
		return &Error{Status: 200, Content: f.get("content"), Action: f.get("action"), Err: cause,
			Message: "JSON answer does not parse: " + err.Error(), BodyPrefix: prefixOf(b)}
	}
	return nil
}

// postText sends f and returns the trimmed text answer (version, a link, a
// record name...). An empty answer is an error.
func (c *Client) postText(ctx context.Context, f *form, k kind) (string, error) {
	b, _, err := c.readAll(ctx, f, k)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", &Error{Status: 200, Content: f.get("content"), Action: f.get("action"), Err: ErrMalformed,
			Message: "empty body where a value was expected"}
	}
	return s, nil
}

// postCount sends an import/delete and reads REDCap's count answer,
// {"count": N} or a bare number.
func (c *Client) postCount(ctx context.Context, f *form) (int, error) {
	b, _, err := c.readAll(ctx, f, write)
	if err != nil {
		return 0, err
	}
	return parseCount(b, f)
}

func parseCount(b []byte, f *form) (int, error) {
	t := bytes.TrimSpace(b)
	var obj struct {
		Count *json.Number `json:"count"`
	}
	var n json.Number
	switch {
	case len(t) > 0 && t[0] == '{' && json.Unmarshal(t, &obj) == nil && obj.Count != nil:
		n = *obj.Count
	case len(t) > 0 && t[0] == '"':
		var s string
		if json.Unmarshal(t, &s) == nil {
			n = json.Number(s)
		}
	default:
		n = json.Number(t)
	}
	v, err := n.Int64()
	if err != nil {
		return 0, &Error{Status: 200, Content: f.get("content"), Action: f.get("action"), Err: ErrMalformed,
			Message: "expected a count", BodyPrefix: prefixOf(b)}
	}
	return int(v), nil
}

// postEmpty sends a request whose success answer is empty (or ignorable).
func (c *Client) postEmpty(ctx context.Context, f *form, k kind) error {
	_, _, err := c.readAll(ctx, f, k)
	return err
}

func itoa(n int) string { return itoa64(int64(n)) }

func itoa64(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
