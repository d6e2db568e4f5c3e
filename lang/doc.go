// Package lang is the rq query language: lexer, grammar, syntax tree, errors and
// formatter. It imports nothing else of the project.
//
// Parse reads one statement, ParseFile a whole .rq file (parameter declarations and
// several statements), Format prints canonical source, and the Go builder (Field, Form,
// Record, Event, Value, ...) makes the same trees as parsing:
//
//	stmt, err := lang.Parse("select age, score from records where score > 5 and form = 'baseline'")
//	cond := lang.Field("score").Gt(5).And(lang.Form("baseline")) // lang.Equal(stmt.Where, cond)
//
// Every node has Pos and String; String prints canonical source that parses back to the
// same tree. Errors are an ErrorList of *Error, each with a position, a message in the
// user's words and often a hint; Render shows the source line with a caret.
//
// The grammar is written with participle (grammar.go); the EBNF in docs/language.md is
// generated from it, and it is the only parser: every tree and every syntax error comes
// from it. Syntax errors are put in the user's words by a table of cases (errorcases.go,
// first match wins; lang/testdata/lang-errors holds an example of each).
//
// The text work every front end needs lives here too, so that the shell, files and the
// command line agree: Ends and Complete find where statements end (the same scanner as
// parsing), Blank and StripComments see comments, File.Resolve gives a file's parameters
// their values and defaults. Functions is the one table of functions and aggregates that
// the planner checks against and the shell completes from; Keywords lists the words.
package lang
