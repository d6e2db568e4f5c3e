package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// profile is one named connection of the config file.
type profile struct {
	Name      string
	URL       string
	TokenFile string
	CABundle  string
	Insecure  bool
}

// configPath is $XDG_CONFIG_HOME/rq/config (~/.config/rq/config).
func configPath() string {
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

// loadProfile reads the named profile from the config file. With name ""
// it returns the [default] profile when there is one, else nil.
//
// The file is INI:
//
//	# comments start with # or ;
//	[default]
//	url = https://redcap.example.edu/api/
//	token_file = ~/.config/rq/study.token
//
//	[other]
//	url = ...
//	ca_bundle = /etc/ssl/our-ca.pem
//	insecure = false
//
// Tokens never go in this file: token_file names a file of mode 0600.
func loadProfile(name string) (*profile, error) {
	path := configPath()
	f, err := os.Open(path)
	if os.IsNotExist(err) || path == "" {
		if name != "" {
			return nil, usageError{fmt.Errorf("profile %q: no config file %s", name, path)}
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseProfile(f, path, name)
}

// parseProfile reads the config file's text (see loadProfile).
func parseProfile(r io.Reader, path, name string) (*profile, error) {
	want := name
	if want == "" {
		want = "default"
	}
	var cur *profile
	var found *profile
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, usageError{fmt.Errorf("%s:%d: section header %q has no closing ]", path, n, line)}
			}
			sec := strings.TrimSpace(line[1 : len(line)-1])
			sec = strings.TrimSpace(strings.TrimPrefix(sec, "profile "))
			cur = &profile{Name: sec}
			if sec == want {
				found = cur
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, usageError{fmt.Errorf("%s:%d: want key = value, got %q", path, n, line)}
		}
		if cur == nil {
			return nil, usageError{fmt.Errorf("%s:%d: %q is outside a [profile] section", path, n, strings.TrimSpace(k))}
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
		case "token":
			return nil, usageError{fmt.Errorf("%s:%d: the config file holds no tokens; put the token in a file of mode 0600 and name it with token_file", path, n)}
		default:
			return nil, usageError{fmt.Errorf("%s:%d: unknown key %q (want url, token_file, ca_bundle or insecure)", path, n, k)}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if found == nil && name != "" {
		return nil, usageError{fmt.Errorf("profile %q is not in %s", name, path)}
	}
	return found, nil
}

func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

// profileNames lists the config file's profiles, for shell completion.
func profileNames() []string {
	b, err := os.ReadFile(configPath())
	if err != nil {
		return nil
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			names = append(names, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line[1:len(line)-1]), "profile ")))
		}
	}
	return names
}
