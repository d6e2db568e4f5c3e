// Command rq queries REDCap projects with a small query language.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "rq: not built yet")
	os.Exit(2)
}
