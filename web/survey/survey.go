// Package survey holds the recipients' survey page: one self-contained HTML file (inline CSS and
// ES5 script, no fonts or CDN) for WeChat's browser and old Android WebViews. It reads the
// token from its own path (/s/{token}) and speaks the same API as the mini-program.
package survey

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"regexp"
)

// Page is the survey page.
//
//go:embed index.html
var Page []byte

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// CSP is the page's Content-Security-Policy: its own inline script (by hash, with
// 'unsafe-inline' as the fallback that only browsers without CSP2 hashes honour) and style, API
// calls to its own origin, nothing else.
var CSP = func() string {
	src := "'unsafe-inline'"
	for _, m := range inlineScript.FindAllSubmatch(Page, -1) {
		h := sha256.Sum256(m[1])
		src = "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "' " + src
	}
	return "default-src 'none'; script-src " + src + "; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()

// ErrorPage is a plain page for a link that does not open (404), a caller slowed down (429) or
// our fault: an elderly recipient should read a sentence, not JSON.
func ErrorPage(status int) []byte {
	msg := "系统暂时出错，请稍后再试。"
	switch status {
	case 404:
		msg = "链接无效或已过期。如有疑问，请联系回访工作人员。"
	case 429:
		msg = "打开次数过多，请稍后再试。"
	}
	return []byte(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<title>法律援助回访</title><style>body{font-family:sans-serif;font-size:22px;line-height:1.6;padding:24px}</style></head><body><p>` +
		msg + `</p></body></html>`)
}
