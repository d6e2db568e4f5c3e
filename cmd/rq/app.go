package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/config"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/repl"
)

// app holds the global flags and the process's streams.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// connection
	url, tokenFile, profile, caBundle string
	insecure                          bool
	timeout                           time.Duration
	// maxRate (calls per minute) and concurrency: the flags, then the
	// profile, then the defaults; concurrency is resolved by connect.
	maxRate     float64
	concurrency int
	flags       interface{ Changed(string) bool }
	demo        bool
	records     int
	seed        int64

	// output
	format string
	labels bool
	output string
	// mirrorDir is --mirror: queries read this mirror offline.
	mirrorDir string
	// partitionBy is --partition-by: a Hive-style Parquet folder at -o.
	partitionBy string
	quiet       bool
	// verbose logs every API call (debug level) to stderr.
	verbose bool

	command string   // -c
	params  []string // -p name=value

	client   *client.Client
	cleanup  []func()
	progress progress
	started  bool // a command's RunE began: later errors are not usage errors

	// outputs (output.go)
	pending     []*pendingFile // -o files renamed into place on success
	discarded   []string       // -o targets not written because the command failed
	stdoutUsed  bool           // a result began on stdout
	rowsOut     int            // rows written to stdout
	stdoutLines *lineCounter   // stdout off a terminal, counting lines
}

// run is the whole program; it returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	a.progress.w = stderr
	defer func() {
		for _, f := range a.cleanup {
			f()
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := a.finishOutputs(root.Execute())
	a.progress.done()
	if err == nil {
		return exitOK
	}
	if !a.started {
		var ue usageError
		if !errors.As(err, &ue) {
			err = usageError{err}
		}
	}
	if _, ok := errors.AsType[shownError](err); ok {
		return exitCode(err)
	}
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		msg = "interrupted"
	}
	var de *displayError
	var re *repl.Error
	if !errors.As(err, &de) && !errors.As(err, &re) {
		msg = "rq: " + msg
	}
	fmt.Fprintln(stderr, strings.TrimRight(msg, "\n"))
	if _, ok := errors.AsType[usageError](err); ok && !a.started {
		fmt.Fprintln(stderr, "Run 'rq --help' for usage.")
	}
	if _, ok := errors.AsType[usageError](err); !ok && a.reportIncomplete() {
		return exitIncomplete
	}
	return exitCode(err)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// versionText is rq --version and rq version: the module version, the
// commit it was built from (with its time, and "modified" for a dirty
// tree) and the Go version, all from the binary's build information.
func versionText() string {
	commit, when, dirty := "unknown", "", false
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	var extra []string
	if when != "" {
		extra = append(extra, when)
	}
	if dirty {
		extra = append(extra, "modified")
	}
	c := "commit " + commit
	if len(extra) > 0 {
		c += " (" + strings.Join(extra, ", ") + ")"
	}
	return fmt.Sprintf("rq %s\n%s\n%s %s/%s\n", version(), c, goVersion, runtime.GOOS, runtime.GOARCH)
}

// context returns a context cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// begin marks the start of a command's own work (see app.started).
func (a *app) begin() { a.started = true }

// rootCommand builds the command tree.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "rq",
		Short: "Query REDCap projects with a small query language",
		Long: `rq queries a REDCap project through its API with a small query language:

    select age, score from records where score > 5 and form = 'baseline'

On a terminal, rq with no arguments opens the interactive shell; statements
piped on stdin run without one. -c runs statements (separated by ';'); 'rq run' runs a .rq file.
--demo runs any command against a demo project served in-process.

Connection: --url or REDCAP_API_URL; the token from --token-file (mode 0600),
else REDCAP_API_TOKEN, else a profile's token_file, else a prompt (-v says
which was used). No flag
takes the token itself. Profiles live in $XDG_CONFIG_HOME/rq/config (INI):

    [default]
    url = https://redcap.example.edu/api/
    token_file = ~/.config/rq/study.token

Exit codes: 0 success, 1 query error, 2 usage error, 3 server or network error,
4 failed after part of the result was written to stdout (see the last stderr line).`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkParams(); err != nil {
				return err
			}
			a.begin()
			if cmd.Flags().Changed("command") {
				return a.runQuery(a.command)
			}
			return a.runShell()
		},
	}
	root.Version = versionText()
	root.SetVersionTemplate("{{.Version}}")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.url, "url", "", "REDCap API URL (default $REDCAP_API_URL)")
	pf.StringVar(&a.tokenFile, "token-file", "", "read the API token from this file (must not be readable by group or others)")
	pf.StringVar(&a.profile, "profile", "", "use this profile of $XDG_CONFIG_HOME/rq/config")
	pf.StringVar(&a.caBundle, "ca-bundle", "", "trust the PEM certificates in this file")
	pf.BoolVar(&a.insecure, "insecure", false, "do not check TLS certificates (test servers only)")
	pf.DurationVar(&a.timeout, "timeout", 0, "timeout of each API call (default: the client's)")
	pf.Float64Var(&a.maxRate, "max-rate", client.DefaultMaxRate, "most API calls per minute (0: no limit, only if the server's rate limiter is off; REDCap bans an IP for good past 600/min)")
	pf.IntVar(&a.concurrency, "concurrency", rq.DefaultConcurrency, "record exports in flight at once")
	a.flags = pf
	pf.BoolVar(&a.demo, "demo", false, "use the demo project, served in-process on loopback")
	pf.IntVar(&a.records, "records", 200, "number of demo records (with --demo; at least 10)")
	pf.Int64Var(&a.seed, "seed", 1, "seed of the demo data (with --demo)")
	pf.StringVar(&a.format, "format", "", "output format: table, csv, tsv, json, jsonl, markdown, vertical, parquet (default table on a terminal, csv otherwise)")
	pf.BoolVar(&a.labels, "labels", false, "show choice labels instead of codes")
	pf.StringVarP(&a.output, "output", "o", "", "write results to this file (mode 0600); its extension (.csv .tsv .json .jsonl .md .parquet) sets the format unless --format does")
	pf.StringVar(&a.mirrorDir, "mirror", "", "query this mirror folder offline (written by 'rq mirror DIR') instead of the server")
	pf.StringVar(&a.partitionBy, "partition-by", "", "with -o DIR: write Parquet as Hive-style partitions by event, form or dag (DIR/event=x/part-0.parquet)")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "no progress bar, no warnings about invalid values or retries")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log every API call to stderr (content, action, parameter sizes, status; never the token or data values)")
	root.Flags().StringVarP(&a.command, "command", "c", "", "run these statements (separated by ';') and exit")
	root.Flags().StringArrayVarP(&a.params, "param", "p", nil, "set a $parameter: -p name=value (repeatable)")
	root.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, f := range render.Formats {
			names = append(names, string(f))
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	root.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return config.Names(), cobra.ShellCompDirectiveNoFileComp
	})

	root.AddCommand(a.mirrorCommand())
	root.AddCommand(a.runCommand(), a.explainCommand(), a.fmtCommand(), a.serveCommand(), a.versionCommand(),
		a.exportCommand(), a.importCommand(), a.deleteCommand(), a.fileCommand())
	return root
}

