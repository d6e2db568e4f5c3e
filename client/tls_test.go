package client_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// tlsDemo serves the demo project over HTTPS on loopback with a
// self-signed certificate (httptest's), in front of the emulator. It
// returns the https API URL, the token and the server.
func tlsDemo(t *testing.T) (string, string, *httptest.Server) {
	t.Helper()
	srv := redcaptest.NewServer(t, redcaptest.Demo(redcaptest.DemoOptions{Records: 10, Seed: 1}))
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host}))
	t.Cleanup(ts.Close)
	return ts.URL + u.Path, srv.Token("rq demo study"), ts
}

// writePEM writes the certificate of ts to a temporary CA bundle.
func writePEM(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var noRetry = client.WithRetry(client.RetryPolicy{MaxAttempts: 1})

func TestTLSVerification(t *testing.T) {
	apiURL, token, ts := tlsDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("self-signed server fails without a CA bundle", func(t *testing.T) {
		c, err := client.New(apiURL, token)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ExportVersion(ctx)
		var ce *client.Error
		if !errors.As(err, &ce) {
			t.Fatalf("err = %v, want a *client.Error", err)
		}
		if !strings.Contains(err.Error(), "certificate") {
			t.Errorf("the error does not say the certificate failed: %v", err)
		}
		t.Logf("without a CA bundle: %v", err)
		if strings.Contains(err.Error(), token) {
			t.Errorf("the error holds the token: %v", err)
		}
	})

	t.Run("passes with the server's certificate as CA bundle", func(t *testing.T) {
		c, err := client.New(apiURL, token, client.WithCABundle(writePEM(t, ts)))
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.ExportVersion(ctx)
		if err != nil || v == "" {
			t.Fatalf("version over TLS with the CA bundle: %q, %v", v, err)
		}
		recs, err := c.ExportRecords(ctx, client.ExportRecordsParams{Fields: []string{"record_id"}})
		if err != nil || len(recs.Rows) == 0 {
			t.Fatalf("records over TLS: %v", err)
		}
	})

	t.Run("another authority's bundle fails", func(t *testing.T) {
		// httptest's servers all share one certificate: make another.
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "other test CA"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "other.pem")
		os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
		c, err := client.New(apiURL, token, client.WithCABundle(path), noRetry)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExportVersion(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err = %v, want a certificate error", err)
		}
	})

	t.Run("unreadable bundles are refused at New", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "empty.pem")
		os.WriteFile(empty, []byte("not a certificate\n"), 0o600)
		for _, path := range []string{empty, filepath.Join(t.TempDir(), "missing.pem")} {
			if _, err := client.New(apiURL, token, client.WithCABundle(path)); err == nil {
				t.Errorf("WithCABundle(%s) accepted", filepath.Base(path))
			}
		}
	})

	t.Run("insecure works and warns", func(t *testing.T) {
		var logs bytes.Buffer
		c, err := client.New(apiURL, token, client.WithInsecureSkipVerify(),
			client.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExportVersion(ctx); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "verification is OFF") {
			t.Errorf("no warning logged for WithInsecureSkipVerify:\n%s", logs.String())
		}
		if strings.Contains(logs.String(), token) {
			t.Errorf("the log holds the token:\n%s", logs.String())
		}
	})
}
