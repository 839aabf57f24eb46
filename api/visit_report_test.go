package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fayuan/internal/testenv"
	"fayuan/internal/towns"
)

// A visit reaches the recipient: it moves the calls phase's reached_any, never its done or rate
// (the notice judges those on phone calls). The visits phase's done counts the selected cases
// with a visit.
func TestVisitProgress(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		var byPhone, unanswered, never string
		vw := newVisitWorld(t, b, func(cw *callWorld) {
			byPhone, unanswered, never = cw.caseFor(t, "staff", "营盘镇"), cw.caseFor(t, "staff", "营盘镇"), cw.caseFor(t, "staff", "营盘镇")
			cw.call(t, "staff", byPhone, callBody(1, "2024-05-24T08:30:00+08:00", "reached", answers(nil)), http.StatusCreated)
			cw.call(t, "staff", unanswered, callBody(2, "2024-05-24T08:40:00+08:00", "no_answer", nil), http.StatusCreated)
		})
		for _, k := range []string{byPhone, unanswered, never} {
			vw.assignVisit(t, k, "firm_staff")
		}
		p := progress(t, vw.e, vw.w, vw.campaign)
		calls, visits := p.Phases[0], p.Phases[1]
		if calls.InScope != 3 || calls.Done != 1 || calls.ReachedAny != 1 || visits.InScope != 3 || visits.Done != 0 {
			t.Fatalf("before visits: calls %+v visits %+v", calls, visits)
		}
		callRate := calls.Rate
		at := "2024-06-17T09:00:00+08:00"
		vw.visit(t, "firm_staff", unanswered, visitBody(1, at, answers(nil)), http.StatusCreated)
		p = progress(t, vw.e, vw.w, vw.campaign)
		calls, visits = p.Phases[0], p.Phases[1]
		if calls.Done != 1 || calls.Rate != callRate || calls.ReachedAny != 2 || visits.Done != 1 {
			t.Errorf("after visiting the unanswered case: calls %+v visits %+v", calls, visits)
		}
		vw.visit(t, "firm_staff", byPhone, visitBody(2, at, answers(nil)), http.StatusCreated)
		vw.visit(t, "firm_staff", byPhone, visitBody(3, at, answers(nil)), http.StatusCreated) // a second visit counts once
		p = progress(t, vw.e, vw.w, vw.campaign)
		calls, visits = p.Phases[0], p.Phases[1]
		if calls.Done != 1 || calls.ReachedAny != 2 || visits.Done != 2 || visits.Rate < 0.66 || visits.Rate > 0.67 {
			t.Errorf("after visiting the reached case: calls %+v visits %+v", calls, visits)
		}

		// Another caller's eight reached cases: the rule samples five of them (10%, at least 5).
		// A manager visits all eight; only the sampled five count.
		var sampled []string
		for range 8 {
			k := vw.visitCase(t, "", "营盘镇")
			putCall(t, vw.e, vw.campaign, parseWireID(t, k), parseWireID(t, vw.w.Users["firm_staff"]), "reached")
			sampled = append(sampled, k)
		}
		for i, k := range sampled {
			vw.visit(t, "manager", k, visitBody(10+i, at, answers(nil)), http.StatusCreated)
		}
		p = progress(t, vw.e, vw.w, vw.campaign)
		if visits := p.Phases[1]; visits.InScope != 3+5 || visits.Done != 2+5 {
			t.Errorf("with a sample: visits %+v, want in_scope 8 and done 7", visits)
		}
	})
}

