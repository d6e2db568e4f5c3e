package redcaptest

import (
	"net/http"
	"strconv"
	"strings"
)

func init() {
	register("report", "export", exportReport)
}

// exportReport answers a stored report: a flat record export of the
// report's fields, in the report's field order, with its filter. The
// request's type is ignored; rawOrLabel, rawOrLabelHeaders,
// exportCheckboxLabel, csvDelimiter and decimalCharacter apply.
func exportReport(c *call) error {
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	id, err := strconv.Atoi(strings.TrimSpace(c.Param("report_id")))
	var rep *Report
	for i := range p.Reports {
		if err == nil && p.Reports[i].ID == id {
			rep = &p.Reports[i]
		}
	}
	if rep == nil {
		return errorf(http.StatusBadRequest, `The value of the parameter "report_id" is not valid`)
	}
	// Reuse the record export's parsing with the report's own selection.
	c.form.vals["type"] = &phpVal{str: "flat"}
	delete(c.form.vals, "forms")
	delete(c.form.vals, "records")
	delete(c.form.vals, "dateRangeBegin")
	delete(c.form.vals, "dateRangeEnd")
	delete(c.form.vals, "exportSurveyFields")
	delete(c.form.vals, "exportDataAccessGroups")
	c.form.vals["fields"] = &phpVal{str: strings.Join(rep.Fields, ",")}
	c.form.vals["events"] = &phpVal{str: strings.Join(rep.Events, ",")}
	c.form.vals["filterLogic"] = &phpVal{str: rep.Logic}
	x, err := parseRecordExport(c, p)
	if err != nil {
		return err
	}
	// Field columns follow the report's order; plumbing stays in front.
	rank := map[string]int{}
	for i, f := range rep.Fields {
		rank[f] = i + 1
	}
	var plumbing, fields []outColumn
	for _, col := range x.cols {
		switch col.kind {
		case outField, outCheckbox, outStatus, outCombined:
			fields = append(fields, col)
		case outID:
			fields = append(fields, col)
		default:
			plumbing = append(plumbing, col)
		}
	}
	order := func(col outColumn) int {
		if col.field != nil {
			return rank[col.field.FieldName]
		}
		return rank[col.name]
	}
	for i := 1; i < len(fields); i++ { // stable insertion sort by report rank
		for j := i; j > 0 && order(fields[j]) < order(fields[j-1]); j-- {
			fields[j], fields[j-1] = fields[j-1], fields[j]
		}
	}
	if len(fields) > 0 && fields[0].kind == outID {
		x.cols = append(append([]outColumn{fields[0]}, plumbing...), fields[1:]...)
	} else {
		x.cols = append(plumbing, fields...)
	}
	x.removeLineBreaks = rep.RemoveLineBreaks
	return x.writeFlat(c)
}

// noLineBreaks turns each line break (CRLF, CR or LF) into two spaces.
func noLineBreaks(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "  ")
}
