package redcaptest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/redcapql/rq/client/redcaptest"
)

// Start serves the demo project on a free loopback port; any REDCap client
// can then talk to srv.URL with the project's token.
func ExampleStart() {
	demo := redcaptest.Demo(redcaptest.DemoOptions{Records: 10, Seed: 1})
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, demo)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	resp, err := http.PostForm(srv.URL, url.Values{
		"token": {srv.Token(demo.Name)}, "content": {"record"}, "format": {"csv"},
		"fields": {"record_id,age"}, "events": {"enrollment_arm_1"}, "records": {"1"},
	})
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	header, _, _ := strings.Cut(string(body), "\n")
	fmt.Println(strings.HasSuffix(srv.URL, "/api/"), resp.StatusCode)
	fmt.Println(header)
	// Output:
	// true 200
	// record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,age
}