// The visits' plausibility flags: a location far from the recipient's town (GCJ-02 converted
// to WGS-84 before measuring, the threshold configurable), a visit uploaded long after it
// happened, one dated ahead of the server's clock. Honest visits raise nothing.
func TestVisitPlausibilityFlags(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		vw := newVisitWorld(t, b, nil)
		yingpan, _ := towns.Lookup("营盘镇")
		wafang, _ := towns.Lookup("瓦房口镇")
		at := "2024-06-17T09:00:00+08:00"
		located := func(n int, lat, lng float64, coord string) map[string]any {
			b := visitBody(n, at, answers(nil))
			b["location"] = map[string]any{"lat": lat, "lng": lng, "accuracy": 20, "coord_type": coord}
			return b
		}
		// Honest: at the town, once in GPS and once in map coordinates of the same point.
		gLat, gLng := towns.WGS84ToGCJ02(yingpan.Lat, yingpan.Lng)
		vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), located(1, yingpan.Lat+0.01, yingpan.Lng, "wgs84"), http.StatusCreated)
		gcj := vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), located(2, gLat, gLng, "gcj02"), http.StatusCreated).Map(t)["id"].(string)
		vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), visitBody(3, at, answers(nil)), http.StatusCreated) // visitBody's own point
		noGPS := visitBody(4, at, answers(nil))
		delete(noGPS, "location")
		vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), noGPS, http.StatusCreated)
		if fs := vw.flags(t, ""); len(fs) != 0 {
			t.Fatalf("honest visits raised %+v", fs)
		}
		// Far: a visit to a 营盘镇 recipient recorded in 瓦房口镇, ~35 km away.
		far := vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), located(5, wafang.Lat, wafang.Lng, "wgs84"), http.StatusCreated).Map(t)["id"].(string)
		got := flagsOf(vw.flags(t, ""), "visit_far")
		if len(got) != 1 || got[0].CallerID != vw.w.Users["staff"] || len(got[0].VisitIDs) != 1 || got[0].VisitIDs[0] != far {
			t.Errorf("visit_far %+v", got)
		}
		// A 300 m threshold: the GCJ-02 point is ~0 m away once converted (it would be ~500 m if it
		// were not); the WGS-84 point 0.01° north is ~1.1 km away.
		got = flagsOf(vw.flags(t, "?visit_distance_m=300"), "visit_far")
		if len(got) != 1 || len(got[0].VisitIDs) != 3 {
			t.Fatalf("visit_far at 300 m: %+v", got)
		}
		for _, id := range got[0].VisitIDs {
			if id == gcj {
				t.Errorf("the GCJ-02 point at the town centre was measured unconverted")
			}
		}
		testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/campaigns/"+vw.campaign+"/flags?visit_distance_m=-1", vw.w.Tokens["manager"], nil), http.StatusUnprocessableEntity)

		// Stale: recorded eight days after it happened (still inside the phase); future: dated two
		// hours ahead of the server's clock.
		vw.e.Clock.Advance(8 * 24 * time.Hour) // 2024-06-25 10:00
		relogin(vw.e, vw.w, "staff", "manager")
		stale := vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), visitBody(6, at, answers(nil)), http.StatusCreated).Map(t)
		future := vw.visit(t, "staff", vw.visitCase(t, "staff", "营盘镇"), visitBody(7, "2024-06-25T12:00:00+08:00", answers(nil)), http.StatusCreated).Map(t)
		if f, _ := stale["flags"].([]any); len(f) != 1 || f[0] != "stale_upload" {
			t.Errorf("stale visit flags %v", stale["flags"])
		}
		if f, _ := future["flags"].([]any); len(f) != 1 || f[0] != "future_time" {
			t.Errorf("future visit flags %v", future["flags"])
		}
		fs := vw.flags(t, "")
		if s := flagsOf(fs, "visit_stale_upload"); len(s) != 1 || s[0].VisitIDs[0] != stale["id"] {
			t.Errorf("visit_stale_upload %+v", s)
		}
		if s := flagsOf(fs, "visit_future_time"); len(s) != 1 || s[0].VisitIDs[0] != future["id"] {
			t.Errorf("visit_future_time %+v", s)
		}
	})
}

