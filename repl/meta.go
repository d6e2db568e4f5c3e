package repl

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/render"
	"github.com/redcapql/rq/lang"
	"github.com/redcapql/rq/planner/catalog"
)

// metaCommand is one backslash command.
type metaCommand struct {
	name, args, help string
}

// metaCommands are the shell's backslash commands, in help order.
var metaCommands = []metaCommand{
	{`\?`, "", "show this help"},
	{`\h`, "[statement]", "show a statement's syntax (select, explain, param)"},
	{`\q`, "", "quit (also quit, exit or Ctrl-D)"},
	{`\d`, "[name]", "list forms and events; with a name, a form's fields or one field"},
	{`\d+`, "form", "a form's fields and their summary (summarize records where form = ...)"},
	{`\dt`, "", "list the sources a query can read"},
	{`\timing`, "[on|off]", "show how long each query takes"},
	{`\x`, "[on|off|auto]", "vertical display of results: always, never, or when a table is wider than the screen"},
	{`\pager`, "[on|off|command]", "page tables wider than the screen ($PAGER, default less -S)"},
	{`\format`, "[name]", "show or set the output format (" + formatNames() + ")"},
	{`\labels`, "[on|off]", "show choice labels instead of codes"},
	{`\o`, "[file]", "send results to a file; without one, back to the screen"},
	{`\i`, "file.rq", "run the statements of a file"},
	{`\w`, "file.rq", "write the current or last statement to a file"},
	{`\set`, "[name value]", "set a $parameter; without arguments, list them"},
	{`\unset`, "name", "remove a $parameter"},
	{`\conninfo`, "", "show the API URL and the project"},
}

func formatNames() string {
	var names []string
	for _, f := range render.Formats {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// meta runs a backslash command: what it shows goes to Stdout, the
// status lines of settings to Stderr.
func (s *Shell) meta(ctx context.Context, line string) (bool, error) {
	out, status, exit, err := s.metaOut(ctx, line)
	if out != "" {
		if werr := s.writeText(out); err == nil {
			err = werr
		}
	}
	s.status(status)
	return exit, err
}

// metaOut runs a backslash command and returns what it shows and its
// status line.
func (s *Shell) metaOut(ctx context.Context, line string) (out, status string, exit bool, err error) {
	line = strings.TrimSpace(lang.StripComments(line)) // "\d baseline -- note" is "\d baseline"
	fields := strings.Fields(line)
	cmd, args := fields[0], fields[1:]
	switch cmd {
	case `\?`, `\help`:
		return help(), "", false, nil
	case `\h`:
		if len(args) == 0 {
			return help(), "", false, nil
		}
		out, err := syntaxHelp(strings.Join(args, " "))
		return out, "", false, err
	case `\q`, `\quit`:
		return "", "", true, nil
	case `\d`:
		if len(args) > 1 {
			return "", "", false, errorf(`\d takes at most one name`)
		}
		out, err := s.describe(ctx, args)
		return out, "", false, err
	case `\d+`:
		if len(args) != 1 {
			return "", "", false, errorf(`\d+ takes one form name`)
		}
		out, err := s.describePlus(ctx, args[0])
		return out, "", false, err
	case `\dt`:
		return s.sources(), "", false, nil
	case `\timing`:
		on, err := toggle(cmd, args, s.Timing)
		if err != nil {
			return "", "", false, err
		}
		s.Timing = on
		return "", fmt.Sprintf("Timing is %s.\n", onOff(on)), false, nil
	case `\labels`:
		on, err := toggle(cmd, args, s.Labels)
		if err != nil {
			return "", "", false, err
		}
		s.Labels = on
		return "", fmt.Sprintf("Labels are %s.\n", onOff(on)), false, nil
	case `\x`:
		x, err := expanded(args, s.Expanded)
		if err != nil {
			return "", "", false, err
		}
		s.Expanded = x
		return "", fmt.Sprintf("Expanded display is %s.\n", x), false, nil
	case `\pager`:
		return s.setPager(line, args)
	case `\format`:
		if len(args) == 0 {
			return "", fmt.Sprintf("Output format is %s.\n", s.Format), false, nil
		}
		f, err := render.ParseFormat(args[0])
		if err != nil {
			return "", "", false, errorf(`\format: %v`, err)
		}
		s.Format = f
		return "", fmt.Sprintf("Output format is %s.\n", f), false, nil
	case `\o`:
		status, err := s.redirect(args)
		return "", status, false, err
	case `\i`:
		if len(args) != 1 {
			return "", "", false, errorf(`\i takes one file name`)
		}
		src, err := os.ReadFile(args[0])
		if err != nil {
			return "", "", false, errorf(`\i: %v`, err)
		}
		// \set values are the session's, not the file's: those the file
		// does not use are no error, and its defaults apply to the rest.
		return "", "", false, s.File(ctx, args[0], string(src), s.Params, false)
	case `\w`:
		if len(args) != 1 {
			return "", "", false, errorf(`\w takes one file name`)
		}
		src := strings.Join(s.pending, "\n")
		if strings.TrimSpace(src) == "" {
			src = s.last
		}
		if src == "" {
			return "", "", false, errorf(`\w: no statement to write yet`)
		}
		if err := os.WriteFile(args[0], []byte(strings.TrimRight(src, "\n")+"\n"), 0o600); err != nil {
			return "", "", false, errorf(`\w: %v`, err)
		}
		return "", fmt.Sprintf("Wrote %s.\n", args[0]), false, nil
	case `\set`:
		if len(args) == 0 {
			var b strings.Builder
			for _, k := range slices.Sorted(maps.Keys(s.Params)) {
				fmt.Fprintf(&b, "$%s = %s\n", k, s.Params[k])
			}
			if b.Len() == 0 {
				b.WriteString("No parameters set.\n")
			}
			return b.String(), "", false, nil
		}
		name := strings.TrimPrefix(args[0], "$")
		if !isName(name) {
			return "", "", false, errorf(`\set: %q is not a parameter name`, args[0])
		}
		rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(line, cmd)), args[0]))
		s.Params[name] = unquote(rest)
		return "", "", false, nil
	case `\unset`:
		if len(args) != 1 {
			return "", "", false, errorf(`\unset takes one parameter name`)
		}
		delete(s.Params, strings.TrimPrefix(args[0], "$"))
		return "", "", false, nil
	case `\conninfo`:
		if _, err := s.catalog(ctx); err != nil {
			return "", "", false, err
		}
		if s.Mirror != "" {
			return fmt.Sprintf("Offline: mirror %s, project %q.\n", s.Mirror, s.Name()), "", false, nil
		}
		return fmt.Sprintf("Connected to %s, project %q.\n", s.Client.URL(), s.Name()), "", false, nil
	}
	return "", "", false, errorf(`unknown command %s; \? lists the commands`, cmd)
}

