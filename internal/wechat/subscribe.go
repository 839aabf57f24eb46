package wechat

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
)

// FieldKind is a subscribe-message template parameter type; WeChat enforces a
// format per type and rejects the whole message (47003) if one value breaks it.
type FieldKind string

// Template parameter types and the limits WeChat documents for them.
const (
	KindThing           FieldKind = "thing"            // ≤20 characters of any kind
	KindShortThing      FieldKind = "short_thing"      // ≤5 characters
	KindName            FieldKind = "name"             // ≤10 Chinese characters, or ≤20 letters/symbols without Chinese
	KindPhrase          FieldKind = "phrase"           // ≤5 Chinese characters only
	KindNumber          FieldKind = "number"           // ≤32 digits, optional decimal part
	KindLetter          FieldKind = "letter"           // ≤32 letters
	KindSymbol          FieldKind = "symbol"           // ≤5 symbols
	KindCharacterString FieldKind = "character_string" // ≤32 digits, letters or symbols
	KindTime            FieldKind = "time"             // 24-hour time, optionally with a date; "a~b" ranges
	KindDate            FieldKind = "date"             // date, optionally with a 24-hour time; "a~b" ranges
	KindAmount          FieldKind = "amount"           // one currency symbol, ≤10 digits, optional decimals, optional trailing 元
	KindPhoneNumber     FieldKind = "phone_number"     // ≤17 digits and symbols
	KindCarNumber       FieldKind = "car_number"       // ≤8 characters
)

// SubscribeMessage is one subscribe message. Data keys are the template's
// keywords ("thing1", "time2", …); the kind of each is read from the keyword
// unless Kinds names it.
type SubscribeMessage struct {
	ToOpenID   string
	TemplateID string
	Page       string // page (with query) opened from the card; empty for none
	Data       map[string]string
	Kinds      map[string]FieldKind // optional override per Data key
	// MiniprogramState is developer, trial or formal (default).
	MiniprogramState string
	Lang             string // zh_CN (default), en_US, zh_HK, zh_TW
}

// SendSubscribe validates m against WeChat's per-type limits and sends it.
// Invalid messages fail with ErrInvalidMessage before any request. The SDK's
// Send takes no context; ctx only guards the token fetch and the start.
func (c *Client) SendSubscribe(ctx context.Context, m SubscribeMessage) error {
	const api = "subscribe.send"
	if err := m.Validate(); err != nil {
		return c.fail(api, err)
	}
	msg := &subscribe.Message{
		ToUser: m.ToOpenID, TemplateID: m.TemplateID, Page: m.Page,
		Data:             make(map[string]*subscribe.DataItem, len(m.Data)),
		MiniprogramState: m.MiniprogramState, Lang: m.Lang,
	}
	for k, v := range m.Data {
		msg.Data[k] = &subscribe.DataItem{Value: v}
	}
	return c.withToken(ctx, api, func() error { return c.sub.Send(msg) })
}

// Validate checks m without sending it; errors wrap ErrInvalidMessage and name
// the keyword but never echo its value (it may be personal data).
func (m SubscribeMessage) Validate() error {
	switch {
	case m.ToOpenID == "":
		return fmt.Errorf("%w: no recipient openid", ErrInvalidMessage)
	case m.TemplateID == "":
		return fmt.Errorf("%w: no template id", ErrInvalidMessage)
	case len(m.Data) == 0:
		return fmt.Errorf("%w: no data", ErrInvalidMessage)
	}
	switch m.MiniprogramState {
	case "", "developer", "trial", "formal":
	default:
		return fmt.Errorf("%w: miniprogram_state %q", ErrInvalidMessage, m.MiniprogramState)
	}
	keys := make([]string, 0, len(m.Data))
	for k := range m.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic: report the same keyword every time
	for _, k := range keys {
		kind, ok := m.Kinds[k]
		if !ok {
			kind = KindOf(k)
		}
		if err := checkValue(kind, m.Data[k]); err != nil {
			return fmt.Errorf("%w: %s (%s): %s", ErrInvalidMessage, k, kind, err.Error())
		}
	}
	return nil
}

// KindOf reads the type from a template keyword: "thing12" → thing.
func KindOf(keyword string) FieldKind {
	return FieldKind(strings.TrimRight(keyword, "0123456789"))
}

var (
	numberRe      = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	letterRe      = regexp.MustCompile(`^[A-Za-z]+$`)
	charStringRe  = regexp.MustCompile(`^[!-~]+$`) // printable ASCII without space
	amountRe      = regexp.MustCompile(`^[¥￥$€£]?[0-9]{1,10}(\.[0-9]{1,2})?元?$`)
	phoneNumberRe = regexp.MustCompile(`^[0-9+\-() ]+$`)
	datePart      = `[0-9]{4}(年[0-9]{1,2}月[0-9]{1,2}日|-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|\.[0-9]{1,2}\.[0-9]{1,2})`
	clockPart     = `([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?`
	dateTimeRe    = regexp.MustCompile(`^(` + datePart + `(\s*` + clockPart + `)?|` + clockPart + `)$`)
	dateRe        = regexp.MustCompile(`^` + datePart + `(\s*` + clockPart + `)?$`)
)

func checkValue(kind FieldKind, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("empty value")
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("not UTF-8")
	}
	n := utf8.RuneCountInString(v)
	limit := func(max int) error {
		if n > max {
			return fmt.Errorf("%d characters, at most %d", n, max)
		}
		return nil
	}
	switch kind {
	case KindThing:
		return limit(20)
	case KindShortThing:
		return limit(5)
	case KindCarNumber:
		return limit(8)
	case KindName:
		if hasHan(v) {
			return limit(10)
		}
		return limit(20)
	case KindPhrase:
		if !allHan(v) {
			return fmt.Errorf("only Chinese characters allowed")
		}
		return limit(5)
	case KindNumber:
		return pattern(v, numberRe, limit(32))
	case KindLetter:
		return pattern(v, letterRe, limit(32))
	case KindCharacterString:
		return pattern(v, charStringRe, limit(32))
	case KindSymbol:
		if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) }) {
			return fmt.Errorf("only symbols allowed")
		}
		return limit(5)
	case KindAmount:
		return pattern(v, amountRe, nil)
	case KindPhoneNumber:
		return pattern(v, phoneNumberRe, limit(17))
	case KindTime:
		return timeRange(v, dateTimeRe)
	case KindDate:
		return timeRange(v, dateRe)
	}
	return fmt.Errorf("unknown parameter type; name the kind in Kinds")
}

func pattern(v string, re *regexp.Regexp, lengthErr error) error {
	if lengthErr != nil {
		return lengthErr
	}
	if !re.MatchString(v) {
		return fmt.Errorf("bad format")
	}
	return nil
}

// timeRange accepts one value or two joined by "~", as WeChat does.
func timeRange(v string, re *regexp.Regexp) error {
	parts := strings.Split(v, "~")
	if len(parts) > 2 {
		return fmt.Errorf("bad format")
	}
	for _, p := range parts {
		if !re.MatchString(strings.TrimSpace(p)) {
			return fmt.Errorf("bad format")
		}
	}
	return nil
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

func allHan(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}
