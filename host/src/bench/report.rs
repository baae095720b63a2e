//! Medians, ratios, memory, the goals, and the JSON report.

use super::Results;
use super::sides::Side;
use crate::conformance::json::Json;
use embedding_abi::EmbMode;
use embedding_abi::modes::Arch;

pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2.0
    }
}

/// A goal: every ratio it covers must be at most `limit`.
pub struct Goal {
    pub what: &'static str,
    pub limit: f64,
    /// (workload and sides, ratio).
    pub ratios: Vec<(String, f64)>,
}

impl Goal {
    pub fn met(&self) -> bool {
        self.ratios.iter().all(|(_, r)| *r <= self.limit)
    }
}

impl Results {
    /// `a`'s median over `b`'s for workload `w`, when both sides ran.
    fn ratio(&self, w: usize, a: Side, b: Side) -> Option<f64> {
        Some(self.cells[w][self.side(a)?].median / self.cells[w][self.side(b)?].median)
    }

    /// The goals of issue 11 that this run's sides and workloads cover.
    pub fn goals(&self) -> Vec<Goal> {
        let full = Side::Embedding(EmbMode::Full);
        let vm = Side::Embedding(EmbMode::Vm);
        let minimal = Side::Embedding(EmbMode::Minimal);
        let mut goals = Vec::new();
        let mut goal = |what, limit, pairs: &[(Side, Side)], pick: &dyn Fn(usize) -> bool| {
            let mut ratios = Vec::new();
            for (w, workload) in self.workloads.iter().enumerate() {
                if !pick(w) {
                    continue;
                }
                for &(a, b) in pairs {
                    if let Some(r) = self.ratio(w, a, b).filter(|r| r.is_finite()) {
                        let label = format!("{} {}/{}", workload.name, short(a), short(b));
                        ratios.push((label, r));
                    }
                }
            }
            if !ratios.is_empty() {
                goals.push(Goal {
                    what,
                    limit,
                    ratios,
                });
            }
        };
        let name = |w: usize| self.workloads[w].name;
        let compute = |w: usize| self.workloads[w].kind.is_compute();
        goal(
            "full, compute",
            1.03,
            &[(full, Side::StockNative)],
            &compute,
        );
        goal(
            "host->wasm call",
            1.2,
            &[
                (full, Side::StockNative),
                (vm, Side::StockNative),
                (minimal, Side::StockPulley),
            ],
            &|w| name(w) == "call",
        );
        goal(
            "instantiate with CoW",
            1.2,
            &[(full, Side::StockNative), (vm, Side::StockNative)],
            &|w| name(w) == "instantiate-1mib",
        );
        goal("vm vs full", 1.3, &[(vm, full)], &compute);
        goal(
            "minimal vs the interpreter peers",
            1.0,
            &[(minimal, Side::Wasmi), (minimal, Side::Wasm3)],
            &|_| true,
        );
        goal(
            "minimal, integer code",
            1.05,
            &[(minimal, Side::StockPulley)],
            &|w| compute(w) && self.workloads[w].integer,
        );
        goals
    }
}

fn short(side: Side) -> String {
    match side {
        Side::Embedding(_) => side.name().trim_start_matches("embedding-").into(),
        other => other.name(),
    }
}

