package rq_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/redcapql/rq"
	"github.com/redcapql/rq/client"
	"github.com/redcapql/rq/client/redcaptest"
	"github.com/redcapql/rq/lang"
)

// startDemo serves the demo project on a loopback port.
func startDemo(records int) *redcaptest.Server {
	demo := redcaptest.Demo(redcaptest.DemoOptions{Records: records, Seed: 1})
	srv, err := redcaptest.Start("127.0.0.1:0", redcaptest.Options{}, demo)
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

func ExampleOpen() {
	srv := startDemo(20)
	defer srv.Close()

	// The token is a project's API token; the embedded server made one.
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"),
		rq.WithConcurrency(2),
		rq.WithClientOptions(client.WithRateLimit(50)), // a loopback server; keep REDCap's limits in mind
	)
	if err != nil {
		log.Fatal(err)
	}
	rows, err := p.Query(context.Background(), "select count(*) from records where form = 'baseline'", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		fmt.Println(rows.Columns()[0], "=", rows.Value(0))
	}
	// Output:
	// count(*) = 20
}

func ExampleProject_Query() {
	srv := startDemo(20)
	defer srv.Close()
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"), rq.WithClientOptions(client.WithRateLimit(0)))
	if err != nil {
		log.Fatal(err)
	}

	rows, err := p.Query(context.Background(),
		"select record, age, score from records where score > $min and form = 'baseline' order by score desc limit 3",
		map[string]string{"min": "5"})
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	fmt.Println(rows.Columns())
	for rows.Next() {
		age := rows.Value(1) // a client.Value: null when blank, missing or invalid
		if age.IsNull() {
			fmt.Println(rows.Value(0), "age unknown", rows.Value(2))
			continue
		}
		fmt.Println(rows.Value(0), age.Num, rows.Value(2).Num)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [record age score]
	// 6 age unknown 9.7
	// 12 66 9.6
	// 13 23 8.7
}

func ExampleProject_Filter() {
	srv := startDemo(20)
	defer srv.Close()
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"), rq.WithClientOptions(client.WithRateLimit(0)))
	if err != nil {
		log.Fatal(err)
	}

	// PyCap's Project.filter: the records with a matching row...
	ids, err := p.Filter(context.Background(), lang.Field("score").Gt(8).And(lang.Field("age").Lt(60)))
	if err != nil {
		log.Fatal(err)
	}
	var list []string
	for ids.Next() {
		list = append(list, ids.Value(0).String())
	}
	ids.Close()
	fmt.Println(list)

	// ...or their rows, with the record id first.
	rows, err := p.Filter(context.Background(), "sex = 1 and smoker = true", "sex", "sbp")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	fmt.Println(rows.Columns())
	n := 0
	for rows.Next() {
		n++
	}
	fmt.Println(n, "rows")
	// Output:
	// [13 16]
	// [record_id sex sbp]
	// 13 rows
}

func ExampleProject_Explain() {
	srv := startDemo(20)
	defer srv.Close()
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"), rq.WithClientOptions(client.WithRateLimit(0)))
	if err != nil {
		log.Fatal(err)
	}
	ex, err := p.Explain(context.Background(), "select age, score from records where score > 5 and form = 'baseline'", nil, false)
	if err != nil {
		log.Fatal(err)
	}
	// ex.Text is the plan for people; ex.JSON the same for programs.
	var plan struct {
		Calls []struct {
			Step   string `json:"step"`
			Params struct {
				Forms       []string `json:"forms"`
				FilterLogic string   `json:"filterLogic"`
			} `json:"params"`
		} `json:"calls"`
		Conjuncts []struct{ Source, Class string } `json:"conjuncts"`
	}
	if err := json.Unmarshal(ex.JSON, &plan); err != nil {
		log.Fatal(err)
	}
	for _, call := range plan.Calls { // the record ids with the filter, then those records in batches
		fmt.Printf("%s: forms %v, filterLogic %q\n", call.Step, call.Params.Forms, call.Params.FilterLogic)
	}
	for _, c := range plan.Conjuncts {
		fmt.Printf("%s: %s\n", c.Class, c.Source)
	}
	// Output:
	// ids: forms [], filterLogic "[score] > 5"
	// batches: forms [baseline], filterLogic ""
	// inexact: score > 5
	// inexact: form = 'baseline'
}

func ExampleProject_Exec() {
	srv := startDemo(20)
	defer srv.Close()
	p, err := rq.Open(srv.URL, srv.Token("rq demo study"), rq.WithClientOptions(client.WithRateLimit(0)))
	if err != nil {
		log.Fatal(err)
	}
	src := `param $site comment 'nyc, bos or chi';
param $min_age = 18;
select count(*) as n from records where site = $site;
select record, age from records where form = 'baseline' and age >= $min_age order by age desc limit 2;
`
	ctx := context.Background()
	show := func(stmt *lang.Select, rows *rq.Rows) error {
		fmt.Println(rows.Columns())
		for rows.Next() {
			fmt.Println(rows.Strings())
		}
		return nil
	}
	// A misspelt parameter name is caught before any request.
	err = p.Exec(ctx, "report.rq", src, map[string]string{"site": "nyc", "min_agee": "60"}, show)
	fmt.Print(lang.Render(err, src))
	// So is a used parameter that has no value, at its first use.
	err = p.Exec(ctx, "report.rq", src, nil, show)
	fmt.Print(lang.Render(err, src))

	if err := p.Exec(ctx, "report.rq", src, map[string]string{"site": "nyc", "min_age": "60"}, show); err != nil {
		log.Fatal(lang.Render(err, src))
	}
	// Output:
	// report.rq: parameter $min_agee is given but no statement uses it
	// hint: did you mean $min_age?
	// report.rq:3:48: parameter $site has no value
	//     select count(*) as n from records where site = $site;
	//                                                    ^
	// hint: it is declared without a default at report.rq:1:1; give it with -p site=value
	// [n]
	// [7]
	// [record age]
	// [19 90]
	// [11 78]
}
