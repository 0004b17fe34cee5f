package pterosim

import "sync"

// hookEvent is one call to make on the Node.
type hookEvent struct {
	uuid    string
	state   string // StateChanged when set
	command string // Command otherwise
}

// dispatcher calls the Node's hooks from one goroutine, in the order the
// events were pushed, with no Sim lock held: a hook may call back into the
// Sim (Power, ServerState) without deadlocking it.
type dispatcher struct {
	node Node

	mu    sync.Mutex
	queue []hookEvent
	wake  chan struct{}
	quit  chan struct{}
	done  chan struct{}
}

func newDispatcher(n Node) *dispatcher {
	d := &dispatcher{node: n, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go d.run()
	return d
}

// push queues events; it never blocks, so it may be called under Sim.mu,
// which is what keeps events from racing goroutines in order.
func (d *dispatcher) push(evs ...hookEvent) {
	if d == nil || len(evs) == 0 {
		return
	}
	d.mu.Lock()
	d.queue = append(d.queue, evs...)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run() {
	defer close(d.done)
	for {
		select {
		case <-d.quit:
			return
		case <-d.wake:
		}
		for {
			d.mu.Lock()
			batch := d.queue
			d.queue = nil
			d.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			for _, ev := range batch {
				select {
				case <-d.quit:
					return
				default:
					d.deliver(ev)
				}
			}
		}
	}
}

func (d *dispatcher) deliver(ev hookEvent) {
	if ev.state != "" {
		d.node.StateChanged(ev.uuid, ev.state)
		return
	}
	d.node.Command(ev.uuid, ev.command)
}

// close stops the goroutine and waits for it; events not yet delivered are
// dropped.
func (d *dispatcher) close() {
	close(d.quit)
	<-d.done
}