// help is \?.
func help() string {
	var b strings.Builder
	b.WriteString("Statements end with ';' and may span lines. Meta-commands:\n")
	for _, m := range metaCommands {
		fmt.Fprintf(&b, "  %-24s %s\n", strings.TrimSpace(m.name+" "+m.args), m.help)
	}
	b.WriteString("Ctrl-C cancels a running query or the statement being typed; Ctrl-D quits.\n")
	return b.String()
}

// word handles help, quit and exit typed alone at the start of a statement,
// as psql does: they are no statement of the language.
func (s *Shell) word(line string) (out string, exit bool, ok bool) {
	w := strings.ToLower(strings.TrimRight(strings.TrimSpace(line), "; "))
	switch w {
	case "help":
		return "You are using rq, a query language for REDCap.\n" +
			"Type:  \\? for the meta-commands\n" +
			"       \\h select (or explain, param) for a statement's syntax\n" +
			"       \\q, quit or exit to quit\n" +
			"Statements end with ';', e.g.  select count(*) from records;\n", false, true
	case "quit", "exit":
		return "", true, true
	}
	return "", false, false
}

// expanded reads \x's argument (none flips between off and on).
func expanded(args []string, cur Expanded) (Expanded, error) {
	if len(args) == 0 {
		if cur == ExpandedOff {
			return ExpandedOn, nil
		}
		return ExpandedOff, nil
	}
	switch strings.ToLower(args[0]) {
	case "on":
		return ExpandedOn, nil
	case "off":
		return ExpandedOff, nil
	case "auto":
		return ExpandedAuto, nil
	}
	return cur, errorf(`\x takes on, off or auto, not %q`, args[0])
}

// setPager is \pager [on|off|command]: on and off turn paging of tables
// wider than the terminal on and off (none flips it); anything else is the
// pager command.
func (s *Shell) setPager(line string, args []string) (string, string, bool, error) {
	switch {
	case len(args) == 0 && s.Pager == "", len(args) == 1 && strings.EqualFold(args[0], "on"):
		s.Pager = PagerFromEnv()
	case len(args) == 0, len(args) == 1 && strings.EqualFold(args[0], "off"):
		s.Pager = ""
	default:
		s.Pager = strings.TrimSpace(strings.TrimPrefix(line, `\pager`))
	}
	if s.Pager == "" {
		return "", "Pager is off.\n", false, nil
	}
	return "", fmt.Sprintf("Pager is %s.\n", s.Pager), false, nil
}

// writeText writes a meta-command's output; on a terminal, text wider
// than the screen goes to the pager when one is set.
func (s *Session) writeText(out string) error {
	if w := s.width(); w > 0 && s.pager() != "" && widest([]byte(out)) > w {
		return s.pageWith(s.Stdout, func(w io.Writer) error {
			_, err := io.WriteString(w, out)
			return err
		})
	}
	_, err := io.WriteString(s.Stdout, out)
	return err
}

// unquote strips one pair of matching quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// toggle reads an optional on/off argument (none flips the setting).
func toggle(cmd string, args []string, cur bool) (bool, error) {
	if len(args) == 0 {
		return !cur, nil
	}
	switch strings.ToLower(args[0]) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return cur, errorf(`%s takes on or off, not %q`, cmd, args[0])
}

