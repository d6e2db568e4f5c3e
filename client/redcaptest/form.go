package redcaptest

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// phpForm is a POST body decoded with PHP $_POST semantics: "k[i]=v" and
// "k[]=v" build arrays, a plain repeated "k=v" keeps only the last value,
// and a later plain value replaces an earlier array (and vice versa).
type phpForm struct {
	vals  map[string]*phpVal
	files map[string]*multipart.FileHeader
	count int // POST variables seen (each array element counts)
}

type phpVal struct {
	str   string
	isArr bool
	keys  []string // array keys in insertion order ("" never stored: k[] gets the next integer)
	arr   map[string]string
	next  int
}

func (f *phpForm) set(name, value string) {
	f.count++
	base, key, isArr := splitPHPName(name)
	v := f.vals[base]
	if !isArr {
		f.vals[base] = &phpVal{str: value}
		return
	}
	if v == nil || !v.isArr {
		v = &phpVal{isArr: true, arr: map[string]string{}}
		f.vals[base] = v
	}
	if key == "" {
		key = strconv.Itoa(v.next)
	}
	if n, err := strconv.Atoi(key); err == nil && n >= v.next {
		v.next = n + 1
	}
	if _, ok := v.arr[key]; !ok {
		v.keys = append(v.keys, key)
	}
	v.arr[key] = value
}

// splitPHPName splits "records[3]" into ("records", "3", true) and
// "records[]" into ("records", "", true); deeper levels are kept in the key.
func splitPHPName(name string) (base, key string, isArr bool) {
	i := strings.IndexByte(name, '[')
	if i <= 0 {
		return name, "", false
	}
	j := strings.IndexByte(name[i:], ']')
	if j < 0 {
		return name, "", false
	}
	return name[:i], name[i+1 : i+j], true
}

// parseForm reads the request body as PHP would fill $_POST and $_FILES.
func parseForm(r *http.Request) (*phpForm, error) {
	f := &phpForm{vals: map[string]*phpVal{}, files: map[string]*multipart.FileHeader{}}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return nil, fmt.Errorf("multipart body: %w", err)
		}
		names := make([]string, 0, len(r.MultipartForm.Value))
		for k := range r.MultipartForm.Value {
			names = append(names, k)
		}
		sort.Slice(names, func(i, j int) bool { return phpNameLess(names[i], names[j]) })
		for _, k := range names {
			for _, v := range r.MultipartForm.Value[k] {
				f.set(k, v)
			}
		}
		for k, fh := range r.MultipartForm.File {
			if len(fh) > 0 {
				f.files[k] = fh[len(fh)-1]
			}
		}
		return f, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<30))
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	s := string(body)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if k, err = url.QueryUnescape(k); err != nil {
			continue // PHP drops what it cannot decode
		}
		if v, err = url.QueryUnescape(v); err != nil {
			continue
		}
		f.set(k, v)
	}
	return f, nil
}

// phpNameLess orders multipart names so that k[2] precedes k[10].
func phpNameLess(a, b string) bool {
	ab, ak, aa := splitPHPName(a)
	bb, bk, ba := splitPHPName(b)
	if ab != bb || !aa || !ba {
		return a < b
	}
	return CompareIDs(ak, bk) < 0
}

// Str returns a plain value ("" when absent or an array).
func (f *phpForm) Str(name string) string {
	if v := f.vals[name]; v != nil && !v.isArr {
		return v.str
	}
	return ""
}

// Has reports whether name was sent (plain or array).
func (f *phpForm) Has(name string) bool { return f.vals[name] != nil }

// Array returns an array parameter's values in order and whether it was an array.
func (f *phpForm) Array(name string) ([]string, bool) {
	v := f.vals[name]
	if v == nil || !v.isArr {
		return nil, false
	}
	out := make([]string, len(v.keys))
	for i, k := range v.keys {
		out[i] = v.arr[k]
	}
	return out, true
}

// List returns an array parameter, or a plain one split on commas; items
// are trimmed and empty ones dropped.
func (f *phpForm) List(name string) []string {
	var raw []string
	if a, ok := f.Array(name); ok {
		raw = a
	} else if s := f.Str(name); s != "" {
		raw = strings.Split(s, ",")
	}
	out := raw[:0:0]
	for _, x := range raw {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
