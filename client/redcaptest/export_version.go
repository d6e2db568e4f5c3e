package redcaptest

// Version is the REDCap version the server reports.
const Version = "15.7.6"

func init() {
	registerSuper("version", "export", func(c *call) error {
		return c.writeText("text/html; charset=utf-8", Version)
	})
}
