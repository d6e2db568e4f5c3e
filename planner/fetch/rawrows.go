package fetch

// RawRows is an export's rows as text, one at a time: what fetching yields
// and the planner's local pipeline reads (a mirror yields them too).
type RawRows interface {
	Columns() []string
	Next() bool
	Row() []string // valid until the next call to Next
	Err() error
	Close() error
}
