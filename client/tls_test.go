package client_test

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redcapql/rq/client"
)

func TestTLSVerification(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "15.7.6")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Verification is on by default: the test server's certificate is unknown,
	// and the failure is not retried (it would fail the same way).
	c := newClient(t, srv.URL)
	_, err := c.ExportVersion(ctx)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("unverified server: err = %v", err)
	}
	asError(t, err)

	for name, opt := range map[string]client.Option{
		"WithCABundle":           client.WithCABundle(ca),
		"WithInsecureSkipVerify": client.WithInsecureSkipVerify(),
	} {
		v, err := newClient(t, srv.URL, opt).ExportVersion(ctx)
		if err != nil || v != "15.7.6" {
			t.Errorf("%s: %q, %v", name, v, err)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests, want 2 (a bad certificate never reaches the handler)", hits.Load())
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(empty, []byte("not a certificate"), 0o600)
	if _, err := client.New(srv.URL+"/api/", testToken, client.WithCABundle(empty)); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("empty bundle: %v", err)
	}
	if _, err := client.New(srv.URL+"/api/", testToken, client.WithHTTPClient(srv.Client()), client.WithInsecureSkipVerify()); err == nil {
		t.Error("WithHTTPClient with a TLS option accepted")
	}
	v, err := newClient(t, srv.URL, client.WithHTTPClient(srv.Client())).ExportVersion(ctx)
	if err != nil || v != "15.7.6" {
		t.Errorf("WithHTTPClient: %q %v", v, err)
	}
}
