// Package catalog is the one description of a REDCap project that rq plans
// against: the structure built once from the client (data dictionary, forms,
// events, arms, form–event mapping, repeating setup, DAGs) and the table of
// sources a query reads from (name, columns and their kinds, help, and how
// each is fetched). The planner checks names against it, and the shell
// completes and describes from it.
package catalog
