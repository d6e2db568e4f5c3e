package redcaptest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// content=log: the change log written by the import, delete, file and
// design handlers, newest first, as timestamp, username, action, details,
// record.

func init() {
	register("log", "export", handleLogExport)
}

// logTypes maps the logtype parameter to the kinds of entries it selects.
var logTypes = map[string][]LogKind{
	"export":        {LogExport},
	"manage":        {LogManage},
	"user":          {LogUser},
	"record":        {LogRecordCreate, LogRecordUpdate, LogRecordDelete, LogFileUpload, LogFileDelete},
	"record_add":    {LogRecordCreate},
	"record_edit":   {LogRecordUpdate, LogFileUpload, LogFileDelete},
	"record_delete": {LogRecordDelete},
	"lock_record":   {LogLockRecord},
	"page_view":     {LogPageView},
}

// parseLogTime reads beginTime/endTime: "YYYY-MM-DD HH:MM" (seconds, a bare
// date and "24:00" accepted), in server local time.
func parseLogTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	day := 0
	if d, ok := strings.CutSuffix(s, " 24:00"); ok {
		s, day = d+" 00:00", 1
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t.AddDate(0, 0, day), true
		}
	}
	return time.Time{}, false
}

func handleLogExport(c *call) error {
	if !mRight(c, "logging") {
		return errorf(http.StatusForbidden, "You do not have Logging privileges")
	}
	var kinds []LogKind
	if lt := strings.TrimSpace(c.Param("logtype")); lt != "" {
		k, ok := logTypes[lt]
		if !ok {
			return errorf(http.StatusBadRequest, "The value of the parameter \"logtype\" is not valid")
		}
		kinds = k
	}
	var begin, end time.Time
	if s := c.Param("beginTime"); strings.TrimSpace(s) != "" {
		t, ok := parseLogTime(s)
		if !ok {
			return errorf(http.StatusBadRequest, "The beginTime '%s' is not a valid date and time (YYYY-MM-DD HH:MM)", s)
		}
		begin = t
	}
	if s := c.Param("endTime"); strings.TrimSpace(s) != "" {
		t, ok := parseLogTime(s)
		if !ok {
			return errorf(http.StatusBadRequest, "The endTime '%s' is not a valid date and time (YYYY-MM-DD HH:MM)", s)
		}
		end = t.Add(59 * time.Second) // the whole final minute
	}
	user := strings.TrimSpace(c.Param("user"))
	record := strings.TrimSpace(c.Param("record"))
	dag := strings.TrimSpace(c.Param("dag"))
	p := c.Project
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if c.DAG() != "" {
		dag = c.DAG() // users in a DAG see only their group's records
	}
	if dag != "" && p.DAGByUnique(dag) == nil {
		return errorf(http.StatusBadRequest, "The Data Access Group '%s' does not exist in this project", dag)
	}
	var rows [][]string
	for i := len(p.Log) - 1; i >= 0; i-- {
		e := p.Log[i]
		switch {
		case kinds != nil && !slices.Contains(kinds, e.Kind):
			continue
		case user != "" && e.User != user:
			continue
		case record != "" && e.Record != record:
			continue
		case !begin.IsZero() && e.Time.Before(begin):
			continue
		case !end.IsZero() && e.Time.After(end):
			continue
		}
		if dag != "" {
			rec, ok := p.Records.Get(e.Record)
			if e.Record == "" || !ok || rec.DAG != dag {
				continue
			}
		}
		action := e.Action
		if action == "" {
			action = "Manage/Design"
		}
		rows = append(rows, []string{e.Time.Local().Format("2006-01-02 15:04"), e.User, action, e.Details, e.Record})
	}
	err := mTable(c, []string{"timestamp", "username", "action", "details", "record"}, rows, true)
	logDesign(c, "Export Logging (API)")
	return err
}
