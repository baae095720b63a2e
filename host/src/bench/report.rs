//! Medians, ratios and the printed table.

use super::sides::Side;
use super::workloads::WORKLOADS;
use embedding_abi::EmbMode;

pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2.0
    }
}

/// Prints the medians (`medians[side][workload]`, milliseconds) and their
/// ratios to the first side, stock native.
pub fn print(sides: &[Side], medians: &[Vec<f64>], runs: usize) {
    println!(
        "benchmark: median of {runs} runs after one warm-up, milliseconds; ratio = side / stock-native"
    );
    for w in WORKLOADS {
        println!("  {} ({}, n = {}):", w.name, w.what, w.arg);
    }
    print!("{:<20}", "side");
    for w in WORKLOADS {
        print!("{:>22}", w.name);
    }
    println!();
    for (side, row) in sides.iter().zip(medians) {
        print!("{:<20}", side.name());
        for (i, ms) in row.iter().enumerate() {
            let ratio = ms / medians[0][i];
            print!("{:>22}", format!("{ms:.2} ({ratio:.2}x)"));
        }
        println!();
    }
    if let Some(p) = sides.iter().position(|s| *s == Side::StockPulley)
        && let Some(m) = sides
            .iter()
            .position(|s| *s == Side::Embedding(EmbMode::Minimal))
    {
        print!("{:<20}", "minimal/stock-pulley");
        for (embedded, stock) in medians[m].iter().zip(&medians[p]) {
            print!("{:>22}", format!("{:.2}x", embedded / stock));
        }
        println!();
    }
}
