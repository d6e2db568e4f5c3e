// Package client is a REDCap API client: every API method, typed parameters
// and results, streaming record export, retries, rate limiting and a data
// dictionary that types raw export values. It imports nothing else of the project.
package client
