// Package logic parses and evaluates REDCap logic, the language of the API's
// filterLogic parameter, with REDCap's own semantics: numeric fields become
// numbers (blank or invalid ones NaN, so <> matches them), other references
// compare as strings with PHP 8 loose rules, [x] = "" is a blank test for every
// type, and a bare checkbox reference makes the row false.
//
// It is the embedded server's independent implementation; it imports nothing
// of the rest of rq.
//
//	expr, err := logic.Parse("[score] > 5 and [enrollment_arm_1][sex] = '1'")
//	fields := expr.Fields()   // what to load for each record
//	ok, err := expr.Eval(row) // row implements logic.Row
//
// Before parsing, the text is percent-decoded (as PHP's rawurldecode: a '+'
// stays a plus), HTML-entity-decoded, and lines starting with // or # are
// blanked. Error positions refer to the decoded text.
//
// Choices where REDCap's own behaviour is not pinned down:
//   - not and ! bind looser than comparisons: not [a] = 1 is not ([a] = 1).
//   - In a boolean context a NaN (blank number) is false, and so are the strings "" and "0".
//   - Division by zero, mod by zero and unparsable dates give NaN (blank).
//   - round, roundup and rounddown default to 0 decimal places; stdev is the
//     sample standard deviation; concat_ws skips blank arguments.
//   - Nesting deeper than 500 levels is a syntax error.
package logic
