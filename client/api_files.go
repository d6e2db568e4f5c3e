package client

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"
)

// FileParams locates one file field value.
type FileParams struct {
	Record         string
	Field          string // must be a field of type file
	Event          string // longitudinal projects
	RepeatInstance int    // repeating instruments/events (REDCap's default is 1)
}

// FileDownload is an exported file; the caller closes Body.
type FileDownload struct {
	Name        string // file name from the Content-Type name parameter
	ContentType string // MIME type
	Body        io.ReadCloser
}

// ReadAll reads and closes the body.
func (d *FileDownload) ReadAll() ([]byte, error) {
	defer d.Body.Close()
	return io.ReadAll(d.Body)
}

// checkFileField fails at once when field is not a file field of the
// project's data dictionary (loaded and cached by Project).
func (c *Client) checkFileField(ctx context.Context, p FileParams, method string) error {
	if p.Record == "" || p.Field == "" {
		return errorf("%s: Record and Field are required", method)
	}
	proj, err := c.Project(ctx)
	if err != nil {
		return err
	}
	typ, ok := proj.MetadataType(p.Field)
	switch {
	case !ok:
		return errorf("%s: field %q is not in the project's data dictionary", method, p.Field)
	case typ != "file":
		return errorf("%s: field %q is a %s field, not a file field", method, p.Field, typ)
	}
	return nil
}

func fileForm(action string, p FileParams) *form {
	f := newForm("file", action)
	f.set("record", p.Record)
	f.set("field", p.Field)
	f.opt("event", p.Event)
	f.num("repeat_instance", p.RepeatInstance)
	return f
}

// ExportFile downloads the file stored in a file field (content=file,
// action=export). Fails without a request when Field is not a file field.
func (c *Client) ExportFile(ctx context.Context, p FileParams) (*FileDownload, error) {
	if err := c.checkFileField(ctx, p, "ExportFile"); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, fileForm("export", p), read)
	if err != nil {
		return nil, err
	}
	return download(resp), nil
}

func download(resp *http.Response) *FileDownload {
	d := &FileDownload{Body: resp.Body, ContentType: resp.Header.Get("Content-Type")}
	if mt, params, err := mime.ParseMediaType(d.ContentType); err == nil {
		d.ContentType = mt
		d.Name = params["name"]
	}
	if d.Name == "" {
		if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
			d.Name = params["filename"]
		}
	}
	return d
}

// ImportFileParams uploads Content as file Name into a file field.
type ImportFileParams struct {
	FileParams
	Name    string
	Content io.Reader
}

// ImportFile uploads a file into a file field (content=file, action=import,
// multipart). Fails without a request when Field is not a file field.
func (c *Client) ImportFile(ctx context.Context, p ImportFileParams) error {
	if err := c.checkFileField(ctx, p.FileParams, "ImportFile"); err != nil {
		return err
	}
	if p.Name == "" || p.Content == nil {
		return errorf("ImportFile: Name and Content are required")
	}
	f := fileForm("import", p.FileParams)
	f.file = &fileUpload{name: p.Name, content: p.Content}
	return c.postEmpty(ctx, f, write)
}

// DeleteFile removes the file from a file field (content=file,
// action=delete). Fails without a request when Field is not a file field.
func (c *Client) DeleteFile(ctx context.Context, p FileParams) error {
	if err := c.checkFileField(ctx, p, "DeleteFile"); err != nil {
		return err
	}
	return c.postEmpty(ctx, fileForm("delete", p), write)
}

// ExportPDFParams selects the PDF: one instrument of one record, all
// instruments of a record, blank instruments (no Record), or AllRecords.
type ExportPDFParams struct {
	Record         string
	Event          string
	Instrument     string
	RepeatInstance int
	AllRecords     bool
	CompactDisplay bool
}

