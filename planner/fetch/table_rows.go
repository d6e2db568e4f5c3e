package fetch

// TableRows is an in-memory RawRows.
type TableRows struct {
	cols []string
	rows [][]string
	i    int
}

// NewTableRows returns rows over cols and rows (not copied).
func NewTableRows(cols []string, rows [][]string) *TableRows {
	return &TableRows{cols: cols, rows: rows}
}

// Columns returns the column names.
func (t *TableRows) Columns() []string { return t.cols }

// Next advances to the next row.
func (t *TableRows) Next() bool {
	if t.i >= len(t.rows) {
		return false
	}
	t.i++
	return true
}

// Row returns the current row.
func (t *TableRows) Row() []string { return t.rows[t.i-1] }

// Err is always nil.
func (t *TableRows) Err() error { return nil }

// Close does nothing.
func (t *TableRows) Close() error { return nil }

// Len returns the number of rows.
func (t *TableRows) Len() int { return len(t.rows) }
