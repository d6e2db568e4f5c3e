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
	perMinute      float64 // calls per minute; 0 or less: no limit
	burst          int
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
	// DefaultMaxRate is the sustained request rate in calls per minute,
	// under half of REDCap's default rate-limiter threshold (600 a minute
	// per IP, after which the IP is banned for good): with the burst, no
	// minute ever holds more than 295 calls, which leaves room for a second
	// tool on the same IP and stays under even a threshold set to 300.
	DefaultMaxRate = 270
	// DefaultBurst is how many calls may go at once before the rate applies,
	// so that a small query never waits: loading the project's structure
	// takes eight calls, then the ids (one call, or one per event of a
	// longitudinal project) and one export.
	DefaultBurst     = 25
	DefaultUserAgent = "rq-redcap-client/1"
)

func defaultConfig() config {
	return config{
		timeout:        DefaultTimeout,
		connectTimeout: DefaultConnectTimeout,
		perMinute:      DefaultMaxRate,
		burst:          DefaultBurst,
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

// WithMaxRate caps the Client's sustained request rate at perMinute calls
// a minute (default DefaultMaxRate), with a burst of DefaultBurst calls.
// REDCap bans an IP permanently once it exceeds the server's per-minute
// threshold (600 by default), so keep this well under it. Zero or less
// removes the cap, for servers whose administrator turned the limiter off.
func WithMaxRate(perMinute float64) Option {
	return func(c *config) error {
		c.perMinute = perMinute
		return nil
	}
}

// WithRateLimit is WithMaxRate in calls per second (zero or less: no cap).
func WithRateLimit(perSecond float64) Option {
	return WithMaxRate(perSecond * 60)
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
