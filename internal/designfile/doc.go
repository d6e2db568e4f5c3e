// Package designfile reads the files the import commands send besides
// records — arms, events, the form–event mapping, repeating instruments,
// DAGs, users, roles and their mappings — from CSV (a header row) or a JSON
// array of objects into the client's types.
//
// It is under internal/ (not repl/) because the CLI's import commands use
// it; nothing of it belongs to the shell.
package designfile