// ExportPDF downloads instruments as PDF (content=pdf).
func (c *Client) ExportPDF(ctx context.Context, p ExportPDFParams) (*FileDownload, error) {
	if p.AllRecords && p.Record != "" {
		return nil, errorf("ExportPDF: AllRecords and Record exclude each other")
	}
	f := newForm("pdf", "export")
	f.opt("record", p.Record)
	f.opt("event", p.Event)
	f.opt("instrument", p.Instrument)
	f.num("repeat_instance", p.RepeatInstance)
	f.flag("allRecords", p.AllRecords)
	f.flag("compactDisplay", p.CompactDisplay)
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	d := download(resp)
	return d, nil
}

// RepositoryItem is a file or folder of the File Repository; DocID is 0
// for a folder, FolderID 0 for a file.
type RepositoryItem struct {
	FolderID int
	DocID    int
	Name     string
}

// ListFileRepository lists a folder of the File Repository (0 = the top;
// content=fileRepository, action=list).
func (c *Client) ListFileRepository(ctx context.Context, folderID int) ([]RepositoryItem, error) {
	f := newForm("fileRepository", "list")
	f.num("folder_id", folderID)
	rows, err := c.getRows(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]RepositoryItem, len(rows))
	for i, r := range rows {
		out[i] = RepositoryItem{FolderID: r.int("folder_id"), DocID: r.int("doc_id"), Name: r.str("name")}
	}
	return out, nil
}

// ExportRepositoryFile downloads a File Repository file by doc id.
func (c *Client) ExportRepositoryFile(ctx context.Context, docID int) (*FileDownload, error) {
	if docID <= 0 {
		return nil, errorf("ExportRepositoryFile: doc id must be positive")
	}
	f := newForm("fileRepository", "export")
	f.set("doc_id", strconv.Itoa(docID))
	resp, err := c.send(ctx, f, read)
	if err != nil {
		return nil, err
	}
	return download(resp), nil
}

// ImportRepositoryFileParams uploads Content as Name into FolderID (0 = top).
type ImportRepositoryFileParams struct {
	FolderID int
	Name     string
	Content  io.Reader
}

// ImportRepositoryFile uploads a file into the File Repository (multipart).
func (c *Client) ImportRepositoryFile(ctx context.Context, p ImportRepositoryFileParams) error {
	if p.Name == "" || p.Content == nil {
		return errorf("ImportRepositoryFile: Name and Content are required")
	}
	f := newForm("fileRepository", "import")
	f.num("folder_id", p.FolderID)
	f.file = &fileUpload{name: p.Name, content: p.Content}
	return c.postEmpty(ctx, f, write)
}

// DeleteRepositoryFile deletes a File Repository file by doc id.
func (c *Client) DeleteRepositoryFile(ctx context.Context, docID int) error {
	if docID <= 0 {
		return errorf("DeleteRepositoryFile: doc id must be positive")
	}
	f := newForm("fileRepository", "delete")
	f.set("doc_id", strconv.Itoa(docID))
	return c.postEmpty(ctx, f, write)
}

// CreateFolderParams creates a File Repository folder named Name inside
// FolderID (0 = top), optionally limited to a DAG or a role.
type CreateFolderParams struct {
	Name     string
	FolderID int
	DAGID    int
	RoleID   int
}

// CreateRepositoryFolder creates a folder (content=fileRepository,
// action=createFolder) and returns its id.
func (c *Client) CreateRepositoryFolder(ctx context.Context, p CreateFolderParams) (int, error) {
	if p.Name == "" {
		return 0, errorf("CreateRepositoryFolder: Name is required")
	}
	f := newForm("fileRepository", "createFolder")
	f.set("name", p.Name)
	f.num("folder_id", p.FolderID)
	f.num("dag_id", p.DAGID)
	f.num("role_id", p.RoleID)
	f.set("format", "json")
	b, _, err := c.readAll(ctx, f, write)
	if err != nil {
		return 0, err
	}
	rows, err := decodeRows(b, f)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || rows[0].int("folder_id") <= 0 {
		return 0, &Error{Status: 200, Content: "fileRepository", Action: "createFolder", Err: ErrMalformed, Message: "expected the new folder_id", BodyPrefix: prefixOf(b)}
	}
	return rows[0].int("folder_id"), nil
}
