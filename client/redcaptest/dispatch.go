package redcaptest

import (
	"errors"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"strings"
)

// handlerFunc serves one content/action. It either writes a success answer
// and returns nil, or returns an error (an *APIError for REDCap's own error
// answers) without writing anything.
type handlerFunc func(c *call) error

// handlerSpec is a registered handler with what it needs.
type handlerSpec struct {
	h     handlerFunc
	super bool // also (or only) reachable with the super token
}

var registry = map[string]map[string]handlerSpec{}

// register adds the handler of content/action; handler files call it from
// init. Registering the same pair twice panics.
func register(content, action string, h handlerFunc) {
	registerSpec(content, action, handlerSpec{h: h})
}

// registerSuper registers a handler that also answers the super token (then
// c.Project is nil).
func registerSuper(content, action string, h handlerFunc) {
	registerSpec(content, action, handlerSpec{h: h, super: true})
}

func registerSpec(content, action string, s handlerSpec) {
	m := registry[content]
	if m == nil {
		m = map[string]handlerSpec{}
		registry[content] = m
	}
	if _, dup := m[action]; dup {
		panic(fmt.Sprintf("redcaptest: handler %s/%s registered twice", content, action))
	}
	m[action] = s
}

// APIError is an error answer: status code and REDCap's message, written
// in the request's returnFormat.
type APIError struct {
	Status int
	Msg    string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Msg) }

