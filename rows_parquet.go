package rq

import (
	"encoding/json"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/internal/parquetio"
	"github.com/redcapql/rq/planner/catalog"
)

// ParquetOptions says how to type the result's columns in Parquet: the
// field behind each column that holds a field's values unchanged, whether
// labels are on, and the project's description as key-value metadata
// (internal/render's parquet format reads it).
func (r *Rows) ParquetOptions() parquetio.Options {
	if r.plan == nil || r.plan.Stmt == nil || r.plan.Stmt.Explain || r.plan.Analyze {
		return parquetio.Options{}
	}
	fields := r.plan.ColumnFields()
	if len(fields) != len(r.Columns()) {
		fields = make([]*client.Field, len(r.Columns()))
	}
	pl := r.plan.Planner()
	return parquetio.Options{
		Dict:     pl.Dictionary(),
		Fields:   fields,
		Labels:   r.labels != nil,
		Metadata: ProjectMetadata(pl.Dictionary(), pl.Catalog().Design()),
	}
}

// CodeRow returns the current row with choice codes, also when labels are
// on (Row then holds labels).
func (r *Rows) CodeRow() []client.Value {
	if r.codes != nil {
		return r.codes
	}
	return r.row
}

// ProjectMetadata describes a project for a Parquet file's key-value
// metadata, so that the file describes itself: rq.dictionary (the data
// dictionary's rows as the API exports them), rq.project (events, arms,
// form–event mapping, repeating setup, instruments, DAGs) and
// rq.missing_codes.
func ProjectMetadata(d *client.Dictionary, info catalog.Design) map[string]string {
	var meta []client.MetadataField
	for _, f := range d.Fields() {
		if !f.Synthetic {
			meta = append(meta, f.Meta)
		}
	}
	m := map[string]string{}
	if b, err := json.Marshal(meta); err == nil {
		m["rq.dictionary"] = string(b)
	}
	if b, err := json.Marshal(info); err == nil {
		m["rq.project"] = string(b)
	}
	if b, err := json.Marshal(d.MissingCodes()); err == nil {
		m["rq.missing_codes"] = string(b)
	}
	return m
}
