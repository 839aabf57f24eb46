package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"fayuan/config"
)

func TestReminderSettings(t *testing.T) {
	for _, c := range []struct {
		vars             map[string]string
		time, tmpl, summ string
		err              string // a part of the error; "" for none
	}{
		{vars: nil, time: "08:30"},
		{vars: map[string]string{"FAYUAN_REMINDER_TIME": "off"}, time: ""},
		{vars: map[string]string{"FAYUAN_REMINDER_TIME": "07:05", "FAYUAN_WECHAT_TEMPLATE_REMINDER": "Ab-_9", "FAYUAN_WECHAT_TEMPLATE_SUMMARY": "x"},
			time: "07:05", tmpl: "Ab-_9", summ: "x"},
		{vars: map[string]string{"FAYUAN_REMINDER_TIME": "25:00"}, err: "FAYUAN_REMINDER_TIME"},
		{vars: map[string]string{"FAYUAN_REMINDER_TIME": "8:30"}, err: "FAYUAN_REMINDER_TIME"},
		{vars: map[string]string{"FAYUAN_WECHAT_TEMPLATE_REMINDER": "has space"}, err: "FAYUAN_WECHAT_TEMPLATE_REMINDER"},
		{vars: map[string]string{"FAYUAN_WECHAT_TEMPLATE_SUMMARY": strings.Repeat("a", 65)}, err: "FAYUAN_WECHAT_TEMPLATE_SUMMARY"},
	} {
		got, err := config.Load(filepath.Join(t.TempDir(), "config.yaml"), env(c.vars))
		if c.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("%v: error %v, want one naming %s", c.vars, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.vars, err)
		}
		if got.ReminderTime != c.time || got.WechatTemplateReminder != c.tmpl || got.WechatTemplateSummary != c.summ {
			t.Errorf("%v: time %q, templates %q %q", c.vars, got.ReminderTime, got.WechatTemplateReminder, got.WechatTemplateSummary)
		}
	}
}