// errorf builds an APIError.
func errorf(status int, format string, args ...any) error {
	return &APIError{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// REDCap's error messages.
const (
	msgNotImplemented = "The requested method is not implemented."
	msgNoPermission   = "You do not have permissions to use the API"
	msgBadContent     = `The value of the parameter "content" is not valid`
	msgBadAction      = `The value of the parameter "action" is not valid`
	msgMaxInputVars   = "The REDCap server has reached a maximum for the number of POST parameters submitted. Please reduce the number of parameters (%d submitted; the limit is %d)."
	msgOutOfMemory    = "REDCap ran out of server memory. The request cannot be processed. Please try importing/exporting a smaller amount of data."
	msgFatal          = "REDCap crashed due to an unexpected PHP fatal error!"
)

// contents whose action decides (default export); for the rest, sending
// data makes the call an import.
var actionDecides = map[string]bool{"file": true, "fileRepository": true, "event": true, "arm": true,
	"dag": true, "user": true, "userRole": true}

var validActions = map[string]bool{"export": true, "import": true, "delete": true, "rename": true,
	"switch": true, "list": true, "createFolder": true, "randomize": true}

// call is one API request being served. User is the caller's own copy,
// taken as the request started (see userSnapshot).
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	srv     *Server
	form    *phpForm
	Project *Project // nil for super-token calls
	User    *User    // nil: the project's owner, full rights, no DAG
	Super   bool     // authenticated with the super token

	Content, Action string
	Format          string // csv, json, xml (default) or odm
	ReturnFormat    string // csv, json or xml
}

// Param returns a plain parameter ("" when absent or sent as an array).
func (c *call) Param(name string) string { return c.form.Str(name) }

// Has reports whether the parameter was sent.
func (c *call) Has(name string) bool { return c.form.Has(name) }

// Bool is true only for "1" or a case-insensitive "true".
func (c *call) Bool(name string) bool {
	v := c.form.Str(name)
	return v == "1" || strings.EqualFold(v, "true")
}

// List returns an array parameter, or a plain one split on commas.
func (c *call) List(name string) []string { return c.form.List(name) }

// Array returns an array parameter's values and whether it was sent as one.
func (c *call) Array(name string) ([]string, bool) { return c.form.Array(name) }

// File returns an uploaded multipart file part, or nil.
func (c *call) File(name string) *multipart.FileHeader { return c.form.files[name] }

// Server returns the server serving the call.
func (c *call) Server() *Server { return c.srv }

// userSnapshot copies a project user, as the request starts, into a value
// the call owns: handlers read its DAG and rights without holding p.Mu
// while dag/switch and user imports change the project's users under it.
// It returns nil when the token no longer belongs to a user.
func (s *Server) userSnapshot(p *Project, token string) *User {
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	_, u := s.lookup(token) // stable now: users are rebound under p.Mu
	if u == nil {
		return nil
	}
	cp := p.effectiveUser(*u)
	cp.Rights = maps.Clone(cp.Rights)
	cp.Forms = maps.Clone(cp.Forms)
	return &cp
}

// liveUser returns the project's own record of the calling user, to change
// it; the caller holds p.Mu for writing.
func (c *call) liveUser() *User {
	if c.User == nil {
		return nil
	}
	_, u := c.srv.lookup(c.User.Token)
	return u
}

// DAG returns the unique DAG name the calling user is restricted to ("" = none).
func (c *call) DAG() string {
	if c.User == nil {
		return ""
	}
	return c.User.DAG
}

// Username is the calling user's name.
func (c *call) Username() string {
	if c.User == nil || c.User.Username == "" {
		return "api_user"
	}
	return c.User.Username
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotImplemented)
		w.Write([]byte(msgNotImplemented))
		return
	}
	// post_max_size: an oversize body is never read into memory. PHP then
	// leaves $_POST empty, so REDCap sees no token.
	max := s.opts.maxBody()
	if r.ContentLength > max {
		w.Header().Set("Connection", "close")
		writeError(w, "xml", http.StatusForbidden, msgNoPermission)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, max)
	form, err := parseForm(r)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		writeError(w, "xml", http.StatusForbidden, msgNoPermission)
		return
	}
	if err != nil {
		writeError(w, "xml", http.StatusBadRequest, err.Error())
		return
	}
	c := &call{w: &startedWriter{ResponseWriter: w}, r: r, srv: s, form: form}
	c.Format = strings.ToLower(form.Str("format"))
	switch c.Format {
	case "csv", "json", "xml", "odm":
	default:
		c.Format = "xml"
	}
	c.ReturnFormat = strings.ToLower(form.Str("returnFormat"))
	switch c.ReturnFormat {
	case "csv", "json", "xml":
	default:
		c.ReturnFormat = c.Format
		if c.ReturnFormat == "odm" {
			c.ReturnFormat = "xml"
		}
	}
	limit := s.opts.Faults.MaxInputVars
	if limit <= 0 {
		limit = 100000
	}
	if form.count > limit {
		c.fail(errorf(http.StatusBadRequest, msgMaxInputVars, form.count, limit))
		return
	}
	token := strings.TrimSpace(form.Str("token"))
	if token == "" || !tokenRE.MatchString(token) {
		c.fail(errorf(http.StatusForbidden, msgNoPermission))
		return
	}
	if s.opts.SuperToken != "" && token == s.opts.SuperToken {
		c.Super = true
	} else {
		c.Project, c.User = s.lookup(token)
		if c.Project == nil {
			c.fail(errorf(http.StatusForbidden, msgNoPermission))
			return
		}
		if c.User != nil {
			if c.User = s.userSnapshot(c.Project, token); c.User == nil {
				c.fail(errorf(http.StatusForbidden, msgNoPermission)) // deleted meanwhile
				return
			}
		}
	}
	if c.Project != nil {
		// the Date header from the project's clock, as real REDCap's from
		// its own: clients read the server's time there (a mirror's
		// dateRangeBegin), and tests move it (ManualClock).
		w.Header().Set("Date", c.Project.now().UTC().Format(http.TimeFormat))
	}
	c.Content = form.Str("content")
	actions := registry[c.Content]
	if actions == nil {
		c.fail(errorf(http.StatusBadRequest, msgBadContent))
		return
	}
	c.Action = form.Str("action")
	hasData := form.Has("data")
	switch {
	case actionDecides[c.Content]:
		if c.Action == "" {
			c.Action = "export"
			if hasData && (c.Content == "user" || c.Content == "userRole") {
				c.Action = "import"
			}
		}
	case c.Action == "" || c.Action == "export" || c.Action == "import":
		c.Action = "export"
		if hasData {
			c.Action = "import"
		}
	}
	if !validActions[c.Action] {
		c.fail(errorf(http.StatusBadRequest, msgBadAction))
		return
	}
	spec, ok := actions[c.Action]
	if !ok {
		c.fail(errorf(http.StatusBadRequest, msgBadAction))
		return
	}
	if c.Super && !spec.super {
		c.fail(errorf(http.StatusForbidden, msgNoPermission))
		return
	}
	if err := apiRight(c); err != nil {
		c.fail(err)
		return
	}
	if err := spec.h(c); err != nil {
		c.fail(err)
	}
}

// fail writes an error answer in the call's returnFormat.
func (c *call) fail(err error) {
	if sw, ok := c.w.(*startedWriter); ok && sw.started {
		// The answer is under way (a streamed export whose client went
		// away): a second header cannot be sent, the body just ends, as
		// when PHP dies mid-output.
		return
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Status: http.StatusInternalServerError, Msg: msgFatal}
	}
	writeError(c.w, c.ReturnFormat, ae.Status, ae.Msg)
}

func writeError(w http.ResponseWriter, returnFormat string, status int, msg string) {
	var body string
	switch returnFormat {
	case "json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		body = `{"error":` + jsonString(msg) + `}`
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		body = "ERROR: " + msg
	default:
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		body = `<?xml version="1.0" encoding="UTF-8" ?><hash><error>` + xmlText(msg) + `</error></hash>`
	}
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// startedWriter notes whether the answer has begun, so that an error met
// while streaming ends the body instead of writing a second header.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startedWriter) WriteHeader(code int) {
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *startedWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Flush passes flushes through, so streamed exports still reach the client as they are made.
func (w *startedWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *startedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
