package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Client talks to one REDCap project (or, with a super token, creates
// projects). It is safe for concurrent use; all its requests share one rate
// limiter.
type Client struct {
	calls   atomic.Int64 // API calls sent (Calls)
	url     string
	token   Token
	hc      *http.Client
	limiter *rate.Limiter
	retry   RetryPolicy
	timeout time.Duration
	ua      string
	log     *slog.Logger

	projMu chan struct{} // guards proj; one loader at a time, waiting honours ctx
	proj   *Project

	contacted atomic.Bool // some answer came back: a refused connection may then be a restart
}

// New returns a Client for the REDCap API at apiURL (which must end in
// /api/; "/api" is completed) using token (32 or 64 hexadecimal characters).
// Neither error of New contains the token.
func New(apiURL, token string, opts ...Option) (*Client, error) {
	tok, err := ParseToken(token)
	if err != nil {
		return nil, err
	}
	return NewWithToken(apiURL, tok, opts...)
}

// NewWithToken is New for a token already parsed with ParseToken.
func NewWithToken(apiURL string, tok Token, opts ...Option) (*Client, error) {
	if tok.IsZero() {
		return nil, errorf("no token")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	u, err := normaliseURL(apiURL)
	if err != nil {
		return nil, err
	}
	hc, err := cfg.buildHTTPClient()
	if err != nil {
		return nil, err
	}
	if cfg.insecure {
		cfg.logger.Warn("redcap client: TLS certificate verification is OFF (WithInsecureSkipVerify); the token can be stolen by anyone between you and the server", "url", u)
	}
	if strings.HasPrefix(u, "http://") && !isLoopbackURL(u) {
		cfg.logger.Warn("redcap client: plain http to a non-loopback host; the token travels unencrypted", "url", u)
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if cfg.perMinute > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.perMinute/60), max(1, cfg.burst))
	}
	c := &Client{
		url:     u,
		token:   tok,
		hc:      hc,
		limiter: lim,
		retry:   cfg.retry,
		timeout: cfg.timeout,
		ua:      cfg.userAgent,
		log:     cfg.logger,
		projMu:  make(chan struct{}, 1),
	}
	cfg.logger.Debug("redcap client: rate limit", "rate", c.RateDescription())
	return c, nil
}

// MaxRate returns the sustained request rate in force, in calls per
// minute, and the burst allowed before it applies; 0 means no limit.
func (c *Client) MaxRate() (perMinute float64, burst int) {
	if c.limiter.Limit() == rate.Inf {
		return 0, 0
	}
	return float64(c.limiter.Limit()) * 60, c.limiter.Burst()
}

// RateDescription says in words the rate in force, for logs.
func (c *Client) RateDescription() string {
	pm, burst := c.MaxRate()
	if pm == 0 {
		return "no limit (every call goes at once)"
	}
	return strconv.FormatFloat(pm, 'f', -1, 64) + " calls/minute, burst " + strconv.Itoa(burst)
}

// URL returns the API URL requests go to.
func (c *Client) URL() string { return c.url }

// Token returns the client's token (which prints redacted).
func (c *Client) Token() Token { return c.token }

// String describes the client without its token.
func (c *Client) String() string { return "redcap client for " + c.url + " " + c.token.String() }

// GoString describes the client without its token.
func (c *Client) GoString() string { return "&client.Client{" + c.String() + "}" }

// Format prints the client without its token, whatever the verb.
func (c *Client) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// normaliseURL checks that u is an http(s) URL whose path ends in /api/.
func normaliseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", errorf("bad REDCap API URL: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", errorf("REDCap API URL %q must start with https:// (or http:// for a local server)", raw)
	}
	if u.Host == "" {
		return "", errorf("REDCap API URL %q has no host", raw)
	}
	if u.User != nil {
		return "", errorf("REDCap API URL must not carry a user name or password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errorf("REDCap API URL must not carry a query or fragment; the token and parameters go in the POST body")
	}
	switch {
	case strings.HasSuffix(u.Path, "/api/"):
	case strings.HasSuffix(u.Path, "/api"):
		u.Path += "/"
	default:
		return "", errorf("REDCap API URL %q must end in /api/ (for example https://redcap.example.org/api/)", u.Redacted())
	}
	return u.String(), nil
}

func isLoopbackURL(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := pu.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// errRedirect stops redirects: following one would resend the token to
// another address, or turn the POST into a GET.
var errRedirect = errors.New("redirect refused")

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// maxIdleConns is how many connections to the server stay open between
// calls: enough for the parallel calls of a query at any sensible
// --concurrency, so that none is closed and dialled again.
const maxIdleConns = 64

func (cfg *config) buildHTTPClient() (*http.Client, error) {
	if cfg.httpClient != nil {
		if cfg.insecure || cfg.caBundle != "" {
			return nil, errorf("WithInsecureSkipVerify and WithCABundle cannot be combined with WithHTTPClient; configure TLS on that client's transport")
		}
		hc := *cfg.httpClient
		hc.CheckRedirect = refuseRedirect
		return &hc, nil
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.insecure}
	if cfg.caBundle != "" {
		pem, err := os.ReadFile(cfg.caBundle)
		if err != nil {
			return nil, errorf("WithCABundle: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errorf("WithCABundle: no PEM certificate found in %s", cfg.caBundle)
		}
		tlsCfg.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: cfg.connectTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: cfg.connectTimeout,
		ForceAttemptHTTP2:   true,
		// The planner runs --concurrency record exports, twice that many id
		// exports and six structure calls at once against the one REDCap.
		// net/http keeps only 2 idle connections per host by default
		// (DefaultMaxIdleConnsPerHost), so every call beyond the second
		// closed its connection and the next one dialled again: a TCP and
		// TLS handshake per call against a real server.
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   maxIdleConns,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: tr, CheckRedirect: refuseRedirect}, nil
}
