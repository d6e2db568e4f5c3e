package client

import (
	"io"
	"net/url"
	"strconv"
	"strings"
)

// form is an ordered POST body. REDCap reads it with PHP's $_POST, so
// arrays must be sent as key[0]=a&key[1]=b: a repeated key keeps only its
// last value, silently.
type form struct {
	keys, vals []string
	file       *fileUpload // set for multipart uploads
}

// fileUpload is the part named "file" of a multipart request.
type fileUpload struct {
	name    string
	content io.Reader
	data    []byte // content, once read
}

func newForm(content, action string) *form {
	f := &form{}
	f.set("content", content)
	if action != "" {
		f.set("action", action)
	}
	return f
}

func (f *form) get(k string) string {
	for i, key := range f.keys {
		if key == k {
			return f.vals[i]
		}
	}
	return ""
}

// set adds k=v, replacing an earlier value of k.
func (f *form) set(k, v string) {
	for i, key := range f.keys {
		if key == k {
			f.vals[i] = v
			return
		}
	}
	f.keys = append(f.keys, k)
	f.vals = append(f.vals, v)
}

// opt adds k=v when v is not empty.
func (f *form) opt(k, v string) {
	if v != "" {
		f.set(k, v)
	}
}

// flag adds k=true when b is set; REDCap's default for every such flag is false.
func (f *form) flag(k string, b bool) {
	if b {
		f.set(k, "true")
	}
}

// num adds k=n when n is positive.
func (f *form) num(k string, n int) {
	if n > 0 {
		f.set(k, strconv.Itoa(n))
	}
}

// array adds key[0]=v0, key[1]=v1, ...
func (f *form) array(k string, vs []string) {
	for i, v := range vs {
		f.keys = append(f.keys, k+"["+strconv.Itoa(i)+"]")
		f.vals = append(f.vals, v)
	}
}

// encode returns the url-encoded body, with the token and returnFormat=json
// added (the token is placed here and nowhere else).
func (f *form) encode(t Token) string {
	var b strings.Builder
	write := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	write("token", t.value())
	for i, k := range f.keys {
		write(k, f.vals[i])
	}
	write("returnFormat", "json")
	return b.String()
}

// fields lists the pairs to send, token and returnFormat included.
func (f *form) fields(t Token) ([]string, []string) {
	keys := append([]string{"token"}, f.keys...)
	vals := append([]string{t.value()}, f.vals...)
	return append(keys, "returnFormat"), append(vals, "json")
}

// plainLogKeys are parameters whose values say nothing about patients and
// are shown as they are in debug logs; every other value is shown only by
// its size, since record ids, field values and filter logic can be PHI.
var plainLogKeys = map[string]bool{
	"content": true, "action": true, "format": true, "type": true,
	"rawOrLabel": true, "rawOrLabelHeaders": true, "exportCheckboxLabel": true,
	"exportDataAccessGroups": true, "exportSurveyFields": true,
	"exportBlankForGrayFormStatus": true, "combineCheckboxOptions": true,
	"returnContent": true, "overwriteBehavior": true, "forceAutoNumber": true,
	"dateFormat": true, "csvDelimiter": true, "decimalCharacter": true,
	"returnMetadataOnly": true, "exportFiles": true, "logtype": true,
}

// logSummary describes the request for a debug log: plain parameters with
// their values, others by size, arrays by count. It never holds the token.
func (f *form) logSummary() string {
	var b strings.Builder
	counts := map[string]int{}
	var order []string
	for i, k := range f.keys {
		if j := strings.IndexByte(k, '['); j > 0 {
			base := k[:j]
			if counts[base] == 0 {
				order = append(order, base)
			}
			counts[base]++
			continue
		}
		if k == "content" || k == "action" {
			continue // logged as their own attributes
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if plainLogKeys[k] {
			b.WriteString(k + "=" + f.vals[i])
		} else {
			b.WriteString(k + "(" + strconv.Itoa(len(f.vals[i])) + " bytes)")
		}
	}
	for _, base := range order {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(base + "[" + strconv.Itoa(counts[base]) + " items]")
	}
	if f.file != nil {
		b.WriteString(" file(upload)")
	}
	return b.String()
}
