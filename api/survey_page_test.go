package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fayuan/internal/testenv"
	"fayuan/model"
	"fayuan/web/survey"
)

// maxPageBytes is the survey page's budget: a basic phone on a weak village signal.
const maxPageBytes = 100 * 1024

// The page as served: under 100 KB, self-contained (no external script, style, font or image),
// its own inline script allowed by its CSP and nothing else, no referrer, never cached.
func TestSurveyPageServed(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		r := testenv.Expect(t, x.Do(http.MethodGet, "/s/"+l.Token, "", nil), http.StatusOK)
		if n := len(r.Body); n > maxPageBytes || n != len(survey.Page) {
			t.Fatalf("page is %d bytes (embedded %d), budget %d", n, len(survey.Page), maxPageBytes)
		}
		t.Logf("survey page weight: %d bytes", len(r.Body))
		body := string(r.Body)
		for _, bad := range []string{"http://", "https://", "@import", "<link", "src=", "type=\"module\"", "=>", "let ", "const ", "`"} {
			if strings.Contains(body, bad) {
				t.Fatalf("page contains %q: not self-contained ES5", bad)
			}
		}
		if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("headers = %v", r.Header)
		}
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'sha256-") || !strings.Contains(csp, "connect-src 'self'") {
			t.Fatalf("CSP = %q", csp)
		}
		if strings.Contains(body, "赡养纠纷") || strings.Contains(body, "王秀英") {
			t.Fatal("the page itself carries the case")
		}
	})
}

// chromium finds Debian's chromium, or fails telling the newcomer what to install (or skips
// with FAYUAN_TEST_NO_BROWSER=1).
func chromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("FAYUAN_TEST_NO_BROWSER") == "1" {
		t.Skip("FAYUAN_TEST_NO_BROWSER=1")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no headless browser: apt-get install -y chromium (or set FAYUAN_TEST_NO_BROWSER=1 to skip)")
	return ""
}

// artifactDir is where screenshots are kept: test-artifacts/ at the repository root (ignored
// by git), so they outlive the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "test-artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The survey page in headless Chromium at a phone's size: load, check identity by name and ID
// digits, answer the four questions (a "yes" with its note, dissatisfied with its follow-up,
// answered by family), submit, see the thanks page. The answer is stored and opens its
// alerts; screenshots of the form and the thanks page are kept in test-artifacts/.
func TestSurveyPageInBrowser(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, b testenv.Backend) {
		exe := chromium(t)
		x := newSurvEnv(t, b)
		c := x.putSurveyCase("staff")
		l := x.link("staff", c.ID, http.StatusCreated)
		srv := httptest.NewServer(x.App.Handler)
		defer srv.Close()

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
			chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.WindowSize(390, 844))
		defer cancelAlloc()
		bctx, cancelBrowser := chromedp.NewContext(alloc)
		defer cancelBrowser()

		css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
		click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(css(sel)) }
		typ := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(css(sel), v) }
		visible := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(css(sel)) }
		step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(bctx, steps...); err != nil {
				t.Fatalf("browser, %s: %v", what, err)
			}
		}
		text := func(sel string) string {
			t.Helper()
			v, err := chromedp.Run(bctx, chromedp.Text(css(sel)))
			if err != nil {
				t.Fatalf("browser, text of %s: %v", sel, err)
			}
			return v
		}
		shot := func() []byte {
			t.Helper()
			img, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("browser, screenshot: %v", err)
			}
			return img
		}

		step("load", chromedp.Navigate(srv.URL+"/s/"+l.Token), visible("#who"))
		heading := text("#org")
		step("identity", typ("#name", "王秀英"), typ("#last4", strings.ToLower(c.IDNumber[14:])), click("#verifyBtn"), visible("#form"))
		info := text("#caseInfo")
		step("answers",
			click(`input[name="charged_fee"][value="yes"]`), visible("#box_charged_fee_note"),
			typ("#t_charged_fee_note", "要了两百元材料费"),
			click(`input[name="negligent"][value="no"]`),
			click(`input[name="satisfied"][value="dissatisfied"]`), visible("#box_dissatisfied_about"),
			click(`input[name="dissatisfied_about"][value="attitude"]`),
			typ("#t_suggestion", "希望多回访"),
			click(`input[name="answered_by"][value="family"]`), visible("#relBox"),
			typ("#relationship", "儿子"))
		form := shot()
		step("submit", click("#submitBtn"), visible("#thanks"))
		thanks := shot()
		if !strings.Contains(heading, "县司法局") || !strings.Contains(info, "赡养纠纷") || !strings.Contains(info, "赵律师") {
			t.Fatalf("heading %q, case info %q", heading, info)
		}
		dir := artifactDir(t)
		for name, img := range map[string][]byte{"form": form, "thanks": thanks} {
			p := filepath.Join(dir, "survey-page-"+name+"-"+string(b)+".png")
			if err := os.WriteFile(p, img, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot kept: %s", p)
		}

		var ans model.SurveyAnswer
		if err := x.App.DB.Take(&ans).Error; err != nil {
			t.Fatalf("no answer stored: %v", err)
		}
		for _, want := range []string{`"charged_fee":"yes"`, `"charged_fee_note":"要了两百元材料费"`, `"satisfied":"dissatisfied"`,
			`"dissatisfied_about":"attitude"`, `"answered_by":"family"`, `"relationship":"儿子"`, `"suggestion":"希望多回访"`} {
			if !strings.Contains(ans.AnswersJSON, want) {
				t.Fatalf("stored answer %s lacks %s", ans.AnswersJSON, want)
			}
		}
		if ans.Verification != "id" {
			t.Fatalf("verification = %q", ans.Verification)
		}
		if n := len(x.alerts()); n != 2 {
			t.Fatalf("%d alerts, want 2 (fee, dissatisfaction)", n)
		}
	})
}
