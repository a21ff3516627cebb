//! What the load generator reads of the node's process: CPU time and resident memory, from /proc.

/// A /proc sample of a process: CPU seconds and resident KiB (`None`: unreadable).
pub(crate) type Sample = Option<(f64, u64)>;

/// Per-process CPU time (user + system, seconds) and resident memory (KiB) from /proc.
pub(crate) fn proc_sample(pid: u64) -> Sample {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields after the command: state is [0]; utime [11], stime [12] in clock ticks.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    // The kernel's USER_HZ is 100 on Linux.
    Some((ticks / 100.0, rss))
}
