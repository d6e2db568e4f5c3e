package lang

import (
	"slices"
	"strings"
)

// Result is the type a function returns, in the language's terms; the planner maps it
// to its value kinds.
type Result int

// Function results.
const (
	ResultSpecial  Result = iota // worked out by the planner from the arguments
	ResultText                   // text
	ResultNumber                 // a number
	ResultBool                   // true or false
	ResultDate                   // a date
	ResultDatetime               // a datetime
)

// Function describes one function or aggregate of the language. Functions is the one
// list of them: the parser, the planner's checks, the shell's completion and the docs
// test all read it.
type Function struct {
	Name      string
	Aggregate bool   // an aggregate: one value per group
	Min, Max  int    // number of arguments; Max < 0: any number
	Star      bool   // accepts f(*)
	Distinct  bool   // accepts f(distinct x)
	Result    Result // ResultSpecial when it depends on the arguments
	Syntax    string // how it is called, for help
}

// Functions lists every function and aggregate, aggregates first.
var Functions = []Function{
	{Name: "count", Aggregate: true, Min: 1, Max: 1, Star: true, Distinct: true, Result: ResultNumber, Syntax: "count(*) | count(x) | count(distinct x)"},
	{Name: "sum", Aggregate: true, Min: 1, Max: 1, Distinct: true, Result: ResultNumber, Syntax: "sum([distinct] x)"},
	{Name: "avg", Aggregate: true, Min: 1, Max: 1, Distinct: true, Result: ResultNumber, Syntax: "avg([distinct] x)"},
	{Name: "min", Aggregate: true, Min: 1, Max: 1, Distinct: true, Syntax: "min(x)"},
	{Name: "max", Aggregate: true, Min: 1, Max: 1, Distinct: true, Syntax: "max(x)"},
	{Name: "median", Aggregate: true, Min: 1, Max: 1, Result: ResultNumber, Syntax: "median(x)"},
	{Name: "percentile", Aggregate: true, Min: 2, Max: 2, Result: ResultNumber, Syntax: "percentile(x, p), p from 0 to 1"},
	{Name: "stddev", Aggregate: true, Min: 1, Max: 1, Result: ResultNumber, Syntax: "stddev(x)"},
	{Name: "var", Aggregate: true, Min: 1, Max: 1, Result: ResultNumber, Syntax: "var(x)"},
	{Name: "mode", Aggregate: true, Min: 1, Max: 1, Syntax: "mode(x)"},
	{Name: "lower", Min: 1, Max: 1, Result: ResultText, Syntax: "lower(text)"},
	{Name: "upper", Min: 1, Max: 1, Result: ResultText, Syntax: "upper(text)"},
	{Name: "trim", Min: 1, Max: 1, Result: ResultText, Syntax: "trim(text)"},
	{Name: "length", Min: 1, Max: 1, Result: ResultNumber, Syntax: "length(text)"},
	{Name: "contains", Min: 2, Max: 2, Result: ResultBool, Syntax: "contains(text, part)"},
	{Name: "starts_with", Min: 2, Max: 2, Result: ResultBool, Syntax: "starts_with(text, prefix)"},
	{Name: "ends_with", Min: 2, Max: 2, Result: ResultBool, Syntax: "ends_with(text, suffix)"},
	{Name: "abs", Min: 1, Max: 1, Result: ResultNumber, Syntax: "abs(x)"},
	{Name: "round", Min: 1, Max: 2, Result: ResultNumber, Syntax: "round(x [, digits])"},
	{Name: "year", Min: 1, Max: 1, Result: ResultNumber, Syntax: "year(date)"},
	{Name: "month", Min: 1, Max: 1, Result: ResultNumber, Syntax: "month(date)"},
	{Name: "day", Min: 1, Max: 1, Result: ResultNumber, Syntax: "day(date)"},
	{Name: "today", Min: 0, Max: 0, Result: ResultDate, Syntax: "today()"},
	{Name: "now", Min: 0, Max: 0, Result: ResultDatetime, Syntax: "now()"},
	{Name: "datediff", Min: 3, Max: 4, Result: ResultNumber, Syntax: "datediff(a, b, unit [, signed])"},
	{Name: "coalesce", Min: 1, Max: -1, Syntax: "coalesce(x, y, ...)"},
	{Name: "missing", Min: 1, Max: 1, Result: ResultBool, Syntax: "missing(field)"},
	{Name: "label", Min: 1, Max: 1, Result: ResultText, Syntax: "label(field)"},
}

var functionIndex = func() map[string]*Function {
	m := make(map[string]*Function, len(Functions))
	for i := range Functions {
		m[Functions[i].Name] = &Functions[i]
	}
	return m
}()

// LookupFunction returns the function or aggregate called name (any case).
func LookupFunction(name string) (Function, bool) {
	f, ok := functionIndex[lower(name)]
	if !ok {
		return Function{}, false
	}
	return *f, true
}

// IsAggregate reports whether name (any case) is an aggregate function.
func IsAggregate(name string) bool {
	f, ok := functionIndex[lower(name)]
	return ok && f.Aggregate
}

// FunctionNames returns the names of every function and aggregate, in the order of
// Functions.
func FunctionNames() []string {
	names := make([]string, len(Functions))
	for i, f := range Functions {
		names[i] = f.Name
	}
	return names
}

// AggregateNames returns the names of the aggregates.
func AggregateNames() []string {
	var names []string
	for _, f := range Functions {
		if f.Aggregate {
			names = append(names, f.Name)
		}
	}
	return slices.Clip(names)
}

func takesDistinct(name string) bool {
	f, ok := functionIndex[name]
	return ok && f.Distinct
}

// distinctNames lists the aggregates that take distinct: "count, sum, avg, min and max".
func distinctNames() string {
	var names []string
	for _, f := range Functions {
		if f.Distinct {
			names = append(names, f.Name)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
