// Package repl is rq's interactive shell: a pure evaluator of input lines with
// readline glued on in a thin layer.
package repl
