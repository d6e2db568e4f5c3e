package importer

import (
	"errors"
	"strconv"
	"strings"
)

// String summarises the report for people: Summary with at most 10 ids of
// each list, and the error that stopped an import that had begun.
func (r *Report) String() string {
	s := r.Summary(10, "resuming")
	if r.Chunks > 0 && r.Err != nil {
		s += "stopped: " + r.Err.Error() + "\n"
	}
	return s
}

// Summary is the report for people: counts, then the records written, not
// written or unknown (at most maxIDs of each list, every one when maxIDs is
// 0 or less: a user who must check records needs them all), then every
// problem. resume says how the user resumes an import ("--resume" on the
// command line); it names what sends an unknown chunk again.
func (r *Report) Summary(maxIDs int, resume string) string {
	ids := func(list []string) string {
		if maxIDs <= 0 {
			return strings.Join(list, ", ")
		}
		return firstIDs(list, maxIDs)
	}
	var b strings.Builder
	b.WriteString(plural(r.Rows, "row") + ", " + plural(r.Records, "record"))
	if r.Chunks > 0 {
		b.WriteString(" in " + plural(r.Chunks, "chunk"))
	}
	b.WriteString("\n")
	errs, warns := r.Problems.Errors(), r.Problems.Warnings()
	switch {
	case r.DryRun && len(errs) == 0 && r.Err == nil:
		b.WriteString("dry run: the file is valid; nothing was sent\n")
	case r.DryRun:
		b.WriteString("dry run: " + plural(len(errs), "problem") + "; nothing was sent\n")
	case r.Chunks == 0:
		if len(errs) > 0 {
			b.WriteString(plural(len(errs), "problem") + "; nothing was sent\n")
		} else if r.Err != nil {
			b.WriteString("nothing was sent\n")
		}
	}
	var ce *ChunkError
	if r.Chunks > 0 && r.Err != nil && !errors.As(r.Err, &ce) && len(r.Written) == 0 {
		b.WriteString("nothing was sent\n") // refused before the first chunk (e.g. an unfinished journal)
	} else if r.Chunks > 0 {
		b.WriteString("written: " + plural(len(r.Written), "record"))
		if len(r.Resumed) > 0 {
			b.WriteString(" (" + strconv.Itoa(len(r.Resumed)) + " by an earlier run)")
		}
		if len(r.Written) > 0 {
			b.WriteString(": " + ids(r.Written))
		}
		b.WriteString("\n")
		if len(r.NotWritten) > 0 {
			b.WriteString("not written: " + plural(len(r.NotWritten), "record") + ": " + ids(r.NotWritten) + "\n")
		}
		if len(r.Unknown) > 0 {
			b.WriteString("unknown (chunk " + strconv.Itoa(r.FailedChunk) + " may or may not be stored; " + resume +
				" sends it again, which is safe): " + plural(len(r.Unknown), "record") + ": " + ids(r.Unknown) + "\n")
		}
	}
	for _, p := range append(errs, warns...) {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// plural writes a count and a noun: "1 row", "2 rows".
func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}
