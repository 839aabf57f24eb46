package wechat_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fayuan/internal/wechat"
)

func msg(data map[string]string) wechat.SubscribeMessage {
	return wechat.SubscribeMessage{ToOpenID: "openid-1", TemplateID: "tmpl-1", Page: "pages/case/index?id=7", Data: data}
}

func TestSendSubscribe(t *testing.T) {
	f := newFixture(t, nil)
	m := msg(map[string]string{"thing1": "法院送达通知", "time2": "2024年5月1日 09:30", "character_string3": "A2024-0101"})
	if err := f.client.SendSubscribe(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := f.srv.SubscribeMessages()
	if len(got) != 1 || got[0].ToUser != "openid-1" || got[0].TemplateID != "tmpl-1" ||
		got[0].Page != m.Page || got[0].Data["thing1"] != "法院送达通知" {
		t.Fatalf("fake received %+v", got)
	}
}

func TestSendSubscribeTooLongThingNotSent(t *testing.T) {
	f := newFixture(t, nil)
	err := f.client.SendSubscribe(context.Background(), msg(map[string]string{"thing1": strings.Repeat("案", 21)}))
	assertErr(t, f, err, wechat.ErrInvalidMessage, 0)
	if n := f.srv.Requests(); n != 0 || len(f.srv.SubscribeMessages()) != 0 {
		t.Fatalf("%d requests, %d messages after a refused message", n, len(f.srv.SubscribeMessages()))
	}
}

func TestSendSubscribeNotSubscribed(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Unsubscribe("openid-1")
	err := f.client.SendSubscribe(context.Background(), msg(map[string]string{"thing1": "通知"}))
	assertErr(t, f, err, wechat.ErrNotSubscribed, 43101)
}

func TestSendSubscribeRetriesInvalidToken(t *testing.T) {
	f := newFixture(t, nil)
	m := msg(map[string]string{"thing1": "通知"})
	if err := f.client.SendSubscribe(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	f.srv.InvalidateTokens()
	if err := f.client.SendSubscribe(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if f.srv.TokenFetches() != 2 || len(f.srv.SubscribeMessages()) != 2 {
		t.Fatalf("fetches %d, messages %d", f.srv.TokenFetches(), len(f.srv.SubscribeMessages()))
	}
}

func TestValidate(t *testing.T) {
	ok := map[string]string{
		"thing1":            strings.Repeat("案", 20),
		"short_thing1":      "已送达",
		"name1":             strings.Repeat("张", 10),
		"name2":             strings.Repeat("a", 20),
		"phrase1":           "已签收",
		"number1":           strings.Repeat("9", 31) + "0",
		"number2":           "3.14",
		"letter1":           "abc",
		"symbol1":           "!!",
		"character_string1": strings.Repeat("A", 32),
		"time1":             "15:01",
		"time2":             "2019年10月1日 15:01",
		"time3":             "2019-10-01 15:01~2019-10-01 16:00",
		"date1":             "2019年10月1日",
		"date2":             "2019/10/01 08:00",
		"amount1":           "¥12.50",
		"amount2":           "100元",
		"phone_number1":     "+86 138-0000-0000",
		"car_number1":       "京A12345",
	}
	for k, v := range ok {
		if err := msg(map[string]string{k: v}).Validate(); err != nil {
			t.Errorf("%s=%q refused: %v", k, v, err)
		}
	}
	bad := map[string]string{
		"thing1":            strings.Repeat("a", 21),
		"short_thing1":      "123456",
		"name1":             strings.Repeat("张", 11),
		"name2":             strings.Repeat("a", 21),
		"phrase1":           "已签收了吗啊",
		"phrase2":           "ok",
		"number1":           strings.Repeat("9", 33),
		"number2":           "12a",
		"letter1":           "ab1",
		"symbol1":           "a!",
		"character_string1": strings.Repeat("A", 33),
		"character_string2": "案号",
		"time1":             "tomorrow",
		"time2":             "25:00",
		"date1":             "15:01",
		"amount1":           "¥12345678901",
		"phone_number1":     strings.Repeat("1", 18),
		"car_number1":       "京A123456X",
		"mystery1":          "x",
		"thing9":            "   ",
	}
	for k, v := range bad {
		err := msg(map[string]string{k: v}).Validate()
		if !errors.Is(err, wechat.ErrInvalidMessage) {
			t.Errorf("%s=%q accepted (%v)", k, v, err)
		} else if strings.TrimSpace(v) != "" && strings.Contains(err.Error(), v) {
			t.Errorf("error echoes the value: %v", err)
		}
	}
	m := msg(map[string]string{"keyword1": "anything"})
	m.Kinds = map[string]wechat.FieldKind{"keyword1": wechat.KindThing}
	if err := m.Validate(); err != nil {
		t.Errorf("Kinds override ignored: %v", err)
	}
	for _, m := range []wechat.SubscribeMessage{
		{TemplateID: "t", Data: map[string]string{"thing1": "x"}},
		{ToOpenID: "o", Data: map[string]string{"thing1": "x"}},
		{ToOpenID: "o", TemplateID: "t"},
	} {
		if err := m.Validate(); !errors.Is(err, wechat.ErrInvalidMessage) {
			t.Errorf("%+v accepted", m)
		}
	}
}
