package bot

import "sync"

// Lanes runs work for the same conversation one piece at a time, in the order it was
// queued, while different conversations run in parallel. The zero value is ready to use.
type Lanes struct {
	mu    sync.Mutex
	lanes map[string][]func()
	wg    sync.WaitGroup
}

// Go queues fn on the lane of key. It never blocks: the lane's goroutine, started when the
// lane was idle, runs the queue until it is empty and then ends.
func (l *Lanes) Go(key string, fn func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lanes == nil {
		l.lanes = map[string][]func(){}
	}
	queue, busy := l.lanes[key]
	l.lanes[key] = append(queue, fn)
	if busy {
		return
	}
	l.wg.Add(1)
	go l.drain(key)
}

func (l *Lanes) drain(key string) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		queue := l.lanes[key]
		if len(queue) == 0 {
			delete(l.lanes, key)
			l.mu.Unlock()
			return
		}
		fn := queue[0]
		queue[0] = nil
		l.lanes[key] = queue[1:]
		l.mu.Unlock()
		fn()
	}
}

// Wait blocks until every queued piece of work has run.
func (l *Lanes) Wait() { l.wg.Wait() }

// Busy returns how many conversations have work queued or running.
func (l *Lanes) Busy() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lanes)
}
