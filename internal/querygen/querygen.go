package querygen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/redcapql/rq/internal/refeval"
)

// Gen writes random queries; it is not safe for concurrent use.
type Gen struct {
	r  *rand.Rand
	db *refeval.DB

	nums, texts, codeTexts, numChoices, yesnos, dates, datetimes, times, checkboxes, withMissing []*refeval.Field
	labelled                                                                                     []*refeval.Field
	samples                                                                                      map[string][]refeval.Value
	records                                                                                      []string
	events                                                                                       []string
	arms                                                                                         []int
	forms                                                                                        []string
	dags                                                                                         []string
	pinned                                                                                       [][2]string // event, numeric field
	params                                                                                       map[string]string
}

// New returns a generator over db's project; fem lists its form–event
// mapping as (event, form) pairs.
func New(db *refeval.DB, seed uint64, fem [][2]string) *Gen {
	g := &Gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), db: db, samples: db.Samples(400)}
	g.records = db.Records()
	g.dags = db.DAGs()
	for ev := range db.EventArms() {
		g.events = append(g.events, ev)
	}
	slices.Sort(g.events)
	for _, a := range db.EventArms() {
		if !slices.Contains(g.arms, a) {
			g.arms = append(g.arms, a)
		}
	}
	slices.Sort(g.arms)
	g.forms = db.Schema().Forms()
	id := db.Schema().RecordID()
	for _, f := range db.Schema().Fields() {
		if f.Name == id || len(f.Columns()) == 0 {
			continue
		}
		if len(g.samples[f.Name]) == 0 && f.Kind != refeval.KindCodeSet {
			continue // never has a value: conditions on it say little
		}
		if !f.NoMissing && len(db.Schema().MissingCodes()) > 0 {
			g.withMissing = append(g.withMissing, f)
		}
		switch f.Kind {
		case refeval.KindNumber:
			switch {
			case f.Type == "yesno" || f.Type == "truefalse":
				g.yesnos = append(g.yesnos, f)
			case len(f.Choices) > 0: // radio, dropdown, form status
				g.numChoices = append(g.numChoices, f)
				g.labelled = append(g.labelled, f)
			default:
				g.nums = append(g.nums, f)
			}
		case refeval.KindText:
			if len(f.Choices) > 0 {
				g.codeTexts = append(g.codeTexts, f)
				g.labelled = append(g.labelled, f)
			} else if f.Type != "file" {
				g.texts = append(g.texts, f)
			}
		case refeval.KindDate:
			g.dates = append(g.dates, f)
		case refeval.KindDatetime:
			g.datetimes = append(g.datetimes, f)
		case refeval.KindTime:
			g.times = append(g.times, f)
		case refeval.KindCodeSet:
			g.checkboxes = append(g.checkboxes, f)
		}
	}
	for _, m := range fem {
		if db.RepeatsForm(m[1]) {
			continue
		}
		for _, f := range g.nums {
			if f.Form == m[1] && !strings.HasSuffix(f.Name, "_complete") {
				g.pinned = append(g.pinned, [2]string{m[0], f.Name})
			}
		}
	}
	return g
}

func (g *Gen) pick(n int) int { return g.r.IntN(n) }
func (g *Gen) chance(p float64) bool {
	return g.r.Float64() < p
}

