package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/render"
)

// deleteCommand is 'rq delete records'. Deleting cannot be undone, so it
// asks first: on a terminal it shows the count and the first ids and
// waits for "y"; off a terminal (a script, a pipe) it needs --yes.
// --dry-run shows what would be deleted and deletes nothing.
func (a *app) deleteCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete from REDCap: records",
		RunE:  whatCommand,
	}
	var p client.DeleteRecordsParams
	var yes, dryRun bool
	rec := a.apiCommand("records", "Delete records (or one instrument's data of them); asks first", nil, func(ctx context.Context, c *client.Client, _ []string) error {
		if len(p.Records) == 0 {
			return usageError{fmt.Errorf("delete records: give the records with --record")}
		}
		what := deleteSummary(p)
		if dryRun {
			exist, err := existingRecords(ctx, c, p.Records)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "rq: dry run: would delete %s; %d of them exist; nothing was deleted\n", what, len(exist))
			return a.write(render.Strings([]string{"record", "exists"}, existsRows(p.Records, exist)))
		}
		if !yes {
			if !isTerminal(a.stdin) || !isTerminal(a.stderr) {
				return usageError{fmt.Errorf("delete records: not on a terminal, so nothing asks for confirmation: give --yes to delete %s (or --dry-run to see what would go)", what)}
			}
			fmt.Fprintf(a.stderr, "Delete %s? This cannot be undone. [y/N] ", what)
			line, _ := bufio.NewReader(a.stdin).ReadString('\n')
			if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
				fmt.Fprintln(a.stderr, "rq: nothing deleted")
				return nil
			}
		}
		n, err := c.DeleteRecords(ctx, p)
		if err != nil {
			return err
		}
		return a.write(&render.Slice{Cols: []string{"count"}, Vals: [][]client.Value{{{Kind: client.KindNumber, Num: float64(n)}}}})
	})
	f := rec.Flags()
	f.StringSliceVar(&p.Records, "record", nil, "the records to delete (repeatable or comma-separated; required)")
	f.StringVar(&p.Arm, "arm", "", "only in this arm")
	f.StringVar(&p.Instrument, "instrument", "", "only this instrument's data")
	f.StringVar(&p.Event, "event", "", "with --instrument, only in this event")
	f.IntVar(&p.RepeatInstance, "repeat-instance", 0, "only this instance of a repeating instrument")
	f.BoolVar(&p.DeleteLogging, "delete-logging", false, "also delete the records' logging")
	f.BoolVar(&yes, "yes", false, "delete without asking (required off a terminal)")
	f.BoolVar(&dryRun, "dry-run", false, "show which records would be deleted (and which exist); delete nothing")
	rec.Long = `Delete records, or one instrument's data of them (--instrument, --event,
--repeat-instance). This cannot be undone.

On a terminal rq first shows how many records and the first ids, and deletes
only after "y". Off a terminal (scripts, pipes) it refuses unless --yes is
given. --dry-run lists the records with whether each exists, and deletes
nothing.`
	cmd.AddCommand(rec)
	return cmd
}

// deleteSummary is "3 records (1, 2, 3)" with at most five ids shown, and
// the instrument, event, instance or arm the deletion is limited to.
func deleteSummary(p client.DeleteRecordsParams) string {
	ids := p.Records
	shown := strings.Join(ids[:min(5, len(ids))], ", ")
	if len(ids) > 5 {
		shown += fmt.Sprintf(", … and %d more", len(ids)-5)
	}
	noun := "records"
	if len(ids) == 1 {
		noun = "record"
	}
	s := fmt.Sprintf("%d %s (%s)", len(ids), noun, shown)
	if p.Instrument != "" {
		s = fmt.Sprintf("the %q data of %s", p.Instrument, s)
		if p.Event != "" {
			s += " in event " + p.Event
		}
		if p.RepeatInstance > 0 {
			s += fmt.Sprintf(", instance %d", p.RepeatInstance)
		}
	}
	if p.Arm != "" {
		s += " in arm " + p.Arm
	}
	return s
}

// existingRecords returns which of ids the project holds (a verified read).
func existingRecords(ctx context.Context, c *client.Client, ids []string) (map[string]bool, error) {
	proj, err := c.Project(ctx)
	if err != nil {
		return nil, err
	}
	dict, err := proj.Dictionary()
	if err != nil {
		return nil, err
	}
	idField := dict.RecordIDField()
	recs, err := c.ExportRecordsChecked(ctx, client.ExportRecordsParams{Records: ids, Fields: []string{idField}, Format: "json"})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	if i := recs.Index(idField); i >= 0 {
		for _, r := range recs.Rows {
			out[r[i]] = true
		}
	}
	return out, nil
}

func existsRows(ids []string, exist map[string]bool) [][]string {
	rows := make([][]string, len(ids))
	for i, id := range ids {
		rows[i] = []string{id, fmt.Sprint(exist[id])}
	}
	return rows
}
