package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq/client/redcaptest"
)

var (
	projectTokenRE = regexp.MustCompile(`^[0-9A-Fa-f]{32}$`)
	superTokenRE   = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)
)

// serveCommand is 'rq serve': the embedded REDCap server on its own.
func (a *app) serveCommand() *cobra.Command {
	var (
		projects   []string
		addr       string
		token      string
		superToken string
		maxBody    int64
		maxValue   int
		usersFile  string
		faults     redcaptest.Faults
		model      redcaptest.ServerModel
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve emulated REDCap projects over the REDCap API",
		Long: `Serve the demo project (--demo, the default when no --project is given) and
projects loaded with --project over the REDCap API, on loopback unless --addr
says otherwise. --project takes a REDCap project XML (CDISC ODM) file, or a
folder of CSV files: the data dictionary (dictionary.csv as the UI downloads
it, or metadata.csv as the API exports it), data.csv (a flat record export,
optional), arm.csv and event.csv for a longitudinal project; or a folder
holding project.xml. A folder may also hold the server state a project XML
lacks: users.csv (users, rights, DAG, role and API token), project.csv
(project_id, creation_time, settings), reports.csv, log.csv (whose record
changes are the records' modification times) and a file-repository folder.
The project is named after the file or folder. --users declares users (a users.csv) for
the served projects that have none and for projects created with
--super-token, whose creator is the super token's user.

Each project lists its users: the token's owner (with full rights) and the
declared ones. The FIRST line on stdout is one JSON object naming the API
URL, each project's token and each user's token:

    {"url": "http://127.0.0.1:PORT/api/", "projects": [{"name": "...", "token": "...",
      "users": [{"username": "...", "token": "..."}]}]}

These are the tokens of the server's own emulated projects. It then serves
until interrupted (Ctrl-C, SIGTERM). The fault flags make it misbehave like a
loaded REDCap server, reproducibly with --fault-seed. The server-model flags
make it cost time like a real REDCap (docs/server.md gives typical values):
for example --request-cost 100ms --cell-cost 5us --workers 8.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if token != "" && !projectTokenRE.MatchString(token) {
				return usageError{errors.New("--token: want 32 hexadecimal characters")}
			}
			if superToken != "" && !superTokenRE.MatchString(superToken) {
				return usageError{errors.New("--super-token: want 64 hexadecimal characters")}
			}
			for _, r := range []struct {
				name string
				v    float64
			}{{"--fail-rate", faults.FailRate}, {"--truncate-rate", faults.TruncateRate}, {"--html-error-rate", faults.HTMLErrorRate}} {
				if r.v < 0 || r.v > 1 {
					return usageError{fmt.Errorf("%s %g: want a share between 0 and 1", r.name, r.v)}
				}
			}
			if model.RequestCost < 0 || model.CellCost < 0 || model.Workers < 0 {
				return usageError{errors.New("--request-cost, --cell-cost and --workers must not be negative")}
			}
			a.begin()
			var ps []*redcaptest.Project
			if a.demo || len(projects) == 0 {
				ps = append(ps, redcaptest.Demo(redcaptest.DemoOptions{Records: a.demoRecords(), Seed: a.seed}))
			}
			for _, path := range projects {
				p, err := loadProject(path)
				if err != nil {
					return err
				}
				ps = append(ps, p)
			}
			if token != "" {
				ps[0].Token = token
			}
			var createUsers []redcaptest.User
			if usersFile != "" {
				b, err := os.ReadFile(usersFile)
				if err != nil {
					return usageError{fmt.Errorf("--users: %w", err)}
				}
				if createUsers, err = redcaptest.ParseUsersCSV(nil, string(b)); err != nil {
					return usageError{fmt.Errorf("--users %s: %w", usersFile, err)}
				}
				for _, p := range ps {
					if len(p.Users) == 0 {
						if err := redcaptest.LoadUsersFile(p, usersFile); err != nil {
							return fmt.Errorf("--users: project %q: %w", p.Name, err)
						}
					}
				}
			}
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return usageError{fmt.Errorf("--addr %q: %v", addr, err)}
			}
			if ip := net.ParseIP(host); host != "" && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				fmt.Fprintf(a.stderr, "rq serve: warning: listening on %s, not loopback: anyone who can reach it can read the emulated projects\n", addr)
			}
			srv, err := redcaptest.Start(addr, redcaptest.Options{Faults: faults, SuperToken: superToken, CreateUsers: createUsers, Model: model, MaxBodyBytes: maxBody, MaxValueBytes: maxValue}, ps...)
			if err != nil {
				return err
			}
			defer srv.Close()
			type user struct {
				Username string `json:"username"`
				Token    string `json:"token"`
			}
			type proj struct {
				Name  string `json:"name"`
				Token string `json:"token"`
				Users []user `json:"users"`
			}
			hello := struct {
				URL      string `json:"url"`
				Projects []proj `json:"projects"`
			}{URL: srv.URL}
			for _, p := range ps {
				pj := proj{Name: p.Name, Token: srv.Token(p.Name), Users: []user{}}
				p.Mu.RLock()
				for _, u := range p.Users {
					if u.Token != "" {
						pj.Users = append(pj.Users, user{Username: u.Username, Token: u.Token})
					}
				}
				p.Mu.RUnlock()
				hello.Projects = append(hello.Projects, pj)
			}
			b, _ := json.Marshal(hello)
			fmt.Fprintf(a.stdout, "%s\n", b)
			if f, ok := a.stdout.(*os.File); ok {
				f.Sync()
			}
			names := make([]string, len(ps))
			for i, p := range ps {
				names[i] = fmt.Sprintf("%q", p.Name)
			}
			fmt.Fprintf(a.stderr, "rq serve: serving %s at %s; Ctrl-C stops\n", strings.Join(names, ", "), srv.URL)
			ctx, stop := signalContext()
			defer stop()
			<-ctx.Done()
			fmt.Fprintln(a.stderr, "rq serve: stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&projects, "project", nil, "serve the project in this REDCap project XML (ODM) file or folder of CSV files (repeatable)")
	f.StringVar(&addr, "addr", "127.0.0.1:0", "listen address (port 0 picks a free one)")
	f.StringVar(&token, "token", "", "token of the first project (32 hex; default random)")
	f.StringVar(&superToken, "super-token", "", "enable Create Project with this super token (64 hex)")
	f.Int64Var(&maxBody, "max-body", 0, "largest request body read, like PHP's post_max_size (default 32 MB; larger ones get REDCap's 403)")
	f.IntVar(&maxValue, "max-value", 0, "longest value an import may store, in bytes (default 65535, MySQL TEXT)")
	f.StringVar(&usersFile, "users", "", "users.csv declaring users, rights, DAGs and tokens of projects without their own and of created projects")
	f.IntVar(&faults.MaxCells, "max-cells", 0, "fail exports above this many cells like REDCap's out-of-memory 500")
	f.DurationVar(&faults.Latency, "latency", 0, "delay every request by this much")
	f.Float64Var(&faults.FailRate, "fail-rate", 0, "share of requests answered 502/503/504")
	f.Float64Var(&faults.TruncateRate, "truncate-rate", 0, "share of bodies cut off mid-way")
	f.BoolVar(&faults.TruncateAtLineEnd, "truncate-at-line-end", false, "cut truncated bodies just after a newline (a CSV that still parses)")
	f.Float64Var(&faults.HTMLErrorRate, "html-error-rate", 0, "share of 200 answers carrying an HTML error page")
	f.IntVar(&faults.RateLimitPerMinute, "rate-limit", 0, "requests per minute before a 429 ban")
	f.IntVar(&faults.MaxInputVars, "max-input-vars", 0, "POST variables allowed per request (default 100000)")
	f.Int64Var(&faults.Seed, "fault-seed", 0, "seed that makes the faults reproducible")
	f.DurationVar(&model.RequestCost, "request-cost", 0, "server time of every API call (PHP start-up, authentication), e.g. 100ms")
	f.DurationVar(&model.CellCost, "cell-cost", 0, "server time per exported cell, e.g. 5us")
	f.IntVar(&model.Workers, "workers", 0, "API calls served at once; later calls wait in line (0: no limit)")
	return cmd
}

// loadProject loads a project for serve: a REDCap project XML (ODM) file,
// or a folder of CSV files (dictionary.csv or metadata.csv, data.csv, and
// arm.csv and event.csv for longitudinal projects).
func loadProject(path string) (*redcaptest.Project, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("--project: %w", err)}
	}
	load := redcaptest.LoadODM
	if st.IsDir() {
		load = redcaptest.LoadCSVDir
	}
	p, err := load(path)
	if err != nil {
		return nil, fmt.Errorf("--project %s: %w", path, err)
	}
	return p, nil
}