func pickOf[T any](g *Gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// quote writes a text literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func numText(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// sample returns a value the field holds somewhere.
func (g *Gen) sample(f *refeval.Field) (refeval.Value, bool) {
	s := g.samples[f.Name]
	if len(s) == 0 {
		return refeval.Value{}, false
	}
	return pickOf(g, s), true
}

func (g *Gen) numLit(f *refeval.Field) string {
	if v, ok := g.sample(f); ok {
		switch g.pick(3) {
		case 0:
			return numText(v.Num)
		case 1:
			return numText(v.Num + float64(g.pick(5)) - 2)
		}
		return numText(v.Num + 0.5)
	}
	return strconv.Itoa(g.pick(100))
}

var cmpOps = []string{"=", "<>", "<", "<=", ">", ">=", "!="}

// atom returns one leaf condition.
func (g *Gen) atom() string {
	for {
		if s, ok := g.tryAtom(g.pick(28)); ok {
			return s
		}
	}
}

func (g *Gen) tryAtom(kind int) (string, bool) {
	switch kind {
	case 0, 1, 2: // numbers
		if len(g.nums) == 0 {
			return "", false
		}
		f := pickOf(g, g.nums)
		switch g.pick(9) {
		case 0:
			a, b := g.numLit(f), g.numLit(f)
			return fmt.Sprintf("%s between %s and %s", f.Name, a, b), true
		case 1:
			return fmt.Sprintf("%s not between %s and %s", f.Name, g.numLit(f), g.numLit(f)), true
		case 2:
			return fmt.Sprintf("%s in (%s, %s, %s)", f.Name, g.numLit(f), g.numLit(f), g.numLit(f)), true
		case 3:
			return fmt.Sprintf("%s not in (%s, %s)", f.Name, g.numLit(f), g.numLit(f)), true
		case 4:
			return fmt.Sprintf("%s is %snull", f.Name, pickOf(g, []string{"", "not "})), true
		case 5:
			return fmt.Sprintf("%s + %d %s %s", f.Name, g.pick(10), pickOf(g, cmpOps), g.numLit(f)), true
		case 6:
			return fmt.Sprintf("abs(%s - %s) < %d", f.Name, g.numLit(f), 1+g.pick(10)), true
		case 7:
			g.params["p"+strconv.Itoa(len(g.params))] = g.numLit(f)
			return fmt.Sprintf("%s %s $p%d", f.Name, pickOf(g, cmpOps), len(g.params)-1), true
		}
		return fmt.Sprintf("%s %s %s", f.Name, pickOf(g, cmpOps), g.numLit(f)), true
	case 3, 4: // free text
		if len(g.texts) == 0 {
			return "", false
		}
		f := pickOf(g, g.texts)
		v, ok := g.sample(f)
		if !ok {
			return "", false
		}
		s := v.String()
		pre := s
		if r := []rune(pre); len(r) > 2 { // whole characters: a literal is valid UTF-8
			pre = string(r[:1+g.pick(2)])
		}
		switch g.pick(9) {
		case 0:
			return fmt.Sprintf("%s = %s", f.Name, quote(s)), true
		case 1:
			return fmt.Sprintf("%s <> %s", f.Name, quote(s)), true
		case 2:
			return fmt.Sprintf("%s like %s", f.Name, quote(strings.ToUpper(pre)+"%")), true
		case 3:
			return fmt.Sprintf("%s not like %s", f.Name, quote("%"+pre+"_%")), true
		case 4:
			return fmt.Sprintf("%s ~ %s", f.Name, quote("^"+regexpQuote(pre))), true
		case 5:
			return fmt.Sprintf("lower(%s) = %s", f.Name, quote(strings.ToLower(s))), true
		case 6:
			return fmt.Sprintf("length(%s) > %d", f.Name, g.pick(12)), true
		case 7:
			return fmt.Sprintf("%s %s %s", f.Name, pickOf(g, []string{"<", ">="}), quote(pre)), true
		}
		return fmt.Sprintf("%s is null", f.Name), true
	case 5, 6: // choices
		if len(g.numChoices)+len(g.codeTexts) == 0 {
			return "", false
		}
		if len(g.codeTexts) > 0 && (len(g.numChoices) == 0 || g.chance(0.4)) {
			f := pickOf(g, g.codeTexts)
			a, b := pickOf(g, f.Choices), pickOf(g, f.Choices)
			switch g.pick(4) {
			case 0:
				return fmt.Sprintf("%s = %s", f.Name, quote(a.Code)), true
			case 1:
				return fmt.Sprintf("%s in (%s, %s)", f.Name, quote(a.Code), quote(b.Code)), true
			case 2:
				return fmt.Sprintf("label(%s) = %s", f.Name, quote(a.Label)), true
			}
			return fmt.Sprintf("%s <> %s", f.Name, quote(a.Code)), true
		}
		f := pickOf(g, g.numChoices)
		a, b := pickOf(g, f.Choices), pickOf(g, f.Choices)
		switch g.pick(4) {
		case 0:
			return fmt.Sprintf("%s = %s", f.Name, a.Code), true
		case 1:
			return fmt.Sprintf("%s not in (%s, %s)", f.Name, a.Code, b.Code), true
		case 2:
			return fmt.Sprintf("label(%s) = %s", f.Name, quote(a.Label)), true
		}
		return fmt.Sprintf("%s %s %s", f.Name, pickOf(g, cmpOps), a.Code), true
	case 7: // yes/no
		if len(g.yesnos) == 0 {
			return "", false
		}
		f := pickOf(g, g.yesnos)
		return fmt.Sprintf("%s = %s", f.Name, pickOf(g, []string{"true", "false", "1", "0"})), true
	case 8, 9: // dates
		if len(g.dates) == 0 {
			return "", false
		}
		f := pickOf(g, g.dates)
		v, ok := g.sample(f)
		if !ok {
			return "", false
		}
		d := v.Time.AddDate(0, 0, g.pick(60)-30).Format("2006-01-02")
		switch g.pick(4) {
		case 0:
			return fmt.Sprintf("%s %s date '%s'", f.Name, pickOf(g, cmpOps), d), true
		case 1:
			return fmt.Sprintf("%s between date '%s' and date '%s'", f.Name, v.Time.AddDate(-1, 0, 0).Format("2006-01-02"), d), true
		case 2:
			return fmt.Sprintf("year(%s) %s %d", f.Name, pickOf(g, cmpOps), v.Time.Year()), true
		}
		return fmt.Sprintf("%s >= '%s'", f.Name, d), true
	case 10: // datetimes and times
		if len(g.datetimes) > 0 && g.chance(0.5) {
			f := pickOf(g, g.datetimes)
			if v, ok := g.sample(f); ok {
				return fmt.Sprintf("%s %s datetime '%s'", f.Name, pickOf(g, cmpOps), v.Time.Add(-37*60e9).Format("2006-01-02 15:04")), true
			}
		}
		if len(g.times) > 0 {
			f := pickOf(g, g.times)
			return fmt.Sprintf("%s %s '%02d:%02d'", f.Name, pickOf(g, []string{"<", ">=", "<>"}), 6+g.pick(14), g.pick(60)), true
		}
		return "", false
	case 11, 12: // checkboxes
		if len(g.checkboxes) == 0 {
			return "", false
		}
		f := pickOf(g, g.checkboxes)
		a, b := pickOf(g, f.Choices), pickOf(g, f.Choices)
		switch g.pick(5) {
		case 0:
			return fmt.Sprintf("%s has any (%s, %s)", f.Name, quote(a.Code), quote(b.Code)), true
		case 1:
			return fmt.Sprintf("%s has all (%s, %s)", f.Name, quote(a.Code), quote(b.Code)), true
		case 2:
			return fmt.Sprintf("%s is %snull", f.Name, pickOf(g, []string{"", "not "})), true
		}
		return fmt.Sprintf("%s has %s", f.Name, quote(a.Code)), true
	case 13: // missing codes
		if len(g.withMissing) == 0 {
			return "", false
		}
		return fmt.Sprintf("missing(%s)", pickOf(g, g.withMissing).Name), true
	case 14, 15: // event-pinned references
		if len(g.pinned) == 0 {
			return "", false
		}
		p := pickOf(g, g.pinned)
		f, _ := g.db.Schema().Field(p[1])
		return fmt.Sprintf("[%s][%s] %s %s", p[0], p[1], pickOf(g, cmpOps), g.numLit(f)), true
	case 16: // records
		n := 1 + g.pick(6)
		var ids []string
		for range n {
			ids = append(ids, quote(pickOf(g, g.records)))
		}
		if n == 1 {
			return "record = " + ids[0], true
		}
		return fmt.Sprintf("record in (%s)", strings.Join(ids, ", ")), true
	case 17: // events and arms
		if len(g.events) == 0 {
			return "", false
		}
		if g.chance(0.3) {
			return fmt.Sprintf("arm = %d", pickOf(g, g.arms)), true
		}
		if g.chance(0.5) {
			return fmt.Sprintf("event = %s", quote(pickOf(g, g.events))), true
		}
		return fmt.Sprintf("event in (%s, %s)", quote(pickOf(g, g.events)), quote(pickOf(g, g.events))), true
	case 18: // DAGs
		if len(g.dags) == 0 {
			return "", false
		}
		if g.chance(0.3) {
			return "dag is null", true
		}
		return fmt.Sprintf("dag = %s", quote(pickOf(g, g.dags))), true
	case 19: // repeating rows
		if !g.db.Repeating() {
			return "", false
		}
		if g.chance(0.5) {
			return fmt.Sprintf("instance %s %d", pickOf(g, []string{">", "=", "<="}), 1+g.pick(3)), true
		}
		return "instrument is not null", true
	case 20: // text functions
		if len(g.texts) == 0 {
			return "", false
		}
		f := pickOf(g, g.texts)
		v, ok := g.sample(f)
		s := []rune(v.String())
		if !ok || len(s) < 2 {
			return "", false
		}
		sub := s[g.pick(len(s)-1):]
		sub = sub[:1+g.pick(len(sub))]
		fn := pickOf(g, []string{"contains", "starts_with", "ends_with"})
		return fmt.Sprintf("%s(%s, %s)", fn, f.Name, quote(strings.ToUpper(string(sub)))), true
	case 22: // checkbox export columns
		if len(g.checkboxes) == 0 {
			return "", false
		}
		f := pickOf(g, g.checkboxes)
		code := pickOf(g, f.Choices).Code
		return fmt.Sprintf("%s %s %d", g.db.Schema().CheckboxColumn(f.Name, code), pickOf(g, []string{"=", "<>"}), g.pick(2)), true
	case 23: // nulls in lists and comparisons
		if len(g.nums) == 0 {
			return "", false
		}
		f := pickOf(g, g.nums)
		// (x = null is an error: "use is null")
		if g.chance(0.5) {
			return fmt.Sprintf("%s in (%s, null)", f.Name, g.numLit(f)), true
		}
		return fmt.Sprintf("%s not in (%s, null)", f.Name, g.numLit(f)), true
	case 24: // record ids as numbers, text fields against numbers
		if g.chance(0.5) {
			if _, err := strconv.Atoi(g.records[0]); err == nil {
				return fmt.Sprintf("record %s %s", pickOf(g, []string{"=", "<>"}), pickOf(g, g.records)), true
			}
		}
		if len(g.texts) == 0 {
			return "", false
		}
		return fmt.Sprintf("%s %s %d", pickOf(g, g.texts).Name, pickOf(g, []string{"=", ">", "<"}), g.pick(50)), true
	case 25: // like with _ and nested functions
		if len(g.texts) == 0 {
			return "", false
		}
		f := pickOf(g, g.texts)
		v, ok := g.sample(f)
		s := []rune(v.String())
		if !ok || len(s) < 3 {
			return "", false
		}
		s[1] = '_'
		return fmt.Sprintf("upper(trim(%s)) like %s", f.Name, quote(strings.ToUpper(string(s[:min(len(s), 4)]))+"%")), true
	case 26: // missing codes on pinned fields and is null on pinned fields
		if len(g.pinned) == 0 {
			return "", false
		}
		p := pickOf(g, g.pinned)
		return fmt.Sprintf("[%s][%s] is %snull", p[0], p[1], pickOf(g, []string{"", "not "})), true
	case 27: // datetimes against dates
		if len(g.datetimes) == 0 {
			return "", false
		}
		f := pickOf(g, g.datetimes)
		v, ok := g.sample(f)
		if !ok {
			return "", false
		}
		return fmt.Sprintf("%s %s '%s'", f.Name, pickOf(g, []string{"<", ">="}), v.Time.Format("2006-01-02 15:04")), true
	case 21: // coalesce / round
		if len(g.nums) == 0 {
			return "", false
		}
		f, h := pickOf(g, g.nums), pickOf(g, g.nums)
		if g.chance(0.5) {
			return fmt.Sprintf("coalesce(%s, %s) > %s", f.Name, h.Name, g.numLit(f)), true
		}
		return fmt.Sprintf("round(%s) = %s", f.Name, numText(float64(int(g.sampleNum(f))))), true
	}
	return "", false
}

func (g *Gen) sampleNum(f *refeval.Field) float64 {
	v, _ := g.sample(f)
	return v.Num
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cond returns a condition of some depth.
func (g *Gen) cond(depth int) string {
	if depth <= 0 || g.chance(0.45) {
		return g.atom()
	}
	switch g.pick(4) {
	case 0:
		return fmt.Sprintf("not (%s)", g.cond(depth-1))
	case 1:
		return fmt.Sprintf("(%s or %s)", g.cond(depth-1), g.cond(depth-1))
	}
	return fmt.Sprintf("%s and %s", g.cond(depth-1), g.cond(depth-1))
}

// item returns one select item.
func (g *Gen) item() string {
	for {
		switch g.pick(10) {
		case 0:
			return "record"
		case 1:
			if len(g.events) > 0 {
				return pickOf(g, []string{"event", "arm"})
			}
		case 2:
			if len(g.labelled) > 0 {
				return fmt.Sprintf("label(%s)", pickOf(g, g.labelled).Name)
			}
		case 3:
			if len(g.pinned) > 0 {
				p := pickOf(g, g.pinned)
				return fmt.Sprintf("[%s][%s]", p[0], p[1])
			}
		case 4:
			if len(g.nums) > 0 {
				return fmt.Sprintf("%s * 2 as twice", pickOf(g, g.nums).Name)
			}
		case 5:
			if g.db.Repeating() {
				return pickOf(g, []string{"instrument", "instance"})
			}
		case 6:
			if len(g.nums) > 0 && g.chance(0.5) {
				f := pickOf(g, g.nums)
				return fmt.Sprintf("case when %s > %s then 'high' when %s is null then 'none' else 'low' end as band", f.Name, g.numLit(f), f.Name)
			}
		default:
			all := slices.Concat(g.nums, g.texts, g.codeTexts, g.numChoices, g.yesnos, g.dates, g.datetimes, g.times, g.checkboxes)
			return pickOf(g, all).Name
		}
	}
}

// tiebreak lists the columns that make a row unique.
func (g *Gen) tiebreak() []string {
	keys := []string{"record"}
	if len(g.events) > 0 {
		keys = append(keys, "event")
	}
	if g.db.Repeating() {
		keys = append(keys, "instrument", "instance")
	}
	return keys
}

// Query returns one query and its parameters.
func (g *Gen) Query() (string, map[string]string) {
	g.params = map[string]string{}
	var where []string
	if g.chance(0.25) {
		f := pickOf(g, g.forms)
		if g.chance(0.2) && len(g.forms) > 1 {
			where = append(where, fmt.Sprintf("form in (%s, %s)", quote(f), quote(pickOf(g, g.forms))))
		} else {
			where = append(where, "form = "+quote(f))
		}
	}
	if !g.chance(0.1) {
		where = append(where, g.cond(3))
	}
	if g.chance(0.15) {
		if s, ok := g.tryAtom(16 + g.pick(2)); ok {
			where = append(where, s)
		}
	}
	w := ""
	if len(where) > 0 {
		w = " where " + strings.Join(where, " and ")
	}
	if g.chance(0.12) {
		return g.aggregateQuery(w), g.params
	}
	n := 1 + g.pick(4)
	var items []string
	for range n {
		it := g.item()
		if strings.HasSuffix(it, " as twice") && slices.ContainsFunc(items, func(s string) bool { return strings.HasSuffix(s, " as twice") }) {
			continue
		}
		items = append(items, it)
	}
	if g.chance(0.08) {
		items = []string{"*"}
	}
	if g.chance(0.08) && items[0] != "*" {
		// distinct: unordered (order by would have to name selected columns)
		return "select distinct " + strings.Join(items, ", ") + " from records" + w, g.params
	}
	q := "select " + strings.Join(items, ", ") + " from records" + w
	if g.chance(0.35) {
		var keys []string
		if g.chance(0.7) {
			k := g.item()
			for slices.ContainsFunc(g.checkboxes, func(f *refeval.Field) bool { return f.Name == k }) {
				k = g.item() // the order of code sets is not defined by the language
			}
			k = strings.TrimSuffix(k, " as twice")
			if k2, _, ok := strings.Cut(k, " as "); ok {
				k = k2
			}
			keys = append(keys, k+pickOf(g, []string{"", " desc", " asc"})+pickOf(g, []string{"", "", " nulls first", " nulls last"}))
		}
		for _, t := range g.tiebreak() {
			keys = append(keys, t+pickOf(g, []string{"", " desc"}))
		}
		q += " order by " + strings.Join(keys, ", ")
		if g.chance(0.15) {
			g.params["n"] = strconv.Itoa(g.pick(40))
			q += " limit $n"
		} else if g.chance(0.6) {
			q += fmt.Sprintf(" limit %d", g.pick(40))
			if g.chance(0.3) {
				q += fmt.Sprintf(" offset %d", g.pick(20))
			}
		}
	} else if g.chance(0.1) {
		q += fmt.Sprintf(" limit %d", 1+g.pick(30))
	}
	return q, g.params
}

// aggregateQuery returns a query with aggregates, grouped or not.
func (g *Gen) aggregateQuery(where string) string {
	var aggs []string
	aggs = append(aggs, "count(*)")
	if len(g.nums) > 0 {
		f := pickOf(g, g.nums).Name
		aggs = append(aggs, pickOf(g, []string{"min", "max", "sum", "avg", "count"})+"("+f+")")
	}
	if g.chance(0.5) && len(g.nums) > 0 {
		aggs = append(aggs, "count(distinct "+pickOf(g, g.nums).Name+")")
	}
	if g.chance(0.3) && len(g.dates) > 0 {
		aggs = append(aggs, pickOf(g, []string{"min", "max"})+"("+pickOf(g, g.dates).Name+")")
	}
	if g.chance(0.4) && len(g.nums) > 0 {
		f := pickOf(g, g.nums).Name
		aggs = append(aggs, pickOf(g, []string{"median(" + f + ")", "stddev(" + f + ")", "var(" + f + ")",
			"percentile(" + f + ", 0.25)", "percentile(" + f + ", 0.9)", "mode(" + f + ")"}))
	}
	if g.chance(0.3) {
		// count(distinct x) for every type, checkboxes included
		all := slices.Concat(g.texts, g.codeTexts, g.numChoices, g.yesnos, g.dates, g.datetimes, g.times, g.checkboxes)
		if len(all) > 0 {
			aggs = append(aggs, "count(distinct "+pickOf(g, all).Name+")")
		}
	}
	var groups []string
	if g.chance(0.6) {
		cands := []string{}
		for _, f := range g.numChoices {
			cands = append(cands, f.Name)
		}
		for _, f := range g.codeTexts {
			cands = append(cands, f.Name)
		}
		for _, f := range g.yesnos {
			cands = append(cands, f.Name)
		}
		if len(g.events) > 0 {
			cands = append(cands, "event", "arm")
		}
		if len(g.dags) > 0 {
			cands = append(cands, "dag")
		}
		if len(cands) > 0 {
			groups = append(groups, pickOf(g, cands))
		}
	}
	items := append(slices.Clone(groups), aggs...)
	q := "select " + strings.Join(items, ", ") + " from records" + where
	if len(groups) > 0 {
		q += " group by " + strings.Join(groups, ", ")
		if g.chance(0.3) {
			q += fmt.Sprintf(" having count(*) %s %d", pickOf(g, []string{">", ">=", "<"}), 1+g.pick(6))
		}
		switch g.pick(3) {
		case 0:
			q += " order by " + groups[0] + pickOf(g, []string{"", " desc"})
		case 1:
			q += " order by count(*)" + pickOf(g, []string{"", " desc"}) + ", " + groups[0]
			if g.chance(0.5) {
				q += fmt.Sprintf(" limit %d", 1+g.pick(3))
			}
		}
	}
	return q
}