pub fn print(r: &Results) {
    let place = match r.arch {
        Arch::X86_64 => String::new(),
        // Absolute times under emulation mean nothing; the ratios do.
        arch => format!(
            " on {} under qemu-user (every side; times are emulated, compare ratios only)",
            crate::arch_name(arch)
        ),
    };
    println!(
        "benchmark{place}: median of {} samples per side ({} processes, in turn, of {} after one \
         checked warm-up each); ratio = side / stock-native",
        r.runs * r.processes,
        r.processes,
        r.runs
    );
    for w in &r.workloads {
        println!("  {:<17} {} [{}]", w.name, w.what, w.kind.unit());
    }
    let pulley_ratio =
        r.side(Side::StockPulley).is_some() && r.side(Side::Embedding(EmbMode::Minimal)).is_some();
    print!("{:<18}", "workload");
    for side in &r.sides {
        print!("{:>22}", side.name());
    }
    if pulley_ratio {
        print!("{:>16}", "minimal/pulley");
    }
    println!();
    for (w, workload) in r.workloads.iter().enumerate() {
        print!("{:<18}", workload.name);
        for cell in &r.cells[w] {
            let ratio = cell.median / r.cells[w][0].median;
            if cell.error.is_some() {
                print!("{:>22}", "failed");
            } else {
                print!("{:>22}", format!("{} ({ratio:.2}x)", figure(cell.median)));
            }
        }
        if pulley_ratio {
            let ratio = r.ratio(w, Side::Embedding(EmbMode::Minimal), Side::StockPulley);
            print!("{:>16}", format!("{:.2}x", ratio.unwrap_or(f64::NAN)));
        }
        println!();
    }

    println!(
        "memory: embedding heap high-water mark, KiB (peak resident memory of the process, MiB)"
    );
    print!("{:<18}", "workload");
    for side in &r.sides {
        print!("{:>22}", side.name());
    }
    println!();
    for (w, workload) in r.workloads.iter().enumerate() {
        print!("{:<18}", workload.name);
        for cell in &r.cells[w] {
            let rss = cell.rss_kib as f64 / 1024.0;
            let text = match cell.heap_peak {
                _ if cell.error.is_some() => "failed".into(),
                Some(heap) => format!("{} ({rss:.1})", heap.div_ceil(1024)),
                None => format!("- ({rss:.1})"),
            };
            print!("{text:>22}");
        }
        println!();
    }

    for (w, workload) in r.workloads.iter().enumerate() {
        for (side, cell) in r.sides.iter().zip(&r.cells[w]) {
            if let Some(error) = &cell.error {
                println!("failed: {} on {}: {error}", workload.name, side.name());
            }
        }
    }
    for goal in r.goals() {
        let ratios: Vec<String> = goal
            .ratios
            .iter()
            .map(|(label, ratio)| format!("{label} {ratio:.2}x"))
            .collect();
        println!(
            "goal {} <= {:.2}x: {}: {}",
            goal.what,
            goal.limit,
            if goal.met() { "met" } else { "missed" },
            ratios.join(", ")
        );
    }
}

/// Three significant digits or so, whatever the unit.
fn figure(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A number, or null for a side that failed (JSON has no NaN).
fn finite(v: f64) -> Json {
    if v.is_finite() {
        Json::Num(v)
    } else {
        Json::Null
    }
}

pub fn json(r: &Results) -> String {
    let workloads = r
        .workloads
        .iter()
        .enumerate()
        .map(|(w, workload)| {
            let results = r
                .sides
                .iter()
                .zip(&r.cells[w])
                .map(|(side, cell)| {
                    Json::Obj(vec![
                        ("side", Json::Str(side.name())),
                        ("median", finite(cell.median)),
                        ("ratio", finite(cell.median / r.cells[w][0].median)),
                        (
                            "samples",
                            Json::Arr(cell.samples.iter().map(|s| Json::Num(*s)).collect()),
                        ),
                        (
                            "heap_peak_bytes",
                            cell.heap_peak.map_or(Json::Null, |h| Json::Num(h as f64)),
                        ),
                        ("peak_rss_kib", Json::Num(cell.rss_kib as f64)),
                        ("error", cell.error.clone().map_or(Json::Null, Json::Str)),
                    ])
                })
                .collect();
            Json::Obj(vec![
                ("name", Json::Str(workload.name.into())),
                ("what", Json::Str(workload.what.into())),
                ("unit", Json::Str(workload.kind.unit().into())),
                ("results", Json::Arr(results)),
            ])
        })
        .collect();
    let goals = r
        .goals()
        .into_iter()
        .map(|g| {
            Json::Obj(vec![
                ("what", Json::Str(g.what.into())),
                ("limit", Json::Num(g.limit)),
                ("met", Json::Str(if g.met() { "yes" } else { "no" }.into())),
                (
                    "ratios",
                    Json::Arr(
                        g.ratios
                            .iter()
                            .map(|(label, ratio)| {
                                Json::Obj(vec![
                                    ("of", Json::Str(label.clone())),
                                    ("ratio", Json::Num(*ratio)),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    let mut out = String::new();
    Json::Obj(vec![
        ("runs", Json::Num(r.runs as f64)),
        ("processes", Json::Num(r.processes as f64)),
        (
            "sides",
            Json::Arr(r.sides.iter().map(|s| Json::Str(s.name())).collect()),
        ),
        ("workloads", Json::Arr(workloads)),
        ("goals", Json::Arr(goals)),
    ])
    .render(&mut out);
    out.push('\n');
    out
}