// The visits work list shows, for each of the visitor's cases, whether it has been visited:
// unvisited first, with the phone answers so far.
func TestVisitWorkList(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		var first, second string
		vw := newVisitWorld(t, b, func(cw *callWorld) {
			first, second = cw.caseFor(t, "staff", "营盘镇"), cw.caseFor(t, "staff", "营盘镇")
			cw.call(t, "staff", first, callBody(1, "2024-05-24T08:30:00+08:00", "reached", answers(nil)), http.StatusCreated)
		})
		vw.assignVisit(t, first, "firm_staff")
		vw.assignVisit(t, second, "firm_staff")
		vw.visit(t, "firm_staff", first, visitBody(1, "2024-06-17T09:00:00+08:00", answers(nil)), http.StatusCreated)
		r := testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/campaigns/"+vw.campaign+"/follow-ups?phase=visits", vw.w.Tokens["firm_staff"], nil), http.StatusOK)
		testenv.CheckConventions(t, "work list", r.Body)
		var list struct {
			Items []struct {
				CaseID       string         `json:"case_id"`
				Status       string         `json:"status"`
				Attempts     int            `json:"attempts"`
				Visited      *bool          `json:"visited"`
				AnswersSoFar map[string]any `json:"answers_so_far"`
			} `json:"items"`
		}
		r.JSON(t, &list)
		if len(list.Items) != 2 {
			t.Fatalf("items %+v", list.Items)
		}
		un, done := list.Items[0], list.Items[1]
		if un.CaseID != second || un.Visited == nil || *un.Visited || un.Status != "pending" {
			t.Errorf("unvisited item %+v", un)
		}
		if done.CaseID != first || done.Visited == nil || !*done.Visited || done.Status != "visited" || done.Attempts != 1 ||
			done.AnswersSoFar["charged_fee"] != "no" {
			t.Errorf("visited item %+v", done)
		}
		// The calls list does not carry the field.
		r = testenv.Expect(t, vw.e.Do(http.MethodGet, "/api/v1/campaigns/"+vw.campaign+"/follow-ups?phase=calls", vw.w.Tokens["staff"], nil), http.StatusOK)
		if strings.Contains(string(r.Body), `"visited"`) {
			t.Errorf("calls work list carries visited: %s", r.Body)
		}
	})
}

// The visits export is an .xlsx with one row per visit: case, times, visitor, participants,
// location as recorded, the answers and the verification with what differs. Managers only.
func TestVisitExport(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		var kase string
		vw := newVisitWorld(t, b, func(cw *callWorld) {
			kase = cw.caseFor(t, "staff", "营盘镇")
			cw.call(t, "staff", kase, callBody(1, "2024-05-24T08:30:00+08:00", "reached", answers(nil)), http.StatusCreated)
		})
		vw.assignVisit(t, kase, "firm_staff")
		body := visitBody(1, "2024-06-17T09:00:00+08:00", answers(map[string]any{"satisfied": "dissatisfied", "dissatisfied_about": "attitude"}))
		body["participants"] = map[string]any{"staff_ids": []string{vw.w.Users["staff"]}, "cadres": []string{"营盘镇司法所 李四"}}
		vw.visit(t, "firm_staff", kase, body, http.StatusCreated)
		other := vw.visitCase(t, "firm_staff", "营盘镇")
		vw.visit(t, "firm_staff", other, visitBody(2, "2024-06-16T09:00:00+08:00", answers(nil)), http.StatusCreated)

		path := "/api/v1/campaigns/" + vw.campaign + "/export?kind=visits"
		testenv.Expect(t, vw.e.Do(http.MethodGet, path, vw.w.Tokens["firm_staff"], nil), http.StatusForbidden)
		r := testenv.Expect(t, vw.e.Do(http.MethodGet, path, vw.w.Tokens["manager"], nil), http.StatusOK)
		testenv.ScanForPersonalData(t, vw.e, "visits export", r.Body)
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "visits-") {
			t.Errorf("Content-Disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("export does not open: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows("走访记录")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want the header and 2 visits: %v", len(rows), rows)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		cell := func(row int, h string) string {
			i, ok := col[h]
			if !ok {
				t.Fatalf("no column %s in %v", h, rows[0])
			}
			if i >= len(rows[row]) {
				return ""
			}
			return rows[row][i]
		}
		// Visit time order: the 06-16 visit first.
		if cell(1, "走访时间") != "2024-06-16 09:00" || cell(1, "核实结果") != "电话未回访成功" {
			t.Errorf("first row %v", rows[1])
		}
		if cell(2, "走访时间") != "2024-06-17 09:00" || cell(2, "走访人") != testenv.DisplayName("firm_staff") ||
			cell(2, "同行人员") != testenv.DisplayName("staff")+"、营盘镇司法所 李四" || cell(2, "坐标系") != "WGS84" ||
			cell(2, "三、是否满意") != "不满意" || cell(2, "不满意方面") != "办案态度" || cell(2, "核实结果") != "不一致" ||
			!strings.Contains(cell(2, "与电话回访不一致之处"), "是否满意：电话“满意”，走访“不满意”") || cell(2, "乡镇") != "营盘镇" {
			t.Errorf("second row %v", rows[2])
		}
		if n := countAudit(t, vw.e, "campaign.export"); n != 1 {
			t.Errorf("%d export audit rows", n)
		}
	})
}
