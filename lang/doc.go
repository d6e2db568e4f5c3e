// Package lang is the rq query language: lexer, grammar, AST, errors and
// formatter. It imports nothing else of the project.
package lang
