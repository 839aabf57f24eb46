package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"fayuan/internal/testenv"
)

// Wrong guesses sent all at once cannot outrun the five-failure lock: at most five are judged,
// the rest answer 423, and the right answer afterwards is refused too. The same for names with
// ID digits and for WeChat phone numbers.
func TestSurveyLockoutParallelGuesses(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		byName := x.putSurveyCase("staff")
		byPhone := x.putSurveyCase("staff")
		nameLink := x.link("staff", byName.ID, http.StatusCreated)
		phoneLink := x.link("staff", byPhone.ID, http.StatusCreated)

		const guesses = 20
		// The WeChat codes are registered first: only the verifications run in parallel.
		bodies := map[string][]map[string]any{}
		for i := range guesses {
			bodies[nameLink.Token] = append(bodies[nameLink.Token], map[string]any{"name": "王秀英", "id_last4": fmt.Sprintf("%04d", 9000+i)})
			wx, pc := fmt.Sprintf("race-wx-%d", i), fmt.Sprintf("race-pc-%d", i)
			x.fake.AddCode(wx, fmt.Sprintf("oid-race-%d", i))
			x.fake.AddPhoneCode(pc, testenv.Phone(900_000+i))
			bodies[phoneLink.Token] = append(bodies[phoneLink.Token], map[string]any{"wx_code": wx, "phone_code": pc})
		}
		for _, token := range []string{nameLink.Token, phoneLink.Token} {
			statuses := make([]int, guesses)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, body := range bodies[token] {
				wg.Go(func() {
					<-start
					statuses[i] = x.survey(http.MethodPost, token, "/verify", "", body).Status
				})
			}
			close(start)
			wg.Wait()
			count := map[int]int{}
			for _, s := range statuses {
				count[s]++
			}
			if count[http.StatusUnauthorized] > 4 || count[http.StatusLocked] < guesses-4 || count[http.StatusUnauthorized]+count[http.StatusLocked] != guesses {
				t.Fatalf("%d parallel wrong guesses answered %v; want at most 4 × 401 and the rest 423", guesses, count)
			}
		}
		if n := countRows(t, x.Env, "audit_logs", "action = ? AND outcome = ?", "survey.verify", "failed"); n != 10 {
			t.Fatalf("%d failed checks judged over two links, want 5 each", n)
		}
		if r := x.verifyName(nameLink.Token, "王秀英", byName.IDNumber[14:]); r.Status != http.StatusLocked || r.Code() != "survey_locked" {
			t.Fatalf("right name after the parallel guesses: %d %s", r.Status, r.Body)
		}
		if r := x.verifyPhone(phoneLink.Token, "oid-recipient", byPhone.Phone); r.Status != http.StatusLocked || r.Code() != "survey_locked" {
			t.Fatalf("right phone after the parallel guesses: %d %s", r.Status, r.Body)
		}
		if n := countRows(t, x.Env, "audit_logs", "action = ? AND outcome = ?", "survey.verify", "ok"); n != 0 {
			t.Fatalf("%d successful checks on locked links", n)
		}
	})
}