// checkParams checks -p values.
func (a *app) checkParams() error {
	_, err := a.paramMap()
	return err
}

// paramMap parses -p name=value flags.
func (a *app) paramMap() (map[string]string, error) {
	m := map[string]string{}
	for _, p := range a.params {
		k, v, ok := strings.Cut(p, "=")
		k = strings.TrimPrefix(strings.TrimSpace(k), "$")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("-p %q: want name=value", p)}
		}
		m[k] = v
	}
	return m, nil
}

// out opens the result's destination: -o file or stdout. close must be
// called; it reports a failed write to the file.
func (a *app) out() (w io.Writer, close func() error, err error) {
	if a.output == "" || a.output == "-" {
		a.stdoutUsed = true
		return a.stdoutWriter(), func() error { return nil }, nil
	}
	// a temporary file beside the target, renamed by run on success
	p, err := a.outFile()
	if err != nil {
		return nil, nil, err
	}
	return p.f, func() error { return nil }, nil
}

// extFormats maps -o's extension to the format it implies.
var extFormats = map[string]string{
	".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".md": "markdown", ".parquet": "parquet",
}

// outFormat is --format, else the format -o's extension names (.csv .tsv
// .json .jsonl .md .parquet), else table on a terminal and csv otherwise.
func (a *app) outFormat(w io.Writer) (render.Format, error) {
	if f, ok, err := a.parquetFormat(w); ok || err != nil {
		return f, err
	}
	if a.format != "" {
		f, err := render.ParseFormat(a.format)
		if err != nil {
			return "", usageError{err}
		}
		return f, nil
	}
	if name, ok := extFormats[strings.ToLower(filepath.Ext(a.output))]; ok && a.output != "-" {
		f, err := render.ParseFormat(name)
		if err != nil {
			return "", usageError{fmt.Errorf("-o %s: the extension asks for the %s format, which this rq cannot write (%v); give --format", a.output, name, err)}
		}
		return f, nil
	}
	if isTerminal(w) {
		return render.Table, nil
	}
	return render.CSV, nil
}

