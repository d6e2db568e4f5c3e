package client

import (
	"context"
	"io"
)

// ExportMetadataParams narrows the data dictionary export; empty means all.
type ExportMetadataParams struct {
	Fields []string
	Forms  []string
}

func metadataForm(p ExportMetadataParams) *form {
	f := newForm("metadata", "export")
	f.array("fields", p.Fields)
	f.array("forms", p.Forms)
	return f
}

// ExportMetadata returns the data dictionary (content=metadata), first
// field being the record id.
func (c *Client) ExportMetadata(ctx context.Context, p ExportMetadataParams) ([]MetadataField, error) {
	// only when names are given: loading the Project itself exports the
	// whole dictionary, and must not wait for the Project it is loading
	if len(p.Fields)+len(p.Forms) > 0 {
		if err := c.checkNames("ExportMetadata", p.Fields, p.Forms, nil, ""); err != nil {
			return nil, err
		}
	}
	var out []MetadataField
	if err := c.postJSON(ctx, metadataForm(p), read, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ExportMetadataStream streams the data dictionary in format ("csv",
// "json" or "xml"). The caller closes the stream.
func (c *Client) ExportMetadataStream(ctx context.Context, p ExportMetadataParams, format string) (io.ReadCloser, error) {
	// only when names are given: loading the Project itself exports the
	// whole dictionary, and must not wait for the Project it is loading
	if len(p.Fields)+len(p.Forms) > 0 {
		if err := c.checkNames("ExportMetadataStream", p.Fields, p.Forms, nil, ""); err != nil {
			return nil, err
		}
	}
	f := metadataForm(p)
	if err := setFormat(f, format, "csv", "json", "xml"); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// ImportMetadata replaces the whole data dictionary (content=metadata,
// action=import; projects in development only) and returns the number
// of fields REDCap reports.
func (c *Client) ImportMetadata(ctx context.Context, fields []MetadataField) (int, error) {
	if len(fields) == 0 {
		return 0, errorf("ImportMetadata: no fields given (that would empty the dictionary)")
	}
	return c.designWrite(c.importJSON(ctx, newForm("metadata", "import"), fields))
}

// ExportFieldName maps a dictionary field (and checkbox choice) to its
// export column.
type ExportFieldName struct {
	OriginalFieldName string `json:"original_field_name"`
	ChoiceValue       string `json:"choice_value"`
	ExportFieldName   string `json:"export_field_name"`
}

// ExportFieldNamesParams names one field; empty means all.
type ExportFieldNamesParams struct {
	Field string
}

// ExportFieldNames lists export column names (content=exportFieldNames).
// REDCap leaves out calc, file and descriptive fields.
func (c *Client) ExportFieldNames(ctx context.Context, p ExportFieldNamesParams) ([]ExportFieldName, error) {
	f := newForm("exportFieldNames", "export")
	f.opt("field", p.Field)
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]ExportFieldName, len(rows))
	for i, r := range rows {
		out[i] = ExportFieldName{OriginalFieldName: r.str("original_field_name"), ChoiceValue: r.str("choice_value"), ExportFieldName: r.str("export_field_name")}
	}
	return out, nil
}

// setFormat sets format=want after checking it is one the method offers.
func setFormat(f *form, want string, allowed ...string) error {
	for _, a := range allowed {
		if want == a {
			f.set("format", want)
			return nil
		}
	}
	return errorf("%s: format %q not offered; use one of %v", f.get("content"), want, allowed)
}
