// Package planner turns a parsed rq query into REDCap API calls plus a
// residual evaluated locally, runs them in batches and explains the plan.
package planner
