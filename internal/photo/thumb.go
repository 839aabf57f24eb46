package photo

import (
	"bytes"
	"image"
	"image/jpeg"
	_ "image/png" // decoders for Thumbnail
	"io"
	"sync"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"
)

// ThumbSide is the longer side of a thumbnail, in pixels: sharp in a list on a phone.
const ThumbSide = 320

// Thumbnail decodes a stored photo (already checked by Rewrite) and returns a JPEG at most
// side pixels on its longer side, turned upright by orientation.
func Thumbnail(src io.Reader, orientation, side int) ([]byte, error) {
	img, _, err := image.Decode(src)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > side || h > side {
		if w >= h {
			w, h = side, max(1, h*side/b.Dx())
		} else {
			w, h = max(1, w*side/b.Dy()), side
		}
	}
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, upright(small, orientation), &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// upright applies an EXIF orientation (2–8) to a small image.
func upright(m *image.RGBA, o int) image.Image {
	if o < 2 || o > 8 {
		return m
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	if o >= 5 {
		tw, th = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, tw, th))
	for y := range h {
		for x := range w {
			var nx, ny int
			switch o {
			case 2:
				nx, ny = w-1-x, y
			case 3:
				nx, ny = w-1-x, h-1-y
			case 4:
				nx, ny = x, h-1-y
			case 5:
				nx, ny = y, x
			case 6:
				nx, ny = h-1-y, x
			case 7:
				nx, ny = h-1-y, w-1-x
			case 8:
				nx, ny = y, w-1-x
			}
			out.Set(nx, ny, m.At(x, y))
		}
	}
	return out
}

// Pool runs background jobs on a fixed number of workers with a bounded queue, so a burst of
// uploads never decodes more than a few photos at once.
type Pool struct {
	jobs    chan func()
	pending sync.WaitGroup
	workers sync.WaitGroup
	mu      sync.Mutex
	closed  bool
}

// NewPool starts workers workers with room for queue waiting jobs.
func NewPool(workers, queue int) *Pool {
	p := &Pool{jobs: make(chan func(), queue)}
	for range workers {
		p.workers.Add(1)
		go func() {
			defer p.workers.Done()
			for job := range p.jobs {
				job()
				p.pending.Done()
			}
		}()
	}
	return p
}

// Go queues job; false when the queue is full or the pool closed (the caller makes it again
// later: a thumbnail asked for and not there is queued again).
func (p *Pool) Go(job func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.pending.Add(1)
	select {
	case p.jobs <- job:
		return true
	default:
		p.pending.Done()
		return false
	}
}

// Wait returns when every queued job has run (tests).
func (p *Pool) Wait() { p.pending.Wait() }

// Close stops taking jobs and waits for the queued ones.
func (p *Pool) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.jobs)
	p.mu.Unlock()
	p.workers.Wait()
}
