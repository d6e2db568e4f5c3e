package client_test

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// router is a fake REDCap that answers by content[/action] and records
// every request's form (multipart included).
type router struct {
	mu      sync.Mutex
	answers map[string]string // "content" or "content/action" → body
	forms   []url.Values
	files   []string // uploaded file contents
}

func newRouter(t *testing.T, answers map[string]string) (*router, string) {
	rt := &router{answers: answers}
	fs := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		v := url.Values{}
		var file string
		if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(p)
				if p.FormName() == "file" {
					file = p.FileName() + ":" + string(b)
				} else {
					v.Add(p.FormName(), string(b))
				}
			}
		} else {
			b, _ := io.ReadAll(r.Body)
			v, _ = url.ParseQuery(string(b))
		}
		rt.mu.Lock()
		rt.forms = append(rt.forms, v)
		if file != "" {
			rt.files = append(rt.files, file)
		}
		rt.mu.Unlock()
		key := v.Get("content")
		body, ok := rt.answers[key+"/"+v.Get("action")]
		if !ok {
			body, ok = rt.answers[key]
		}
		if !ok {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"The value of the parameter \"content\" is not valid"}`)
			return
		}
		if strings.HasPrefix(body, "%PDF") {
			w.Header().Set("Content-Type", `application/pdf; name="x.pdf"`)
		}
		io.WriteString(w, body)
	})
	return rt, fs.URL
}

func (rt *router) contents() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var out []string
	for _, f := range rt.forms {
		out = append(out, f.Get("content"))
	}
	return out
}
