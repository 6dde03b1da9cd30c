//! Terminal input, read on a thread of its own.
//!
//! crossterm's reader spins without end on a terminal that went away: `read` answers EOF or EIO
//! at once and it reads again (crossterm issue #793). On the UI task that would hold the loop
//! for good, so SIGHUP would never be handled and an orphaned kubedeck would burn a core. Here
//! only the reader thread can be caught so, and the UI task asks [`hung_up`] every second: a
//! kubedeck that got no SIGHUP (run under `nohup`, or outside the session the kernel hung up)
//! still leaves when its terminal is gone.

use std::io::IsTerminal;

use crossterm::event::Event;
use tokio::sync::mpsc;

/// Events read ahead of the UI task (keys typed ahead, a paste in pieces); the reader waits
/// when they are not taken.
const READ_AHEAD: usize = 256;

/// Read the terminal's events on a thread of its own until it fails (then its error is the
/// last event) or nobody takes them any more.
pub fn spawn() -> mpsc::Receiver<std::io::Result<Event>> {
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    let reader = std::thread::Builder::new()
        .name("kubedeck-input".into())
        .spawn(move || {
            loop {
                let event = crossterm::event::read();
                let failed = event.is_err();
                if tx.blocking_send(event).is_err() || failed {
                    return;
                }
            }
        });
    if let Err(e) = reader {
        // No thread, no input: said as the terminal gone (the loop leaves at once).
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(Err(e));
        return rx;
    }
    rx
}

/// The terminal kubedeck reads (stdin, or `/dev/tty` when stdin is not one, as crossterm
/// chooses), watched for a hang-up.
pub struct Tty {
    dev_tty: Option<std::fs::File>,
}

impl Tty {
    pub fn open() -> Self {
        let dev_tty = if std::io::stdin().is_terminal() {
            None
        } else {
            std::fs::File::open("/dev/tty").ok()
        };
        Self { dev_tty }
    }

    /// Whether the terminal hung up (its other side closed: the SSH session or the terminal
    /// window is gone). Asks without reading and without waiting.
    pub fn hung_up(&self) -> bool {
        let stdin = std::io::stdin();
        match &self.dev_tty {
            Some(tty) => hung_up(tty),
            None => hung_up(&stdin),
        }
    }
}

fn hung_up(fd: &impl std::os::fd::AsFd) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut fds = [PollFd::new(fd, PollFlags::empty())];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match poll(&mut fds, Some(&now)) {
        Ok(n) if n > 0 => fds[0]
            .revents()
            .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pseudo-terminal whose other side closes hangs up; while it is open it does not.
    #[test]
    fn a_terminal_whose_other_side_closed_hung_up() {
        use portable_pty::{PtySize, native_pty_system};
        let pair = native_pty_system()
            .openpty(PtySize::default())
            .expect("a pseudo-terminal");
        let name = pair.master.tty_name().expect("the terminal's name");
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&name)
            .expect("the terminal opened");
        drop(pair.slave);
        assert!(!hung_up(&tty), "open: not hung up");
        drop(pair.master);
        assert!(hung_up(&tty), "its other side closed: hung up");
    }
}
