package testenv

// Callers are the columns of the route × role table, in the order the table shows them.
var Callers = []string{"anonymous", "admin", "manager", "staff", "reviewer", "handler", "auditor", "other_org"}

// CallerTokens gives each caller of Callers its access token: "" for anonymous, the seeded
// user of each role, and for "other_org" a user of an organisation no seeded object belongs to
// (a law firm of its own) holding every role such a firm may hold (staff, reviewer, handler),
// so that it passes every role check and only the organisation tells it apart.
func (e *Env) CallerTokens(w *World) map[string]string {
	e.T.Helper()
	other := e.CreateOrg(w.Admin, "外县律师事务所", "law_firm", w.Bureau)
	w.Users["other_org"] = e.CreateUser(w.Admin, "other_org", other, "staff", "reviewer", "handler")
	w.Tokens["other_org"], _ = e.Login("other_org", Password("other_org"))
	out := map[string]string{"anonymous": "", "admin": w.Admin}
	for _, c := range Callers[2:] {
		out[c] = w.Tokens[c]
	}
	return out
}
