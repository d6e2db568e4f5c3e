package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/internal/config"
)

// demoName is the demo project's name (its title).
const demoName = "rq demo study"

// testRetry, set by tests only, replaces the default retry policy (and
// lifts the rate limit) so that failure paths run without real waits.
var testRetry *client.RetryPolicy

// connect returns the API client for the command: the demo project started
// in-process with --demo, else --url / REDCAP_API_URL / the profile with a
// token from REDCAP_API_TOKEN, --token-file, the profile's token_file or a
// no-echo prompt.
func (a *app) connect() (*client.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	if a.maxRate < 0 || a.maxRate != a.maxRate {
		return nil, usageError{fmt.Errorf("--max-rate %v: want calls per minute, a number ≥ 0 (0: no limit)", a.maxRate)}
	}
	if a.concurrency < 1 {
		return nil, usageError{fmt.Errorf("--concurrency %d: want at least 1", a.concurrency)}
	}
	opts := []client.Option{client.WithUserAgent("rq/" + version())}
	if a.timeout > 0 {
		opts = append(opts, client.WithTimeout(a.timeout))
	}
	if testRetry != nil {
		opts = append(opts, client.WithRetry(*testRetry), client.WithRateLimit(0))
	} else if d, err := time.ParseDuration(os.Getenv("RQ_TEST_RETRY_DELAY")); err == nil && d > 0 {
		// scripts of failure paths: the default attempts, short waits
		p := client.DefaultRetryPolicy()
		p.BaseDelay, p.MaxDelay = d, 4*d
		opts = append(opts, client.WithRetry(p))
	}
	switch {
	case a.verbose:
		opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	case a.quiet:
		// -q: no retry notices; errors still show.
		opts = append(opts, client.WithLogger(slog.New(slog.DiscardHandler)))
	default:
		// one short line per retry or warning
		opts = append(opts, client.WithLogger(slog.New(newNoticeHandler(a.stderr))))
	}
	if a.demo {
		a.resolveTuning(nil)
		srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{},
			redcaptest.Demo(redcaptest.DemoOptions{Records: a.demoRecords(), Seed: a.seed}))
		if err != nil {
			return nil, fmt.Errorf("starting the demo server: %w", err)
		}
		a.cleanup = append(a.cleanup, srv.Close)
		// The in-process demo server has no rate limiter to ban us: no cap
		// unless --max-rate asks for one.
		rate := 0.0
		if a.flags.Changed("max-rate") {
			rate = a.maxRate
		}
		c, err := client.New(srv.URL, srv.Token(demoName), append(opts, client.WithMaxRate(rate))...)
		if err != nil {
			return nil, err
		}
		a.client = c
		a.logTuning()
		return c, nil
	}
	prof, err := config.Load(a.profile)
	if _, ok := errors.AsType[*config.Error](err); ok {
		return nil, usageError{err}
	}
	if err != nil {
		return nil, err
	}
	if prof == nil {
		prof = &config.Profile{}
	}
	url := firstOf(a.url, os.Getenv("REDCAP_API_URL"), prof.URL)
	if url == "" {
		return nil, usageError{errors.New("no REDCap API URL: give --url, set REDCAP_API_URL, use --profile, or try --demo")}
	}
	if ca := firstOf(a.caBundle, prof.CABundle); ca != "" {
		opts = append(opts, client.WithCABundle(ca))
	}
	if a.insecure || prof.Insecure {
		fmt.Fprintln(a.stderr, "rq: warning: --insecure: TLS certificates are not checked; anyone on the path can read your token and data")
		opts = append(opts, client.WithInsecureSkipVerify())
	}
	tok, err := a.token(prof)
	if err != nil {
		return nil, err
	}
	a.resolveTuning(prof)
	opts = append(opts, client.WithMaxRate(a.maxRate))
	c, err := client.NewWithToken(url, tok, opts...)
	if err != nil {
		return nil, usageError{err}
	}
	a.client = c
	a.logTuning()
	return c, nil
}

// logTuning tells -v the request rate and concurrency in force.
func (a *app) logTuning() {
	if a.verbose {
		fmt.Fprintf(a.stderr, "rq: rate limit %s; %d record exports at once\n", a.client.RateDescription(), a.concurrency)
	}
}

// resolveTuning settles --max-rate and --concurrency: a flag given wins,
// then the profile's max_rate and concurrency, then the defaults.
func (a *app) resolveTuning(prof *config.Profile) {
	if prof != nil && !a.flags.Changed("max-rate") && prof.MaxRate != nil {
		a.maxRate = *prof.MaxRate
	}
	if prof != nil && !a.flags.Changed("concurrency") && prof.Concurrency > 0 {
		a.concurrency = prof.Concurrency
	}
}

