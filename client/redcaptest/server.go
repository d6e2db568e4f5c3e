package redcaptest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Server is a running REDCap-compatible API server.
type Server struct {
	// URL is the API endpoint, ending in "/api/".
	URL string

	opts     Options
	listener net.Listener
	http     *http.Server

	mu       sync.RWMutex
	byToken  map[string]*Project
	byName   map[string]*Project
	userTok  map[string]*User // per-user tokens (User.Token)
	nextPID  int
	closeErr error
	closed   sync.Once
}

// NewServer starts a server on a loopback port serving projects and closes
// it when the test ends. Each project gets a token (Project.Token, else a
// fresh random one); srv.Token(name) returns it. It fails the test on error.
func NewServer(t testing.TB, projects ...*Project) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", Options{}, projects...)
	if err != nil {
		t.Fatalf("redcaptest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start serves projects on addr ("127.0.0.1:0" picks a free loopback port;
// an empty host means loopback, not every interface). Close stops it.
func Start(addr string, opts Options, projects ...*Project) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	s := &Server{opts: opts, byToken: map[string]*Project{}, byName: map[string]*Project{}, userTok: map[string]*User{}}
	for _, p := range projects {
		if _, err := s.Add(p); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	s.listener = ln
	s.URL = "http://" + ln.Addr().String() + "/api/"
	mux := http.NewServeMux()
	// The fault middleware (rate-limit bans) sees a call before it waits
	// for a worker, as REDCap's limiter counts hits, not served calls.
	mux.Handle("/api/", wrapFaults(wrapModel(http.HandlerFunc(s.serveAPI), opts.Model), opts.Faults))
	mux.HandleFunc("/", notFound)
	s.http = &http.Server{Handler: mux}
	go s.http.Serve(ln)
	return s, nil
}

// Add serves one more project and returns its token. The project is
// initialised (Init) and, without a token, given a random one.
func (s *Server) Add(p *Project) (string, error) {
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if p.fieldIndex == nil {
		if err := p.Init(); err != nil {
			return "", err
		}
	}
	if p.Token == "" {
		p.Token = NewToken(16)
	}
	p.ensureOwner()
	if !tokenRE.MatchString(p.Token) {
		return "", fmt.Errorf("project %q: token is not alphanumeric", p.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.byToken[p.Token]; dup {
		return "", fmt.Errorf("project %q: token already in use", p.Name)
	}
	if _, dup := s.byName[p.Name]; dup {
		return "", fmt.Errorf("project %q: name already in use", p.Name)
	}
	for _, u := range p.Users {
		if u.Token == "" || u.Token == p.Token {
			continue
		}
		if !tokenRE.MatchString(u.Token) {
			return "", fmt.Errorf("project %q: user %q: token is not alphanumeric", p.Name, u.Username)
		}
		if _, dup := s.byToken[u.Token]; dup || u.Token == s.opts.SuperToken {
			return "", fmt.Errorf("project %q: user %q: token already in use", p.Name, u.Username)
		}
	}
	s.nextPID++
	if p.Info.ProjectID == 0 {
		p.Info.ProjectID = s.nextPID
	}
	s.byToken[p.Token] = p
	s.byName[p.Name] = p
	for i := range p.Users {
		if u := &p.Users[i]; u.Token != "" {
			s.userTok[u.Token] = u
			s.byToken[u.Token] = p
		}
	}
	return p.Token, nil
}

// notFound answers a path other than the API's as a web server does (an
// Apache-style HTML page), not with Go's plain-text 404: clients that
// reject HTML bodies see what a wrong REDCap URL gives them.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
`)
}

// Token returns the API token of the named project ("" if none).
func (s *Server) Token(name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p := s.byName[name]; p != nil {
		return p.Token
	}
	return ""
}

// Project returns the named project, or nil.
func (s *Server) Project(name string) *Project {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byName[name]
}

// Close stops the server; it may be called more than once.
func (s *Server) Close() {
	s.closed.Do(func() {
		if s.http != nil {
			s.closeErr = s.http.Close()
		}
	})
}

// NewToken returns n random bytes as upper-case hex (16 → a project token,
// 32 → a super token).
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("redcaptest: no randomness: " + err.Error())
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// lookup finds the project and (optional) user of a token.
func (s *Server) lookup(token string) (*Project, *User) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byToken[token], s.userTok[token]
}
