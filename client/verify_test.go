package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// odmStamp is the export time in ODM bodies, which differs between runs.
var odmStamp = regexp.MustCompile(`(AsOf|Creation)DateTime="[^"]*"|_\d{4}-\d\d-\d\d_\d{4}"`)

// buf is a client.Rewinder in memory.
type buf struct{ bytes.Buffer }

func (b *buf) Rewind() error { b.Reset(); return nil }

// TestVerifyingReader: every cut of a complete body fails, the whole body
// passes, in each checked format.
func TestVerifyingReader(t *testing.T) {
	for _, tc := range []struct{ format, body string }{
		{"json", `[{"a":"x]}\"y"},{"a":"2"}]`},
		{"xml", `<?xml version="1.0" encoding="UTF-8" ?><records><item><a><![CDATA[1]]></a></item></records>`},
		{"odm", `<?xml version="1.0"?><ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><Study OID="x"></Study></ODM>`},
	} {
		read := func(s string) error {
			_, err := io.ReadAll(client.NewVerifyingReader(strings.NewReader(s), tc.format, ""))
			return err
		}
		if err := read(tc.body); err != nil {
			t.Errorf("%s: whole body: %v", tc.format, err)
		}
		for n := 0; n < len(tc.body); n++ {
			if err := read(tc.body[:n]); !errors.Is(err, client.ErrTruncated) {
				t.Errorf("%s: body cut at %d/%d passed: %v", tc.format, n, len(tc.body), err)
			}
		}
	}
	// CSV: a cut inside a quoted value is caught by the reader alone;
	// row-end cuts need the record accounting (TestExportVerified).
	if _, err := io.ReadAll(client.NewVerifyingReader(strings.NewReader("a,b\n1,\"x\ny"), "csv", "")); !errors.Is(err, client.ErrTruncated) {
		t.Errorf("csv cut inside quotes: %v", err)
	}
	if _, err := io.ReadAll(client.NewVerifyingReader(strings.NewReader(`<a></a><b/>`), "xml", "")); !errors.Is(err, client.ErrTruncated) {
		t.Errorf("two roots passed: %v", err)
	}
}

// TestExportVerified: under truncation at row ends (a CSV that parses),
// mid-row and in every format, each export equals the fault-free body or
// fails with ErrTruncated; with every body cut, it always fails.
func TestExportVerified(t *testing.T) {
	ctx := context.Background()
	clean := faulty(t, redcaptest.Faults{})
	type export func(c *client.Client) (string, error)
	raw := func(p client.ExportRecordsParams) export {
		return func(c *client.Client) (string, error) {
			var b buf
			err := c.ExportRecordsRawTo(ctx, p, &b)
			return odmStamp.ReplaceAllString(b.String(), ""), err
		}
	}
	decoded := func(p client.ExportRecordsParams) export {
		return func(c *client.Client) (string, error) {
			r, err := c.ExportRecordsChecked(ctx, p)
			if err != nil {
				return "", err
			}
			var sb strings.Builder
			for _, row := range r.Rows {
				sb.WriteString(strings.Join(row, "\x1f") + "\n")
			}
			return strings.Join(r.Columns, ",") + "\n" + sb.String(), nil
		}
	}
	xmlExport := func(c *client.Client) (string, error) {
		var b buf
		err := c.ExportProjectXMLTo(ctx, client.ExportProjectXMLParams{}, &b)
		return odmStamp.ReplaceAllString(b.String(), ""), err
	}
	cases := map[string]export{
		"raw csv":          raw(client.ExportRecordsParams{Format: "csv"}),
		"raw csv eav":      raw(client.ExportRecordsParams{Format: "csv", Type: "eav"}),
		"raw csv fields":   raw(client.ExportRecordsParams{Format: "csv", Fields: []string{"record_id", "age"}}),
		"raw json":         raw(client.ExportRecordsParams{Format: "json"}),
		"raw xml":          raw(client.ExportRecordsParams{Format: "xml"}),
		"raw odm":          raw(client.ExportRecordsParams{Format: "odm"}),
		"decoded csv":      decoded(client.ExportRecordsParams{}),
		"decoded csv eav":  decoded(client.ExportRecordsParams{Type: "eav"}),
		"decoded json":     decoded(client.ExportRecordsParams{Format: "json"}),
		"decoded filtered": decoded(client.ExportRecordsParams{FilterLogic: "[age] > 40"}),
		"project xml":      xmlExport,
	}
	for name, ex := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := ex(clean)
			if err != nil || len(want) < 100 {
				t.Fatalf("fault-free: %d bytes, %v", len(want), err)
			}
			for _, atLine := range []bool{false, true} {
				// every body cut: never a success
				c := faulty(t, redcaptest.Faults{TruncateRate: 1, TruncateAtLineEnd: atLine, Seed: 1})
				if got, err := ex(c); !errors.Is(err, client.ErrTruncated) {
					t.Errorf("atLine=%v, every body cut: err = %v, %d bytes (want %d)", atLine, err, len(got), len(want))
				}
				same, loud := 0, 0
				for seed := int64(1); seed <= 8; seed++ {
					c := faulty(t, redcaptest.Faults{TruncateRate: 0.3, TruncateAtLineEnd: atLine, Seed: seed})
					got, err := ex(c)
					switch {
					case err != nil && errors.Is(err, client.ErrTruncated):
						loud++
					case err != nil:
						t.Errorf("seed %d: unexpected error %v", seed, err)
					case got != want:
						t.Errorf("atLine=%v seed %d: SILENT: %d bytes, want %d", atLine, seed, len(got), len(want))
					default:
						same++
					}
				}
				t.Logf("atLine=%v: %d identical, %d loud", atLine, same, loud)
			}
		})
	}
}
