package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq/mirror"
)

// mirrorCommand is 'rq mirror DIR': a local Parquet copy of the project,
// brought up to date incrementally, for offline queries (--mirror DIR).
func (a *app) mirrorCommand() *cobra.Command {
	var opts mirror.Options
	var status bool
	var tz string
	cmd := &cobra.Command{
		Use:   "mirror DIR",
		Short: "Keep a local Parquet copy of the project's records in DIR, updated incrementally (query it with --mirror DIR)",
		Long: `rq mirror DIR exports the project's records into Parquet files under DIR,
with a state file (state.json): the server's time of the export (its Date
header, not the local clock), the data dictionary's checksum,
the record ids. Later runs fetch only the records changed since the last sync
(dateRangeBegin, minus --overlap), apply deletions from the log (or, when the
token may not read the log, by comparing the id list) and rewrite only the
files holding changed records. A change of the data dictionary or the design
triggers a full export, and says why. An interrupted or failed sync leaves the
previous mirror whole. -v shows each API call.

Query the mirror offline with rq --mirror DIR -c "...", the shell
(rq --mirror DIR) or rq.OpenMirror(DIR) in Go. docs/parquet.md has more.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.begin()
			dir := args[0]
			if status {
				return a.mirrorStatus(dir)
			}
			if tz != "" {
				loc, err := time.LoadLocation(tz)
				if err != nil {
					return usageError{fmt.Errorf("--server-timezone %q: %v", tz, err)}
				}
				opts.Location = loc
			}
			c, err := a.connect()
			if err != nil {
				return err
			}
			ctx, stop := signalContext()
			defer stop()
			if a.verbose {
				opts.Log = func(msg string) { fmt.Fprintln(a.stderr, "mirror: "+msg) }
			}
			rep, err := mirror.Sync(ctx, c, dir, opts)
			if err != nil {
				return fmt.Errorf("mirror %s: %w (the previous mirror is unchanged)", dir, err)
			}
			if !a.quiet {
				fmt.Fprintln(a.stderr, describeReport(rep))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&status, "status", false, "show when DIR was synced, its counts and what the last sync did; no API call")
	f.BoolVar(&opts.Full, "full", false, "export everything again instead of the changes")
	f.DurationVar(&opts.Overlap, "overlap", 10*time.Minute, "safety overlap subtracted from the last sync's server time (changes saved during the export)")
	f.StringVar(&tz, "server-timezone", "", "the REDCap server's time zone (e.g. America/Chicago), in which dateRangeBegin is read (default: this machine's)")
	f.IntVar(&opts.PartRecords, "part-records", 20000, "records per Parquet part (a change rewrites only the parts holding changed records)")
	return cmd
}

// describeReport is the one-line summary of a sync.
func describeReport(r *mirror.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s sync (%s): %d changed, %d added, %d deleted", r.Kind, r.Reason, r.Changed, r.Added, r.Deleted)
	if r.Deletes != "" {
		fmt.Fprintf(&b, " (deletions from the %s)", r.Deletes)
	}
	fmt.Fprintf(&b, "; %d calls, %s of records; %d files rewritten, %d kept; %s",
		r.Calls, sizeText(r.Bytes), r.Rewrote, r.Kept, r.Duration.Round(time.Millisecond))
	return b.String()
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// mirrorStatus is rq mirror --status DIR.
func (a *app) mirrorStatus(dir string) error {
	st, err := mirror.ReadState(dir)
	if err != nil {
		return usageError{err}
	}
	w, closeOut, err := a.out()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "mirror:     %s\n", dir)
	fmt.Fprintf(w, "project:    %q (id %d) at %s\n", st.ProjectTitle, st.ProjectID, st.URL)
	fmt.Fprintf(w, "synced:     %s (%s ago)\n", st.SyncedAt.Local().Format("2006-01-02 15:04:05 MST"), time.Since(st.SyncedAt).Round(time.Second))
	fmt.Fprintf(w, "records:    %d in %d rows, %d files (%s)\n", st.Records, st.Rows, len(st.Parts), st.Generation)
	fmt.Fprintf(w, "dictionary: sha256 %.16s…\n", st.Checksum)
	fmt.Fprintf(w, "last sync:  %s\n", describeReport(&st.Last))
	return closeOut()
}
