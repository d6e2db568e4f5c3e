package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/lang"
)

// runCommand is 'rq run file.rq'.
func (a *app) runCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run file.rq",
		Short: "Run the statements of a .rq file",
		Long: `Run every statement of a .rq file in order. Parameters declared in the file
(param $name = default;) take their defaults unless given with -p name=value.

With --format json the output is one JSON document: for a file of one
statement, the array of its rows; for several, an array holding each
statement's array of rows, in order. --format jsonl writes one object per row
for every statement, one after the other.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkParams(); err != nil {
				return err
			}
			a.begin()
			return a.runFile(args[0])
		},
	}
	cmd.Flags().StringArrayVarP(&a.params, "param", "p", nil, "set a $parameter: -p name=value (repeatable)")
	return cmd
}

// exactArgs is cobra.ExactArgs with usage errors.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func (a *app) runFile(name string) error {
	src, err := os.ReadFile(name)
	if err != nil {
		return usageError{err}
	}
	params, err := a.paramMap()
	if err != nil {
		return err
	}
	// Parse and check parameters before connecting: a broken file costs no call.
	file, err := lang.ParseFile(name, string(src))
	if err != nil {
		return queryError(err, string(src))
	}
	if _, err := rq.FileParams(file, params); err != nil {
		return queryError(err, string(src))
	}
	c, err := a.sessionClient()
	if err != nil {
		return err
	}
	return a.runSession(c, name, string(src), params, true)
}

// explainCommand is 'rq explain "<query>"'.
func (a *app) explainCommand() *cobra.Command {
	var asJSON, analyze bool
	cmd := &cobra.Command{
		Use:   "explain query",
		Short: "Show how a query runs: what goes to REDCap and what is checked locally",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			params, err := a.paramMap()
			if err != nil {
				return err
			}
			a.begin()
			p, err := a.project()
			if err != nil {
				return err
			}
			ctx, stop := signalContext()
			defer stop()
			ex, err := p.Explain(ctx, args[0], params, analyze)
			if err != nil {
				return queryError(err, args[0])
			}
			w, closeOut, err := a.out()
			if err != nil {
				return err
			}
			if asJSON {
				_, err = w.Write(append(ex.JSON, '\n'))
			} else {
				_, err = io.WriteString(w, strings.TrimRight(ex.Text, "\n")+"\n")
			}
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	cmd.Flags().BoolVar(&analyze, "analyze", false, "run the query and add what it did")
	cmd.Flags().StringArrayVarP(&a.params, "param", "p", nil, "set a $parameter: -p name=value (repeatable)")
	return cmd
}

// fmtCommand is 'rq fmt [file]'.
func (a *app) fmtCommand() *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "fmt [file.rq]",
		Short: "Print a .rq file (or stdin) in canonical form",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.begin()
			name := ""
			var src []byte
			var err error
			if len(args) == 1 {
				name = args[0]
				src, err = os.ReadFile(name)
			} else {
				if write {
					return usageError{fmt.Errorf("fmt -w needs a file")}
				}
				src, err = io.ReadAll(a.stdin)
			}
			if err != nil {
				return usageError{err}
			}
			out, err := lang.Format(string(src))
			if err != nil {
				setFilename(err, name)
				return queryError(err, string(src))
			}
			if write {
				st, err := os.Stat(name)
				if err != nil {
					return err
				}
				return os.WriteFile(name, []byte(out), st.Mode().Perm())
			}
			w, closeOut, err := a.out()
			if err != nil {
				return err
			}
			_, err = io.WriteString(w, out)
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&write, "write", "w", false, "rewrite the file in place")
	return cmd
}

// setFilename names the file in lang errors' positions.
func setFilename(err error, name string) {
	if name == "" {
		return
	}
	switch e := err.(type) {
	case *lang.Error:
		if e.Pos.Filename == "" {
			e.Pos.Filename = name
		}
	case lang.ErrorList:
		for _, x := range e {
			setFilename(x, name)
		}
	}
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print rq's version",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.begin()
			io.WriteString(a.stdout, versionText())
			return nil
		},
	}
}
