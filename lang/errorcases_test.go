package lang

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Error cases live in testdata/lang-errors/*.rq. Each file is rq source whose expected
// errors are marked by comment lines:
//
//	select age, score, from records
//	--               ^ trailing comma | remove the ','
//
// A line "--  ^ msg" marks the column of the '^' on the nearest line above that is not a
// marker; "-- ERROR line:col msg" gives the position outright (for columns 1 and 2).
// msg must occur in the error's message; text after " | " must occur in its hint. A
// file whose first comment line is "-- CHECKPARAMS" must parse, and the markers are the
// errors of CheckParams(nil). Every error must be marked, and every marker matched.

var (
	caretLine    = regexp.MustCompile(`^--( *)\^ (.*)$`)
	explicitLine = regexp.MustCompile(`^-- ERROR (\d+):(\d+) (.*)$`)
)

type marker struct {
	line, col int
	msg, hint string
}

func (m marker) String() string { return fmt.Sprintf("%d:%d %q | %q", m.line, m.col, m.msg, m.hint) }

func readMarkers(src string) (markers []marker, checkParams bool) {
	lines := strings.Split(src, "\n")
	target := 0
	for i, l := range lines {
		var m marker
		switch {
		case strings.TrimSpace(l) == "-- CHECKPARAMS":
			checkParams = true
			continue
		case caretLine.MatchString(l):
			g := caretLine.FindStringSubmatch(l)
			m = marker{line: target, col: len(g[1]) + 3, msg: g[2]}
		case explicitLine.MatchString(l):
			g := explicitLine.FindStringSubmatch(l)
			m.line, _ = strconv.Atoi(g[1])
			m.col, _ = strconv.Atoi(g[2])
			m.msg = g[3]
		default:
			target = i + 1
			continue
		}
		if msg, hint, ok := strings.Cut(m.msg, " | "); ok {
			m.msg, m.hint = msg, hint
		}
		markers = append(markers, m)
	}
	return markers, checkParams
}

func TestErrorCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "lang-errors", "*.rq"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("found %d error cases, want at least 40", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".rq"), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src := string(b)
			markers, checkParams := readMarkers(src)
			if len(markers) == 0 {
				t.Fatalf("%s has no error marker", name)
			}
			f, err := ParseFile(name, src)
			if checkParams {
				if err != nil {
					t.Fatalf("CHECKPARAMS case does not parse: %v", err)
				}
				err = f.CheckParams(nil)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("got %v, want errors %v", err, markers)
			}
			for i := 0; i < max(len(list), len(markers)); i++ {
				switch {
				case i >= len(list):
					t.Errorf("missing error %v", markers[i])
					continue
				case i >= len(markers):
					t.Errorf("unexpected error:\n%s", list[i].Render(src))
					continue
				}
				e, m := list[i], markers[i]
				if e.Pos.Line != m.line || e.Pos.Column != m.col || e.Pos.Filename != name {
					t.Errorf("error at %s, marked at %d:%d:\n%s", e.Pos, m.line, m.col, e.Render(src))
				}
				if !strings.Contains(e.Msg, m.msg) {
					t.Errorf("message %q does not contain %q", e.Msg, m.msg)
				}
				if !strings.Contains(e.Hint, m.hint) {
					t.Errorf("hint %q does not contain %q", e.Hint, m.hint)
				}
				if p := e.Pos; p.Offset < 0 || p.Offset > len(src) || lineCol(src, p.Offset) != [2]int{p.Line, p.Column} {
					t.Errorf("offset %d does not agree with %d:%d", p.Offset, p.Line, p.Column)
				}
			}
		})
	}
}

func lineCol(src string, off int) [2]int {
	line := strings.Count(src[:off], "\n") + 1
	return [2]int{line, off - (strings.LastIndexByte(src[:off], '\n') + 1) + 1}
}
