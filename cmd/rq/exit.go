package main

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/url"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/repl"
)

// Exit codes.
const (
	exitOK      = 0
	exitQuery   = 1 // the query (or a .rq file, or data) is wrong
	exitUsage   = 2 // the command line is wrong
	exitNetwork = 3 // the server or the network failed
	// exitIncomplete: the command failed after part of its result was
	// written to stdout (the last stderr line says how many rows). With -o
	// nothing partial is ever written, so the codes above apply.
	exitIncomplete = 4
)

// usageError is a mistake on the command line.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// shownError is an error already shown to the user (by the shell): only
// its exit code is left to give.
type shownError struct{ error }

func (e shownError) Unwrap() error { return e.error }

// displayError carries an error's display (e.g. with a caret) and its cause.
type displayError struct {
	text string
	err  error
}

func (e *displayError) Error() string { return e.text }
func (e *displayError) Unwrap() error { return e.err }

// queryError renders a query's error with the source line and a caret.
func queryError(err error, src string) error {
	var le *lang.Error
	var ll lang.ErrorList
	if err == nil || !errors.As(err, &le) && !errors.As(err, &ll) {
		return err
	}
	return &displayError{text: repl.RenderError(err, src), err: err}
}

// exitCode classifies err.
func exitCode(err error) int {
	var ue usageError
	var nameErr *client.NameError // a flag naming a field, form or event the project lacks
	var ce *client.Error
	var ne net.Error
	var ue2 *url.Error
	var le *lang.Error
	var ll lang.ErrorList
	var pe *fs.PathError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &nameErr):
		return exitUsage
	case errors.As(err, &le), errors.As(err, &ll):
		return exitQuery
	case errors.As(err, &pe):
		// A local file (syscall.Errno would otherwise pass for a net.Error).
		return exitQuery
	case errors.As(err, &ce), errors.As(err, &ne), errors.As(err, &ue2):
		return exitNetwork
	case errors.Is(err, context.DeadlineExceeded):
		return exitNetwork
	}
	return exitQuery
}
