//! Checks the monotonic and wall clocks, printing only facts that are the
//! same on every run and runtime (never a raw time).
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn main() {
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(50));
    let t1 = Instant::now();
    let elapsed = t1 - t0;
    println!(
        "monotonic: advanced >= 50ms: {}",
        yes(elapsed >= Duration::from_millis(50))
    );
    println!(
        "monotonic: advanced < 10s: {}",
        yes(elapsed < Duration::from_secs(10))
    );
    println!("monotonic: never goes back: {}", yes(Instant::now() >= t1));

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("wall clock before 1970");
    // 2020-01-01T00:00:00Z and 2100-01-01T00:00:00Z.
    println!("wall: after 2020: {}", yes(now.as_secs() >= 1_577_836_800));
    println!("wall: before 2100: {}", yes(now.as_secs() < 4_102_444_800));
}