// redirect opens or closes the \o file.
func (s *Shell) redirect(args []string) (string, error) {
	if len(args) > 1 {
		return "", errorf(`\o takes at most one file name`)
	}
	if err := s.Close(); err != nil {
		return "", errorf(`\o: closing %s: %v`, s.outName, err)
	}
	if len(args) == 0 {
		return "Results go to the screen.\n", nil
	}
	f, err := os.OpenFile(args[0], os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return "", errorf(`\o: %v`, err)
	}
	s.outFile, s.outName = f, args[0]
	return fmt.Sprintf("Results go to %s.\n", args[0]), nil
}

// catalog returns the loaded structure, loading it if needed.
func (s *Shell) catalog(ctx context.Context) (*catalog.Catalog, error) {
	s.mu.Lock()
	cat := s.cat
	s.mu.Unlock()
	if cat != nil {
		return cat, nil
	}
	if err := s.Load(ctx); err != nil {
		return nil, &Error{Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cat, nil
}

// describe is \d: forms and events, a form's fields, or one field.
func (s *Shell) describe(ctx context.Context, args []string) (string, error) {
	cat, err := s.catalog(ctx)
	if err != nil {
		return "", err
	}
	dict := cat.Dictionary()
	var b strings.Builder
	opts := render.Options{} // never cut: wide output is paged
	if len(args) == 0 {
		b.WriteString("Forms\n")
		var rows [][]string
		labels := map[string]string{}
		for _, in := range cat.Instruments() {
			labels[in.Name] = in.Label
		}
		for _, form := range dict.Forms() {
			n := 0
			for _, f := range dict.Fields() {
				if f.Form == form && !f.Synthetic {
					n++
				}
			}
			rep := ""
			if cat.RepeatingForm(form) {
				rep = "yes"
			}
			rows = append(rows, []string{form, labels[form], strconv.Itoa(n), rep, strings.Join(cat.FormEvents(form), ", ")})
		}
		render.Write(&b, render.Table, render.Strings([]string{"form", "label", "fields", "repeating", "events"}, rows), opts)
		if len(cat.Events()) > 0 {
			b.WriteString("\nEvents\n")
			rows = nil
			arms := map[int]string{}
			for _, a := range cat.Arms() {
				arms[a.Num] = a.Name
			}
			for _, e := range cat.Events() {
				rows = append(rows, []string{e.Name, e.Label, fmt.Sprintf("%d (%s)", e.Arm, arms[e.Arm])})
			}
			render.Write(&b, render.Table, render.Strings([]string{"event", "label", "arm"}, rows), opts)
		}
		return b.String(), nil
	}
	name := args[0]
	if slices.Contains(dict.Forms(), name) {
		fmt.Fprintf(&b, "Form %s\n", name)
		var rows [][]string
		for _, f := range dict.Fields() {
			if f.Form == name {
				rows = append(rows, []string{f.Name, fieldType(f), f.Validation, choices(f), f.Label})
			}
		}
		render.Write(&b, render.Table, render.Strings([]string{"field", "type", "validation", "choices", "label"}, rows), opts)
		return b.String(), nil
	}
	f, ok := dict.Field(name)
	if !ok {
		if fc, _, ok2 := dict.ExportColumn(name); ok2 {
			f, ok = fc, true
		}
	}
	if !ok {
		return "", errorf(`\d: no form or field named %q`, name)
	}
	rows := [][]string{
		{"field", f.Name}, {"form", f.Form}, {"type", fieldType(f)}, {"kind", f.Kind.String()},
		{"validation", f.Validation}, {"min", f.Meta.TextValidationMin}, {"max", f.Meta.TextValidationMax},
		{"choices", choices(f)}, {"label", f.Label}, {"note", f.Meta.FieldNote},
		{"identifier", yes(f.Identifier)}, {"required", f.Meta.RequiredField}, {"branching", f.Meta.BranchingLogic},
		{"calculation", f.Formula}, {"annotation", f.Meta.FieldAnnotation},
	}
	rows = slices.DeleteFunc(rows, func(r []string) bool { return r[1] == "" })
	render.Write(&b, render.Table, render.Strings([]string{"property", "value"}, rows), opts)
	return b.String(), nil
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func fieldType(f *client.Field) string {
	if f.Synthetic {
		return "form status"
	}
	return f.FieldType
}

func choices(f *client.Field) string {
	var parts []string
	for _, c := range f.Choices {
		parts = append(parts, c.Code+"="+c.Label)
	}
	return strings.Join(parts, " | ")
}

// sources is \dt.
func (s *Shell) sources() string {
	var b strings.Builder
	var rows [][]string
	for _, src := range catalog.Sources() {
		rows = append(rows, []string{src.Name, src.Help})
	}
	render.Write(&b, render.Table, render.Strings([]string{"source", "what"}, rows), render.Options{})
	return b.String()
}
