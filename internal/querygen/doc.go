// Package querygen is a seeded random generator of rq queries over a
// project's fields, for the differential test. It writes query TEXT (so the
// parser is exercised too) from the oracle's view of the project and values
// sampled from the data, so that conditions are selective rather than
// always true or always false.
package querygen
