package review

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// FullMarks is the total every rubric's items must sum to: 100 points.
const FullMarks Tenths = 1000

// AppliesHearing is the applies_to value of a hearing-observation rubric; file rubrics name case
// categories (criminal, civil, administrative) instead.
const AppliesHearing = "hearing"

// Rubric is a scoring template (评查表): sections, items, maxima, typical deductions and veto
// items. It is data: the defaults ship in rubrics/*.json and a bureau may load its own.
type Rubric struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	AppliesTo []string  `json:"applies_to"`
	Sections  []Section `json:"sections"`
	Items     []Item    `json:"items"`
	Vetoes    []Veto    `json:"vetoes"`
}

// Section is a group of items (e.g. 会见) whose maximum is the sum of its items' maxima.
type Section struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Max   Tenths `json:"max"`
}

// Item is one scored line of a rubric. Veto marks an item whose failure is also a veto (e.g.
// absence from a hearing), named by VetoLabel and defined in the rubric's Vetoes.
type Item struct {
	Code       string      `json:"code"`
	Section    string      `json:"section"`
	Label      string      `json:"label"`
	Max        Tenths      `json:"max"`
	Deductions []Deduction `json:"deductions"`
	NAAllowed  bool        `json:"na_allowed"`
	Veto       bool        `json:"veto"`
	VetoLabel  string      `json:"veto_label,omitempty"`
}

// Deduction is a typical deduction (扣分项) offered to the reviewer; the reviewer may enter any
// amount with a reason.
type Deduction struct {
	Label  string `json:"label"`
	Points Tenths `json:"points"`
}

// Veto is a 一票否决 item: applied on a sheet with a reason, it makes the sheet 不合格 whatever
// the points. Item, when set, is the item the veto belongs to (the court-attendance item).
type Veto struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Item  string `json:"item,omitempty"`
}

// Problem is one thing wrong with a rubric or a sheet: Field locates it, Message says it in
// Chinese for the person who uploaded or entered it.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// InvalidError lists every problem found, so a bureau fixes its table in one round.
type InvalidError struct {
	What     string
	Problems []Problem
}

// Error joins the problems into one line.
func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return "invalid " + e.What + ": " + strings.Join(parts, "; ")
}

type problems struct{ list []Problem }

