package redcaptest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

func init() { faultsMiddleware = newFaultInjector }

// truncateBuffer is how much of a body the truncating writer holds back to
// pick a cut point inside the whole body; longer bodies are cut after it.
const truncateBuffer = 1 << 20

// msgBanned is the rate limiter's plain-text 429 answer.
const msgBanned = "Your IP address (%s) has been banned due to suspected abuse. Please contact your REDCap administrator."

// checkCells is what the record export calls before writing an export of
// that many cells: with Faults.MaxCells set and exceeded, it returns
// REDCap's out-of-memory 500.
func (f Faults) checkCells(cells int) error {
	if f.MaxCells > 0 && cells > f.MaxCells {
		return &APIError{Status: http.StatusInternalServerError, Msg: msgOutOfMemory}
	}
	return nil
}

// faultInjector is the http.Handler middleware behind Faults: rate-limit
// bans, latency, proxy failures, HTML error pages and truncated bodies.
// Random draws come from one seeded source under a mutex, so a given
// sequence of requests meets the same faults for the same Seed.
type faultInjector struct {
	next http.Handler
	f    Faults

	sleep func(r *http.Request, d time.Duration) // injectable for tests
	now   func() time.Time

	mu     sync.Mutex
	rng    *rand.Rand
	hits   map[string][]time.Time // per client IP, hits in the last minute
	banned map[string]bool        // banned for the server's lifetime
}

func newFaultInjector(h http.Handler, f Faults) http.Handler {
	if f == (Faults{MaxCells: f.MaxCells, MaxInputVars: f.MaxInputVars}) {
		return h // only limits enforced elsewhere: no middleware
	}
	return newInjector(h, f)
}

func newInjector(h http.Handler, f Faults) *faultInjector {
	seed := uint64(f.Seed)
	if f.Seed == 0 {
		seed = rand.Uint64()
	}
	return &faultInjector{
		next:   h,
		f:      f,
		sleep:  sleepCtx,
		now:    time.Now,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		hits:   map[string][]time.Time{},
		banned: map[string]bool{},
	}
}

// sleepCtx waits d or until the client goes away.
func sleepCtx(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// decision is the faults one request meets, drawn together under the lock.
type decision struct {
	banned   bool
	fail     int     // 502/503/504, 0 for none
	html     bool    // 200 with an HTML error page
	truncate bool    // cut the body
	cut      float64 // where, as a share of the body (0,1)
	extra    int     // bytes past truncateBuffer for long bodies
}

func (fi *faultInjector) decide(ip string) decision {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	var d decision
	if fi.f.RateLimitPerMinute > 0 {
		if fi.banned[ip] {
			return decision{banned: true}
		}
		now := fi.now()
		hits := fi.hits[ip]
		k := 0
		for k < len(hits) && now.Sub(hits[k]) >= time.Minute {
			k++
		}
		hits = append(hits[k:], now)
		fi.hits[ip] = hits
		if len(hits) > fi.f.RateLimitPerMinute {
			fi.banned[ip] = true
			delete(fi.hits, ip)
			return decision{banned: true}
		}
	}
	// Always draw the same number of values so one request's faults do not
	// shift the next request's.
	pFail, pHTML, pTrunc := fi.rng.Float64(), fi.rng.Float64(), fi.rng.Float64()
	code, cut, extra := fi.rng.IntN(3), fi.rng.Float64(), fi.rng.IntN(truncateBuffer)
	switch {
	case pFail < fi.f.FailRate:
		d.fail = []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}[code]
	case pHTML < fi.f.HTMLErrorRate:
		d.html = true
	case pTrunc < fi.f.TruncateRate:
		d.truncate, d.cut, d.extra = true, cut, extra
	}
	return d
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (fi *faultInjector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	d := fi.decide(ip)
	if d.banned {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, msgBanned, ip)
		return
	}
	if fi.f.Latency > 0 {
		fi.sleep(r, fi.f.Latency)
	}
	switch {
	case d.fail != 0:
		text := strconv.Itoa(d.fail) + " " + http.StatusText(d.fail)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(d.fail)
		fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
	case d.html:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, htmlFatalPage)
	case d.truncate:
		tw := &truncWriter{w: w, cut: d.cut, extra: d.extra, atLine: fi.f.TruncateAtLineEnd}
		fi.next.ServeHTTP(tw, r)
		tw.finish()
	default:
		fi.next.ServeHTTP(w, r)
	}
}

const htmlFatalPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>REDCap</title></head>
<body><div class="red" style="margin:20px;">
<b>REDCap crashed due to an unexpected PHP fatal error!</b><br><br>
<b>Error message:</b> Uncaught Error in /var/www/redcap/redcap_v15.7.6/Classes/Records.php:1
</div></body></html>
`

var errTruncated = errors.New("redcaptest: body truncated by fault injection")

// truncWriter cuts a successful body off: it holds back up to
// truncateBuffer bytes and, when the body fits, keeps only a random share
// of it; a longer body is cut at a random point past the buffer. The HTTP
// framing stays valid (Content-Length matches what is sent), as when PHP's
// output is cut short, so only the content shows the damage. Error answers
// and empty bodies pass untouched.
type truncWriter struct {
	w      http.ResponseWriter
	cut    float64
	extra  int
	status int
	buf    []byte
	stream bool // past the buffer, writing through
	left   int  // streaming: bytes still allowed
	done   bool // cut reached: further writes fail
	atLine bool // move the cut back to just after a newline
}

// lineCut moves a cut at n back to just after the last newline before it
// (0 when there is none: an empty body, which is also a whole-looking one).
func lineCut(b []byte, n int) int {
	return bytes.LastIndexByte(b[:n], '\n') + 1
}

func (t *truncWriter) Header() http.Header { return t.w.Header() }

func (t *truncWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}

func (t *truncWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	if t.status != http.StatusOK {
		if !t.stream {
			t.stream, t.left = true, -1
			t.w.WriteHeader(t.status)
		}
		return t.w.Write(p)
	}
	if t.done {
		return 0, errTruncated
	}
	if !t.stream {
		if len(t.buf)+len(p) <= truncateBuffer {
			t.buf = append(t.buf, p...)
			return len(p), nil
		}
		t.stream, t.left = true, t.extra+1
		t.w.Header().Del("Content-Length")
		t.w.WriteHeader(t.status)
		if _, err := t.w.Write(t.buf); err != nil {
			return 0, err
		}
		t.buf = nil
	}
	if t.left >= 0 && len(p) >= t.left {
		keep := t.left
		if t.atLine {
			keep = lineCut(p, keep)
		}
		n, err := t.w.Write(p[:keep])
		t.done = true
		if err != nil {
			return n, err
		}
		return n, errTruncated
	}
	if t.left >= 0 {
		t.left -= len(p)
	}
	return t.w.Write(p)
}

// Flush holds back while buffering; afterwards it passes through.
func (t *truncWriter) Flush() {
	if t.stream {
		if f, ok := t.w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// finish sends a buffered body, cut strictly inside (1..n-1 bytes).
func (t *truncWriter) finish() {
	if t.stream {
		return
	}
	if t.status == 0 {
		t.status = http.StatusOK
	}
	body := t.buf
	if t.status == http.StatusOK && len(body) > 1 {
		n := 1 + int(t.cut*float64(len(body)-1))
		if n >= len(body) {
			n = len(body) - 1
		}
		if t.atLine {
			n = lineCut(body, n)
		}
		body = body[:n]
	}
	t.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	t.w.WriteHeader(t.status)
	t.w.Write(body)
}
