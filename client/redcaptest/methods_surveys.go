package redcaptest

import (
	"crypto/sha1"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Survey methods. Links and codes are deterministic fakes under the
// server's own URL (…/surveys/?s=CODE), derived from the project, record,
// instrument, event and instance, so tests can compare them.

func init() {
	register("surveyLink", "export", surveyCodeHandler("link", 10, true))
	register("surveyQueueLink", "export", handleSurveyQueueLink)
	register("surveyReturnCode", "export", surveyCodeHandler("return", 8, false))
	register("surveyAccessCode", "export", surveyCodeHandler("access", 9, false))
	register("participantList", "export", handleParticipantList)
}

// surveyCode is n upper-case letters and digits derived from parts.
func surveyCode(n int, parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	s := strings.ToUpper(new(big.Int).SetBytes(h[:]).Text(36))
	for len(s) < n {
		s = "0" + s
	}
	return s[:n]
}

// surveyBase is the server root ("http://host:port/") that survey links hang off.
func surveyBase(c *call) string {
	return strings.TrimSuffix(c.srv.URL, "api/")
}

// surveyTarget checks record, instrument, event and repeat_instance for a
// survey method and returns the key parts of the survey response.
func surveyTarget(c *call, needRecord bool) (rec, form, ev string, inst int, err error) {
	p := c.Project
	if !p.Info.SurveysEnabled {
		return "", "", "", 0, errorf(http.StatusBadRequest, "Surveys are not enabled in this project")
	}
	form = strings.TrimSpace(c.Param("instrument"))
	if form == "" {
		return "", "", "", 0, errorf(http.StatusBadRequest, "The parameter 'instrument' is missing")
	}
	if p.FormFields(form) == nil {
		return "", "", "", 0, errorf(http.StatusBadRequest, "The instrument '%s' does not exist in this project", form)
	}
	enabled := false
	for _, in := range p.Instruments {
		enabled = enabled || (in.Name == form && in.Survey)
	}
	if !enabled {
		return "", "", "", 0, errorf(http.StatusBadRequest, "The instrument '%s' is not enabled as a survey", form)
	}
	if ev, err = formEvent(c, form, "The instrument '"+form+"' is"); err != nil {
		return "", "", "", 0, err
	}
	if inst, err = repeatInstance(c, 1); err != nil {
		return "", "", "", 0, err
	}
	if needRecord {
		if rec, err = recordParam(c); err != nil {
			return "", "", "", 0, err
		}
	}
	return rec, form, ev, inst, nil
}

// recordParam reads the record parameter: a record the caller can see.
func recordParam(c *call) (string, error) {
	rec := strings.TrimSpace(c.Param("record"))
	if rec == "" {
		return "", errorf(http.StatusBadRequest, "The parameter 'record' is missing")
	}
	if _, ok := visibleRecord(c, rec); !ok {
		return "", errorf(http.StatusBadRequest, `The record "%s" does not exist`, rec) // REDCapR's survey-link test quotes it so
	}
	return rec, nil
}

// projKey identifies the project in survey codes.
func projKey(c *call) string { return strconv.Itoa(c.Project.Info.ProjectID) }

// surveyCodeHandler answers the n-character code of kind for one record's
// survey response, inside a survey link when asLink.
func surveyCodeHandler(kind string, n int, asLink bool) handlerFunc {
	return func(c *call) error {
		p := c.Project
		p.Mu.RLock()
		defer p.Mu.RUnlock()
		rec, form, ev, inst, err := surveyTarget(c, true)
		if err != nil {
			return err
		}
		code := surveyCode(n, kind, projKey(c), rec, form, ev, strconv.Itoa(inst))
		if asLink {
			code = surveyBase(c) + "surveys/?s=" + code
		}
		return mText(c, code)
	}
}

func handleSurveyQueueLink(c *call) error {
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	if !p.Info.SurveysEnabled {
		return errorf(http.StatusBadRequest, "Surveys are not enabled in this project")
	}
	rec, err := recordParam(c)
	if err != nil {
		return err
	}
	return mText(c, surveyBase(c)+"surveys/?sq="+surveyCode(10, "queue", projKey(c), rec))
}

// handleParticipantList lists one participant per record (of the caller's
// DAG): the e-mail comes from the first e-mail-validated field, the
// response status from the form's data and status on that event.
func handleParticipantList(c *call) error {
	// "If the user does not have 'Survey Distribution Tools' privileges,
	// they will not be able to use this method, and an error will be
	// returned" (REDCap's API documentation of the method).
	if !mRight(c, "manage_survey_participants") {
		return errorf(http.StatusForbidden, "You do not have Survey Distribution Tools privileges")
	}
	p := c.Project
	p.Mu.RLock()
	defer p.Mu.RUnlock()
	_, form, ev, inst, err := surveyTarget(c, false)
	if err != nil {
		return err
	}
	emailField := ""
	for _, f := range p.Metadata {
		if f.FieldType == "text" && f.TextValidationTypeOrShowSliderNumber == "email" {
			emailField = f.FieldName
			break
		}
	}
	cols := []string{"email", "email_occurrence", "identifier", "record", "invitation_scheduled", "invitation_sent_status",
		"invitation_send_time", "response_status", "survey_access_code", "survey_link", "survey_queue_link"}
	var rows [][]string
	seen := map[string]int{}
	arm := 0
	if e := p.Event(ev); e != nil {
		arm = e.ArmNum
	}
	for rec := range p.Records.All() {
		if d := c.DAG(); d != "" && rec.DAG != d {
			continue
		}
		if arm != 0 && !slices.ContainsFunc(rec.Rows, func(r *Row) bool { e := p.Event(r.Event); return e != nil && e.ArmNum == arm }) {
			continue // the record exists in other arms only
		}
		email := ""
		status := "0"
		for _, row := range rec.Rows {
			if emailField != "" && email == "" {
				email = row.Values[emailField]
			}
			if row.Event != ev || (row.Instrument != "" && (row.Instrument != form || row.Instance != inst)) {
				continue
			}
			for _, name := range p.FormFields(form) {
				if name != p.RecordIDField() && row.Values[name] != "" && status == "0" {
					status = "1"
				}
			}
			if row.Values[form+"_complete"] == "2" {
				status = "2"
			}
		}
		occ := ""
		if email != "" {
			seen[email]++
			occ = strconv.Itoa(seen[email])
		}
		key := []string{projKey(c), rec.ID, form, ev, strconv.Itoa(inst)}
		rows = append(rows, []string{email, occ, "", rec.ID, "0", "0", "", status,
			surveyCode(9, append([]string{"access"}, key...)...),
			surveyBase(c) + "surveys/?s=" + surveyCode(10, append([]string{"link"}, key...)...),
			surveyBase(c) + "surveys/?sq=" + surveyCode(10, "queue", projKey(c), rec.ID)})
	}
	return mTable(c, cols, rows, true)
}