// minDemoRecords is the demo project's smallest size (redcaptest.Demo
// raises anything below it).
const minDemoRecords = 10

// demoRecords is --records, raised to minDemoRecords with a note on stderr.
func (a *app) demoRecords() int {
	if a.records >= minDemoRecords {
		return a.records
	}
	fmt.Fprintf(a.stderr, "rq: note: --records %d is below the demo's minimum; the demo project has %d records\n", a.records, minDemoRecords)
	return minDemoRecords
}

// token finds the API token: an explicit --token-file first (a flag wins
// over the environment), then REDCAP_API_TOKEN, the profile's token_file,
// and a no-echo prompt on a terminal. With -v it says where the token came
// from (never the token). No flag takes the token itself: it would show in
// ps and in the shell's history.
func (a *app) token(prof *config.Profile) (client.Token, error) {
	env := os.Getenv("REDCAP_API_TOKEN")
	say := func(from string) {
		if !a.verbose {
			return
		}
		if env != "" && from != "REDCAP_API_TOKEN" {
			from += " (REDCAP_API_TOKEN is set too and not used)"
		}
		fmt.Fprintf(a.stderr, "rq: API token from %s\n", from)
	}
	if a.tokenFile != "" {
		say("--token-file " + a.tokenFile)
		return readTokenFile(a.tokenFile)
	}
	if env != "" {
		t, err := client.ParseToken(env)
		if err != nil {
			return client.Token{}, usageError{fmt.Errorf("REDCAP_API_TOKEN: %w", err)}
		}
		say("REDCAP_API_TOKEN")
		return t, nil
	}
	if prof.TokenFile != "" {
		say("the profile's token_file " + prof.TokenFile)
		return readTokenFile(prof.TokenFile)
	}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// Echo goes off before the prompt shows: keys typed as soon as it
		// appears must not be echoed either (ReadPassword alone turns echo
		// off only once it starts reading). The line is then read in raw
		// mode too: switching back to canonical mode would strand keys
		// typed in between (their Enter is a bare CR, never a line end).
		fd := int(f.Fd())
		if old, err := term.MakeRaw(fd); err == nil {
			defer term.Restore(fd, old)
		}
		fmt.Fprint(a.stderr, "REDCap API token: ")
		b, err := readSecret(f)
		fmt.Fprint(a.stderr, "\r\n")
		if err != nil {
			return client.Token{}, usageError{fmt.Errorf("reading the token: %w", err)}
		}
		t, err := client.ParseToken(string(b))
		if err != nil {
			return client.Token{}, usageError{err}
		}
		return t, nil
	}
	return client.Token{}, usageError{errors.New("no API token: set REDCAP_API_TOKEN, give --token-file (mode 0600), or use a --profile with token_file")}
}

// readTokenFile reads a token file, refusing one that others can read.
func readTokenFile(path string) (client.Token, error) {
	st, err := os.Stat(path)
	if err != nil {
		return client.Token{}, usageError{fmt.Errorf("token file: %w", err)}
	}
	if m := st.Mode().Perm(); m&0o077 != 0 {
		who := "group"
		if m&0o007 != 0 {
			who = "everyone"
		}
		return client.Token{}, usageError{fmt.Errorf("token file %s is readable by %s (mode %04o); run chmod 600 %s", path, who, m, path)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return client.Token{}, usageError{fmt.Errorf("token file: %w", err)}
	}
	t, err := client.ParseToken(strings.TrimSpace(string(b)))
	if err != nil {
		return client.Token{}, usageError{fmt.Errorf("token file %s: %w", path, err)}
	}
	return t, nil
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// project opens the rq project over the command's client.
func (a *app) project() (*rq.Project, error) {
	if a.mirrorDir != "" {
		p, err := rq.OpenMirror(a.mirrorDir, a.projectOptions()...)
		if err != nil {
			return nil, usageError{err}
		}
		return p, nil
	}
	c, err := a.connect()
	if err != nil {
		return nil, err
	}
	return rq.OpenClient(c, a.projectOptions()...)
}

// projectOptions are the rq options of every query: labels, concurrency
// (resolved by connect) and progress.
func (a *app) projectOptions() []rq.Option {
	opts := []rq.Option{rq.WithLabels(a.labels), rq.WithConcurrency(max(1, a.concurrency))}
	if a.showProgress() {
		opts = append(opts, rq.WithProgress(a.progress.update))
	}
	return opts
}

// isTerminal reports whether w or r is a terminal.
func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// termWidth is the width of the terminal behind w (0 when none).
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	wd, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return wd
}
