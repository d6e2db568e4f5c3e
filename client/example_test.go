package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
)

// Stream a filtered export row by row; the demo server stands in for REDCap.
func ExampleClient_ExportRecordsStream() {
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, redcaptest.Demo(redcaptest.DemoOptions{Records: 10, Seed: 1}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := client.New(srv.URL, srv.Token("rq demo study"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	rs, err := c.ExportRecordsStream(ctx, client.ExportRecordsParams{
		Records: []string{"1", "2"},
		Fields:  []string{"record_id", "sex"},
		Events:  []string{"enrollment_arm_1", "enrollment_arm_2"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer rs.Close()
	fmt.Println(rs.Columns())
	n := 0
	for rs.Next() {
		n++
	}
	if err := rs.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "rows")
	// Output:
	// [record_id redcap_event_name redcap_repeat_instrument redcap_repeat_instance sex]
	// 2 rows
}

// Errors carry REDCap's status and message; errors.Is tells what to do.
func ExampleError() {
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, redcaptest.Demo(redcaptest.DemoOptions{Records: 10}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, _ := client.New(srv.URL, srv.Token("rq demo study"))
	_, err = c.ExportRecords(context.Background(), client.ExportRecordsParams{Fields: []string{"nosuch"}})
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, errors.Is(err, client.ErrTooLarge))
	}
	// Output: 400 false
}

// Tokens print redacted, whatever the verb.
func ExampleToken() {
	tok, err := client.ParseToken("0123456789ABCDEF0123456789ABCDEF")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v %s %q %#v\n", tok, tok, tok, tok)
	// Output: [token ****CDEF] [token ****CDEF] "[token ****CDEF]" client.Token[token ****CDEF]
}
