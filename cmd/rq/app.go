package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/repl"
	"github.com/redcapql/rq/repl/config"
	"github.com/redcapql/rq/repl/render"
)

// app holds the global flags and the process's streams.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// connection
	url, tokenFile, profile, caBundle string
	insecure                          bool
	timeout                           time.Duration
	demo                              bool
	records                           int
	seed                              int64

	// output
	format string
	labels bool
	output string
	quiet  bool
	// verbose logs every API call (debug level) to stderr.
	verbose bool

	command string   // -c
	params  []string // -p name=value

	client   *client.Client
	cleanup  []func()
	progress progress
	started  bool // a command's RunE began: later errors are not usage errors

	// outputs (output.go)
	pending    []*pendingFile // -o files renamed into place on success
	discarded  []string       // -o targets not written because the command failed
	stdoutUsed bool           // a result began on stdout
	rowsOut    int            // rows written to stdout
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
piped on stdin run without one. -c runs one query; 'rq run' runs a .rq file.
--demo runs any command against a demo project served in-process.

Connection: --url or REDCAP_API_URL; the token from REDCAP_API_TOKEN, from
--token-file (mode 0600), from a profile's token_file, or a prompt. No flag
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
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.url, "url", "", "REDCap API URL (default $REDCAP_API_URL)")
	pf.StringVar(&a.tokenFile, "token-file", "", "read the API token from this file (must not be readable by group or others)")
	pf.StringVar(&a.profile, "profile", "", "use this profile of $XDG_CONFIG_HOME/rq/config")
	pf.StringVar(&a.caBundle, "ca-bundle", "", "trust the PEM certificates in this file")
	pf.BoolVar(&a.insecure, "insecure", false, "do not check TLS certificates (test servers only)")
	pf.DurationVar(&a.timeout, "timeout", 0, "timeout of each API call (default: the client's)")
	pf.BoolVar(&a.demo, "demo", false, "use the demo project, served in-process on loopback")
	pf.IntVar(&a.records, "records", 200, "number of demo records (with --demo; at least 10)")
	pf.Int64Var(&a.seed, "seed", 1, "seed of the demo data (with --demo)")
	pf.StringVar(&a.format, "format", "", "output format: table, csv, tsv, json, jsonl, markdown, vertical (default table on a terminal, csv otherwise)")
	pf.BoolVar(&a.labels, "labels", false, "show choice labels instead of codes")
	pf.StringVarP(&a.output, "output", "o", "", "write results to this file (mode 0600)")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "no progress bar, no warnings about invalid values or retries")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log every API call to stderr (content, action, parameter sizes, status; never the token or data values)")
	root.Flags().StringVarP(&a.command, "command", "c", "", "run one query and exit")
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
		return a.stdout, func() error { return nil }, nil
	}
	// a temporary file beside the target, renamed by run on success
	p, err := a.outFile()
	if err != nil {
		return nil, nil, err
	}
	return p.f, func() error { return nil }, nil
}

// outFormat is --format, or table on a terminal and csv otherwise.
func (a *app) outFormat(w io.Writer) (render.Format, error) {
	if a.format != "" {
		f, err := render.ParseFormat(a.format)
		if err != nil {
			return "", usageError{err}
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
	w, closeOut, err := a.out()
	if err != nil {
		return err
	}
	f, err := a.outFormat(w)
	if err != nil {
		closeOut()
		return err
	}
	n, err := render.Write(a.progress.output(w), f, rows, render.Options{Width: termWidth(w)})
	a.countRows(w, n)
	a.progress.done()
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// runQuery is -c.
func (a *app) runQuery(src string) error {
	params, err := a.paramMap()
	if err != nil {
		return err
	}
	p, err := a.project()
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	if stmt, err := lang.Parse(src); err == nil && (stmt.Explain || stmt.Analyze) && a.format != "" {
		if f, err := render.ParseFormat(a.format); err == nil && f == render.JSON {
			// the plan's own JSON document, as rq explain --json prints it
			return a.explainJSON(ctx, p, src, params, stmt.Analyze)
		}
	}
	rows, err := p.Query(ctx, src, params)
	if err != nil {
		return queryError(err, src)
	}
	defer rows.Close()
	if pl := rows.Plan(); pl != nil && pl.Stmt != nil && (pl.Stmt.Explain || pl.Analyze) && a.format == "" {
		// explain as a statement prints the plan as explain does
		w, closeOut, err := a.out()
		if err != nil {
			return err
		}
		w = a.progress.output(w)
		for rows.Next() {
			fmt.Fprintln(w, rows.Value(0).String())
		}
		if cerr := closeOut(); err == nil {
			err = cerr
		}
		if err == nil {
			err = rows.Err()
		}
		return queryError(err, src)
	}
	if err := a.write(rows); err != nil {
		return queryError(err, src)
	}
	a.warnInvalid(rows.Stats())
	return nil
}

// explainJSON prints the plan of an explain statement as JSON.
func (a *app) explainJSON(ctx context.Context, p *rq.Project, src string, params map[string]string, analyze bool) error {
	ex, err := p.Explain(ctx, src, params, analyze)
	if err != nil {
		return queryError(err, src)
	}
	w, closeOut, err := a.out()
	if err != nil {
		return err
	}
	_, err = w.Write(append(bytes.TrimRight(ex.JSON, "\n"), '\n'))
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	return err
}

// warnInvalid prints, after a result and unless --quiet, how many values
// did not fit their type and were read as null, with a few examples.
func (a *app) warnInvalid(s rq.Stats) {
	if a.quiet {
		return
	}
	io.WriteString(a.stderr, repl.InvalidWarning(s))
}

// runShell opens the REPL (or runs piped statements).
func (a *app) runShell() error {
	params, err := a.paramMap()
	if err != nil {
		return err
	}
	c, err := a.connect()
	if err != nil {
		return err
	}
	sh := repl.New(c, a.projectOptions()...)
	sh.Params = params
	sh.Labels = a.labels
	sh.Quiet = a.quiet
	interactive := isTerminal(a.stdin) && isTerminal(a.stdout)
	w := a.stdout
	if a.format != "" {
		f, err := render.ParseFormat(a.format)
		if err != nil {
			return usageError{err}
		}
		sh.Format = f
	} else if !interactive {
		sh.Format = render.CSV
	}
	sh.Width = func() int { return termWidth(w) }
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
