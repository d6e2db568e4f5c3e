package config

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Profile is one named connection of the config file.
type Profile struct {
	Name      string
	URL       string
	TokenFile string // "~/" expanded
	CABundle  string // "~/" expanded
	Insecure  bool
	// MaxRate is the request rate cap in calls per minute (0: no limit);
	// nil when the profile does not set it.
	MaxRate *float64
	// Concurrency is how many record exports go at once (0: not set).
	Concurrency int
}

// Error is a mistake in the config file or a profile that is not there:
// the user's to fix.
type Error struct {
	Path string // the config file
	Line int    // 0 when not about one line
	Msg  string
}

// Error formats the error as "path:line: msg" (or "msg" without a line).
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Msg
}

// Path is the config file: $XDG_CONFIG_HOME/rq/config, else
// ~/.config/rq/config ("" when there is no home).
func Path() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "rq", "config")
}

// Load reads the named profile from the config file. With name "" it
// returns the [default] profile when there is one, else nil (also when
// there is no config file).
func Load(name string) (*Profile, error) {
	path := Path()
	f, err := os.Open(path)
	if os.IsNotExist(err) || path == "" {
		if name != "" {
			return nil, &Error{Path: path, Msg: fmt.Sprintf("profile %q: no config file %s", name, path)}
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path, name)
}

// Parse reads a config file's text (path names it in errors) and returns
// the named profile, as Load does.
func Parse(r io.Reader, path, name string) (*Profile, error) {
	want := name
	if want == "" {
		want = "default"
	}
	var cur, found *Profile
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, &Error{path, n, fmt.Sprintf("section header %q has no closing ]", line)}
			}
			cur = &Profile{Name: sectionName(line)}
			if cur.Name == want {
				found = cur
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, &Error{path, n, fmt.Sprintf("want key = value, got %q", line)}
		}
		if cur == nil {
			return nil, &Error{path, n, fmt.Sprintf("%q is outside a [profile] section", strings.TrimSpace(k))}
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(v), `"`)
		switch k {
		case "url":
			cur.URL = v
		case "token_file":
			cur.TokenFile = expandHome(v)
		case "ca_bundle":
			cur.CABundle = expandHome(v)
		case "insecure":
			cur.Insecure = v == "true" || v == "yes" || v == "1"
		case "max_rate":
			r, err := strconv.ParseFloat(v, 64)
			if err != nil || r < 0 || r != r {
				return nil, &Error{path, n, fmt.Sprintf("max_rate = %q: want calls per minute, a number ≥ 0 (0: no limit)", v)}
			}
			cur.MaxRate = &r
		case "concurrency":
			c, err := strconv.Atoi(v)
			if err != nil || c < 1 {
				return nil, &Error{path, n, fmt.Sprintf("concurrency = %q: want a whole number ≥ 1", v)}
			}
			cur.Concurrency = c
		case "token":
			// the value is not repeated: it would be the token
			return nil, &Error{path, n, "the config file holds no tokens; put the token in a file of mode 0600 and name it with token_file"}
		default:
			return nil, &Error{path, n, fmt.Sprintf("unknown key %q (want url, token_file, ca_bundle, insecure, max_rate or concurrency)", k)}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if found == nil && name != "" {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("profile %q is not in %s", name, path)}
	}
	return found, nil
}

// sectionName is the profile named by "[name]" or "[profile name]".
func sectionName(line string) string {
	sec := strings.TrimSpace(line[1 : len(line)-1])
	return strings.TrimSpace(strings.TrimPrefix(sec, "profile "))
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

// Names lists the config file's profiles, for shell completion (none when
// there is no file).
func Names() []string {
	b, err := os.ReadFile(Path())
	if err != nil {
		return nil
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			names = append(names, sectionName(line))
		}
	}
	return names
}
