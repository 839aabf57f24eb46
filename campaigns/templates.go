// Package campaigns ships the campaign templates: one JSON file per notice, in the shape of the
// body of POST /api/v1/campaigns, named by its key (templates/zhashui-2024-53.json). A bureau adds
// its own by dropping a file into the directory FAYUAN_CAMPAIGN_TEMPLATES_DIR names; a file there
// wins over a shipped one of the same key.
package campaigns

import (
	"embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

//go:embed templates/*.json
var embedded embed.FS

// ErrNotFound means no template has the key.
var ErrNotFound = errors.New("campaign template not found")

// keyRE keeps a key a plain file name: no path, no dots.
var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Templates reads templates from an optional directory, then from the shipped set.
type Templates struct{ dir string }

// New returns the templates; dir may be empty.
func New(dir string) *Templates { return &Templates{dir: dir} }

// Get returns the JSON of the template key.
func (t *Templates) Get(key string) ([]byte, error) {
	if !keyRE.MatchString(key) {
		return nil, ErrNotFound
	}
	if t.dir != "" {
		b, err := os.ReadFile(filepath.Join(t.dir, key+".json"))
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	b, err := embedded.ReadFile("templates/" + key + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return b, err
}

// Keys lists every template's key, sorted.
func (t *Templates) Keys() ([]string, error) {
	seen := map[string]bool{}
	add := func(entries []fs.DirEntry) {
		for _, e := range entries {
			key, ok := strings.CutSuffix(e.Name(), ".json")
			if ok && !e.IsDir() && keyRE.MatchString(key) {
				seen[key] = true
			}
		}
	}
	shipped, err := embedded.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	add(shipped)
	if t.dir != "" {
		own, err := os.ReadDir(t.dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		add(own)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}
