// Package logic parses and evaluates REDCap logic, the language of the API's
// filterLogic parameter, with REDCap's own semantics: numeric fields become
// numbers (blank or invalid ones NaN, so <> matches them), other references
// compare as strings with PHP 8 loose rules, [x] = ” is a blank test for every
// type, and a bare checkbox reference makes the row false.
//
// It is the embedded server's independent implementation; it imports nothing
// of the rest of rq.
//
//	expr, err := logic.Parse("[score] > 5 and [enrollment_arm_1][sex] = '1'")
//	ok, err := expr.Eval(row) // row implements logic.Row
package logic