// write renders rows to the output.
func (a *app) write(rows render.Rows) error {
	if a.partitionBy != "" {
		return a.writePartitioned(rows)
	}
	w, closeOut, err := a.out()
	if err != nil {
		return err
	}
	f, err := a.outFormat(w)
	if err != nil {
		closeOut()
		return err
	}
	n, err := render.Write(a.progress.output(w), f, rows, render.Options{}) // never cut: an export is data
	a.countRows(w, n)
	a.progress.done()
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// runQuery is -c: its text is run as a .rq file without a name (several
// statements separated by ';', as psql -c takes them), by the session
// evaluator every input shares.
func (a *app) runQuery(src string) error {
	params, err := a.paramMap()
	if err != nil {
		return err
	}
	c, err := a.sessionClient()
	if err != nil {
		return err
	}
	if a.partitionBy != "" {
		// a folder of Parquet files rather than a stream: one statement
		ctx, stop := signalContext()
		defer stop()
		p, err := a.project()
		if err != nil {
			return err
		}
		rows, err := p.Query(ctx, src, params)
		if err != nil {
			return queryError(err, src)
		}
		defer rows.Close()
		return a.writePartitioned(rows)
	}
	return a.runSession(c, "", src, params, false)
}

// runSession runs src (a file's text; name "" for -c) through the session
// evaluator, to the output -o names or stdout; strict: a -p value the file
// neither uses nor declares is an error (rq run), as Session.File says.
func (a *app) runSession(c *client.Client, name, src string, params map[string]string, strict bool) error {
	w, closeOut, err := a.out()
	if err != nil {
		return err
	}
	sess, err := a.session(c, w)
	if err != nil {
		closeOut()
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	err = sess.File(ctx, name, src, params, strict)
	if cerr := closeOut(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// session is the evaluator of -c and rq run, writing results to w: the
// format from --format, -o's extension or the terminal, tables paged on a
// terminal, progress cleared before results.
func (a *app) session(c *client.Client, w io.Writer) (*repl.Session, error) {
	f, err := a.outFormat(w)
	if err != nil {
		return nil, err
	}
	sess := repl.NewSession(c, a.projectOptions()...)
	sess.Mirror = a.mirrorDir
	sess.Format = f
	sess.Labels = a.labels
	sess.Quiet = a.quiet
	sess.Stdout, sess.Stderr = w, a.stderr
	sess.Width = func() int { return termWidth(w) }
	sess.Wrap = a.progress.output
	sess.Done = a.progress.done
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		sess.Terminal = f
		sess.Pager = repl.PagerFromEnv()
	}
	return sess, nil
}

// sessionClient is the client a session needs: none with --mirror (the
// mirror is checked instead), else a connection.
func (a *app) sessionClient() (*client.Client, error) {
	if a.mirrorDir != "" {
		if _, err := rq.OpenMirror(a.mirrorDir); err != nil {
			return nil, usageError{err}
		}
		return nil, nil
	}
	return a.connect()
}

// runShell opens the REPL (or runs piped statements).
func (a *app) runShell() error {
	params, err := a.paramMap()
	if err != nil {
		return err
	}
	c, err := a.sessionClient()
	if err != nil {
		return err
	}
	interactive := isTerminal(a.stdin) && isTerminal(a.stdout)
	sess, err := a.session(c, a.stdout)
	if err != nil {
		return err
	}
	sess.Params = params
	sh := &repl.Shell{Session: sess}
	cfg := repl.Config{Stdout: a.stdout, Stderr: a.stderr, Terminal: interactive, BeforeOutput: a.progress.done}
	if r, ok := a.stdin.(io.ReadCloser); ok {
		cfg.Stdin = r
	} else {
		cfg.Stdin = io.NopCloser(a.stdin)
	}
	if interactive {
		cfg.HistoryFile = historyPath()
		return repl.Run(context.Background(), sh, cfg)
	}
	ctx, stop := signalContext()
	defer stop()
	if err := repl.Run(ctx, sh, cfg); err != nil {
		return shownError{err}
	}
	return nil
}

// historyPath is $XDG_STATE_HOME/rq/history (~/.local/state/rq/history),
// or $RQ_HISTORY.
func historyPath() string {
	if p := os.Getenv("RQ_HISTORY"); p != "" {
		return p
	}
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "rq", "history")
}
