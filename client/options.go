package client

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client; pass options to New.
type Option func(*config) error

// config collects the options before New builds the Client.
type config struct {
	httpClient     *http.Client
	timeout        time.Duration
	connectTimeout time.Duration
	ratePerSecond  float64
	retry          RetryPolicy
	userAgent      string
	insecure       bool
	caBundle       string
	logger         *slog.Logger
}

// Defaults used by New when no option overrides them.
const (
	DefaultTimeout        = 5 * time.Minute
	DefaultConnectTimeout = 20 * time.Second
	DefaultRateLimit      = 5.0 // requests per second, well under REDCap's 600/min IP ban threshold
	DefaultUserAgent      = "rq-redcap-client/1"
)

func defaultConfig() config {
	return config{
		timeout:        DefaultTimeout,
		connectTimeout: DefaultConnectTimeout,
		ratePerSecond:  DefaultRateLimit,
		retry:          DefaultRetryPolicy(),
		userAgent:      DefaultUserAgent,
	}
}

// WithHTTPClient makes the Client send requests through hc. The client's
// own Timeout and Transport are used as they are, so WithConnectTimeout,
// WithInsecureSkipVerify and WithCABundle cannot be combined with it.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errorf("WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each request attempt, body included (default 5 minutes).
// Zero means no per-request bound (the context still applies).
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errorf("WithTimeout: negative duration %v", d)
		}
		c.timeout = d
		return nil
	}
}

// WithConnectTimeout bounds the TCP connect and TLS handshake (default 20 s).
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errorf("WithConnectTimeout: duration must be positive, got %v", d)
		}
		c.connectTimeout = d
		return nil
	}
}

// WithRateLimit caps the request rate of the Client (default 5 per second).
// REDCap bans an IP permanently once it exceeds the server's per-minute
// threshold, so keep this well under 10. Zero or less removes the cap.
func WithRateLimit(perSecond float64) Option {
	return func(c *config) error {
		c.ratePerSecond = perSecond
		return nil
	}
}

// WithRetry replaces the retry policy (default DefaultRetryPolicy()).
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return err
		}
		c.retry = p
		return nil
	}
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		c.userAgent = ua
		return nil
	}
}

// WithInsecureSkipVerify turns off TLS certificate verification. It exists
// for test servers only; New logs a warning when it is used.
func WithInsecureSkipVerify() Option {
	return func(c *config) error {
		c.insecure = true
		return nil
	}
}

// WithCABundle trusts the PEM certificates in the file at path (in place of
// the system roots), for servers signed by a private authority.
func WithCABundle(path string) Option {
	return func(c *config) error {
		if path == "" {
			return errorf("WithCABundle: empty path")
		}
		c.caBundle = path
		return nil
	}
}

// WithLogger sets the logger for warnings and retries (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errorf("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}
