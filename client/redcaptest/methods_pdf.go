package redcaptest

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// content=pdf, emulated: REDCap renders its data entry forms; this server
// answers with a small valid PDF (one page per record × event × instrument,
// plain text lines "label: value") that names the record and instrument.

func init() {
	register("pdf", "export", handlePDF)
}

func handlePDF(c *call) error {
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	instr := strings.TrimSpace(c.Param("instrument"))
	if instr != "" && p.FormFields(instr) == nil {
		return errorf(http.StatusBadRequest, "The instrument '%s' does not exist in this project", instr)
	}
	ev := strings.TrimSpace(c.Param("event"))
	if ev != "" && p.Event(ev) == nil {
		return errorf(http.StatusBadRequest, "The event '%s' does not exist in this project", ev)
	}
	inst, err := repeatInstance(c, 0)
	if err != nil {
		return err
	}
	forms := formNames(p)
	if instr != "" {
		forms = []string{instr}
	}
	var recs []*Record
	id := strings.TrimSpace(c.Param("record"))
	switch {
	case id != "":
		rec, ok := visibleRecord(c, id)
		if !ok {
			return errorf(http.StatusBadRequest, "The record '%s' does not exist", id)
		}
		recs = []*Record{rec}
	case c.Bool("allRecords"):
		for rec := range p.Records.All() {
			if d := c.DAG(); d == "" || rec.DAG == d {
				recs = append(recs, rec)
			}
		}
	}
	compact := c.Bool("compactDisplay")
	// Data export rights apply to a PDF with data as to an export: "No
	// Access" instruments and the fields the rights hide are left out,
	// hashed record names stand for hidden identifier record ids.
	var deny, denyForm map[string]bool
	salt := ""
	if recs != nil {
		var err error
		if deny, denyForm, salt, err = exportDenied(c, p); err != nil {
			return err
		}
	}
	shown := func(id string) string {
		if salt == "" {
			return id
		}
		return hashRecordName(salt, id)
	}
	var pages [][]string
	head := func(lines ...string) []string {
		return append([]string{p.Info.Title, "REDCap PDF export (emulated by redcaptest)"}, lines...)
	}
	if recs == nil {
		for _, f := range forms {
			lines := head("Instrument: "+p.InstrumentLabel(f)+" ["+f+"]", "Blank form")
			for _, name := range p.FormFields(f) {
				lines = append(lines, pdfFieldLines(p, p.Field(name), nil, "", compact)...)
			}
			pages = append(pages, lines)
		}
	}
	for _, rec := range recs {
		for _, row := range rec.Rows {
			if ev != "" && row.Event != ev || inst > 0 && row.Instance != inst && row.Instance != 0 {
				continue
			}
			for _, f := range forms {
				if !p.Designated(f, row.Event) || (row.Instrument != "" && row.Instrument != f) || denyForm[f] {
					continue
				}
				has := false
				var lines []string
				for _, name := range p.FormFields(f) {
					if deny[name] {
						continue
					}
					fld := p.Field(name)
					id := ""
					if name == p.RecordIDField() {
						id = shown(rec.ID)
					} else if pdfHasValue(fld, row) {
						has = true
					}
					lines = append(lines, pdfFieldLines(p, fld, row, id, compact)...)
				}
				if !has {
					continue
				}
				where := "Record: " + shown(rec.ID)
				if row.Event != "" {
					where += "  Event: " + row.Event
				}
				if row.Instance > 0 {
					where += "  Instance: " + strconv.Itoa(row.Instance)
				}
				pages = append(pages, append(head(where, "Instrument: "+p.InstrumentLabel(f)+" ["+f+"]"), lines...))
			}
		}
	}
	if len(pages) == 0 {
		pages = [][]string{head("Record: "+id, "No data")}
	}
	name := "redcap_pdf.pdf"
	if id != "" {
		name = "record_" + id + ".pdf"
	}
	// A PDF is sent as a download: "application/pdf" and the file name in
	// Content-Disposition, not the file export's `; name="…";charset=UTF-8`
	// form (no fixture records REDCap's PDF headers; docs/server.md).
	data := buildPDF(pages)
	c.w.Header().Set("Content-Type", "application/pdf")
	c.w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	c.w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	c.w.Write(data)
	return nil
}

// pdfHasValue reports whether row holds a value of the field (a ticked
// box for a checkbox).
func pdfHasValue(f *Field, row *Row) bool {
	if row == nil {
		return false
	}
	if f.FieldType == "checkbox" {
		for _, o := range fieldChoices(f) {
			if row.IsChecked(f.FieldName, o.Code) {
				return true
			}
		}
		return false
	}
	return row.Values[f.FieldName] != ""
}

// pdfFieldLines renders one field of a form page: "Label [name]: value",
// and for a choice field its options, "(X)" for the chosen ones and "( )"
// for the others. compactDisplay ("excludes empty fields and unselected
// options", REDCap's API documentation as client libraries quote it)
// leaves out fields without a value and the options not chosen. row is nil
// on a blank form; id is the record name on the record id field.
func pdfFieldLines(p *Project, f *Field, row *Row, id string, compact bool) []string {
	caption := fieldCaption(f)
	if id != "" {
		return []string{caption + ": " + id}
	}
	has := pdfHasValue(f, row)
	if compact && row != nil && !has {
		return nil
	}
	choices := fieldChoices(f)
	if f.FieldType == "calc" || f.FieldType == "slider" || len(choices) == 0 {
		v := "____________"
		if row != nil {
			v = row.Values[f.FieldName]
		}
		return []string{caption + ": " + v}
	}
	lines := []string{caption + ":"}
	for _, o := range choices {
		on := false
		if row != nil {
			if f.FieldType == "checkbox" {
				on = row.IsChecked(f.FieldName, o.Code)
			} else {
				on = row.Values[f.FieldName] == o.Code
			}
		}
		switch {
		case on:
			lines = append(lines, "  (X) "+o.Label)
		case !compact || row == nil:
			lines = append(lines, "  ( ) "+o.Label)
		}
	}
	if row != nil && f.FieldType != "checkbox" {
		v := row.Values[f.FieldName]
		if v != "" && !slices.ContainsFunc(choices, func(o Choice) bool { return o.Code == v }) {
			lines = append(lines, "  "+v) // a missing-data code or a value outside the choices
		}
	}
	return lines
}

// fieldCaption is "Label [name]" (just the name when there is no label).
func fieldCaption(f *Field) string {
	if f.FieldLabel == "" {
		return f.FieldName
	}
	return f.FieldLabel + " [" + f.FieldName + "]"
}

// formNames returns the project's instruments in order.
func formNames(p *Project) []string {
	out := make([]string, len(p.Instruments))
	for i, in := range p.Instruments {
		out[i] = in.Name
	}
	return out
}

// pdfText escapes a line for a PDF string literal (Latin-1 only: other
// characters become '?').
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 32 || r > 126:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// buildPDF writes a minimal PDF 1.4 with one Helvetica text page per entry
// of pages, with a correct cross-reference table.
func buildPDF(pages [][]string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// 1: catalog, 2: pages, 3: font, then page i at 4+2i and its content at 5+2i.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i, lines := range pages {
		var s strings.Builder
		s.WriteString("BT /F1 11 Tf 14 TL 50 760 Td\n")
		for j, l := range lines {
			if j >= 50 {
				s.WriteString("(...) Tj T*\n")
				break
			}
			fmt.Fprintf(&s, "(%s) Tj T*\n", pdfText(l))
		}
		s.WriteString("ET")
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", s.Len(), s.String()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
