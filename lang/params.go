package lang

import (
	"fmt"
	"slices"
	"strings"
)

// CheckGiven reports every given parameter (a key of given) that no statement of the
// file uses and no declaration names: most often a misspelt name, whose value would
// otherwise be dropped while a default runs. The hint suggests the nearest parameter
// the file uses or declares. The errors have no line (a given value has no place in
// the source) and come in name order.
func (f *File) CheckGiven(given map[string]string) error {
	known := map[string]bool{}
	var names []string
	add := func(name string) {
		if !known[name] {
			known[name] = true
			names = append(names, name)
		}
	}
	for _, d := range f.Params {
		add(d.Name)
	}
	for _, s := range f.Statements {
		for _, p := range ParamsOf(s) {
			add(p.Name)
		}
	}
	var unused []string
	for name := range given {
		if !known[name] {
			unused = append(unused, name)
		}
	}
	slices.Sort(unused)
	var errs ErrorList
	for _, name := range unused {
		e := &Error{Pos: Pos{Filename: f.Name}, Msg: fmt.Sprintf("parameter $%s is given but no statement uses it", name)}
		var near []string
		for _, n := range names {
			if _, ok := given[n]; !ok {
				near = append(near, n)
			}
		}
		if s := closest(name, near); s != "" {
			e.Hint = fmt.Sprintf("did you mean $%s?", s)
		} else if len(names) == 0 {
			e.Hint = "the file uses no parameters"
		} else {
			e.Hint = "the file's parameters are $" + strings.Join(names, ", $")
		}
		errs = append(errs, e)
	}
	return errs.err()
}

// Resolve checks the parameters of the file against the given values and returns the
// values its statements run with: the given ones over the declared defaults. It reports
// together every parameter a statement uses that is neither given nor declared with a
// default, every parameter declared twice and, when strict, every given parameter that
// the file neither uses nor declares (CheckGiven).
func (f *File) Resolve(given map[string]string, strict bool) (map[string]string, error) {
	var errs ErrorList
	if strict {
		errs = appendErrs(errs, f.CheckGiven(given))
	}
	errs = appendErrs(errs, f.CheckParams(given))
	if len(errs) > 0 {
		return nil, errs
	}
	return f.Values(given), nil
}

// Defaults returns the declared default of every parameter that has one, as text.
func (f *File) Defaults() map[string]string { return f.Values(nil) }

func appendErrs(list ErrorList, err error) ErrorList {
	switch e := err.(type) {
	case nil:
	case ErrorList:
		list = append(list, e...)
	case *Error:
		list = append(list, e)
	default:
		list = append(list, &Error{Msg: err.Error()})
	}
	return list
}