func (p *problems) add(field, format string, args ...any) {
	p.list = append(p.list, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) err(what string) error {
	if len(p.list) == 0 {
		return nil
	}
	return &InvalidError{What: what, Problems: p.list}
}

// Load reads a rubric from JSON and validates it: unknown fields are refused, items must sum to
// exactly 100 points, each section's maximum must equal its items' sum, codes must be unique and
// no number may be negative. The error is an *InvalidError naming every problem.
func Load(r io.Reader) (*Rubric, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var rb Rubric
	if err := dec.Decode(&rb); err != nil {
		return nil, &InvalidError{What: "rubric", Problems: []Problem{{Field: "json", Message: "无法解析评查表：" + err.Error()}}}
	}
	if dec.More() {
		return nil, &InvalidError{What: "rubric", Problems: []Problem{{Field: "json", Message: "评查表之后有多余内容"}}}
	}
	if err := rb.Validate(); err != nil {
		return nil, err
	}
	return &rb, nil
}

var appliesValues = map[string]bool{"criminal": true, "civil": true, "administrative": true, AppliesHearing: true}

// Validate checks the rubric's structure and arithmetic; Load calls it.
func (rb *Rubric) Validate() error {
	var p problems
	if strings.TrimSpace(rb.ID) == "" {
		p.add("id", "缺少编号")
	}
	if rb.Version < 1 {
		p.add("version", "版本号须为正整数")
	}
	if strings.TrimSpace(rb.Title) == "" {
		p.add("title", "缺少名称")
	}
	if len(rb.AppliesTo) == 0 {
		p.add("applies_to", "须指明适用的案件类别或 hearing")
	}
	for i, a := range rb.AppliesTo {
		if !appliesValues[a] {
			p.add(fmt.Sprintf("applies_to[%d]", i), "未知的适用范围 %q", a)
		} else if a == AppliesHearing && len(rb.AppliesTo) > 1 {
			p.add(fmt.Sprintf("applies_to[%d]", i), "庭审旁听评价表不能同时适用于案卷")
		}
	}
	sections := map[string]int{}
	for i, s := range rb.Sections {
		f := fmt.Sprintf("sections[%d]", i)
		switch {
		case strings.TrimSpace(s.Code) == "":
			p.add(f+".code", "缺少编号")
		case sections[s.Code] > 0:
			p.add(f+".code", "编号 %s 重复", s.Code)
		}
		sections[s.Code]++
		if strings.TrimSpace(s.Title) == "" {
			p.add(f+".title", "缺少名称")
		}
		if s.Max < 0 {
			p.add(f+".max", "分值 %s 为负数", s.Max)
		}
	}
	if len(rb.Sections) == 0 {
		p.add("sections", "至少需要一个部分")
	}
	sums := map[string]Tenths{}
	items := map[string]*Item{}
	var total Tenths
	for i := range rb.Items {
		it := &rb.Items[i]
		f := fmt.Sprintf("items[%d]", i)
		switch {
		case strings.TrimSpace(it.Code) == "":
			p.add(f+".code", "缺少编号")
		case items[it.Code] != nil:
			p.add(f+".code", "编号 %s 重复", it.Code)
		default:
			items[it.Code] = it
		}
		if _, ok := sections[it.Section]; !ok {
			p.add(f+".section", "条目 %s 所属部分 %q 不存在", it.Code, it.Section)
		}
		if strings.TrimSpace(it.Label) == "" {
			p.add(f+".label", "条目 %s 缺少内容", it.Code)
		}
		if it.Max < 0 {
			p.add(f+".max", "条目 %s 的分值 %s 为负数", it.Code, it.Max)
		} else if it.Max == 0 {
			p.add(f+".max", "条目 %s 的分值须大于 0", it.Code)
		}
		if it.Veto && strings.TrimSpace(it.VetoLabel) == "" {
			p.add(f+".veto_label", "否决条目 %s 须写明否决事项", it.Code)
		}
		for j, d := range it.Deductions {
			df := fmt.Sprintf("%s.deductions[%d]", f, j)
			if strings.TrimSpace(d.Label) == "" {
				p.add(df+".label", "条目 %s 的扣分项缺少内容", it.Code)
			}
			if d.Points < 0 {
				p.add(df+".points", "条目 %s 的扣分 %s 为负数", it.Code, d.Points)
			} else if d.Points == 0 || d.Points > it.Max {
				p.add(df+".points", "条目 %s 的扣分 %s 须大于 0 且不超过该条目分值 %s", it.Code, d.Points, it.Max)
			}
		}
		sums[it.Section] += it.Max
		total += it.Max
	}
	for i, s := range rb.Sections {
		if sums[s.Code] != s.Max {
			p.add(fmt.Sprintf("sections[%d].max", i), "部分 %s 的分值 %s 与其条目合计 %s 不符", s.Code, s.Max, sums[s.Code])
		}
	}
	if total != FullMarks {
		p.add("items", "各条目分值合计 %s 分，须为 100 分", total)
	}
	rb.validateVetoes(&p, items)
	return p.err("rubric")
}

func (rb *Rubric) validateVetoes(p *problems, items map[string]*Item) {
	codes := map[string]bool{}
	linked := map[string]bool{}
	for i, v := range rb.Vetoes {
		f := fmt.Sprintf("vetoes[%d]", i)
		switch {
		case strings.TrimSpace(v.Code) == "":
			p.add(f+".code", "缺少编号")
		case codes[v.Code]:
			p.add(f+".code", "否决事项编号 %s 重复", v.Code)
		}
		codes[v.Code] = true
		if strings.TrimSpace(v.Label) == "" {
			p.add(f+".label", "否决事项 %s 缺少内容", v.Code)
		}
		if v.Item == "" {
			continue
		}
		if it := items[v.Item]; it == nil || !it.Veto {
			p.add(f+".item", "否决事项 %s 关联的条目 %q 不存在或未标为否决条目", v.Code, v.Item)
		}
		linked[v.Item] = true
	}
	for i, it := range rb.Items {
		if it.Veto && !linked[it.Code] {
			p.add(fmt.Sprintf("items[%d].veto", i), "否决条目 %s 没有对应的否决事项", it.Code)
		}
	}
}

// Item returns the item with the given code, or nil.
func (rb *Rubric) Item(code string) *Item {
	for i := range rb.Items {
		if rb.Items[i].Code == code {
			return &rb.Items[i]
		}
	}
	return nil
}

// VetoDef returns the veto with the given code, or nil.
func (rb *Rubric) VetoDef(code string) *Veto {
	for i := range rb.Vetoes {
		if rb.Vetoes[i].Code == code {
			return &rb.Vetoes[i]
		}
	}
	return nil
}

//go:embed rubrics/*.json
var defaultFS embed.FS

// Defaults loads the shipped templates (criminal; civil and administrative; hearing
// observation), sorted by id. Each call returns fresh copies a caller may change.
func Defaults() ([]*Rubric, error) {
	names, err := fs.Glob(defaultFS, "rubrics/*.json")
	if err != nil {
		return nil, err
	}
	out := make([]*Rubric, 0, len(names))
	for _, name := range names {
		b, err := defaultFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		rb, err := Load(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		out = append(out, rb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Default returns the shipped template with the given id.
func Default(id string) (*Rubric, error) {
	all, err := Defaults()
	if err != nil {
		return nil, err
	}
	for _, rb := range all {
		if rb.ID == id {
			return rb, nil
		}
	}
	return nil, fmt.Errorf("no default rubric %q", id)
}
