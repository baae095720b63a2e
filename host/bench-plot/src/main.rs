//! `bench-plot BENCH.json OUT.png [--font FONT.ttf]`: one horizontal bar per
//! side and workload, the side's median over stock native Wasmtime's, on a
//! logarithmic axis with 1x marked.

use anyhow::{Context, Result, bail};
use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

/// Debian's DejaVu Sans (package fonts-dejavu-core); any TrueType font will do.
const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

const COLORS: [RGBColor; 6] = [
    RGBColor(0x99, 0x99, 0x99),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
];

/// One workload: its name and unit, and each plotted side's ratio.
struct Row {
    label: String,
    ratios: Vec<f64>,
}

fn load(path: &str) -> Result<(Vec<String>, Vec<Row>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    let json: Value = serde_json::from_str(&text).with_context(|| format!("{path}: not JSON"))?;
    let field = |v: &Value, key: &str| -> Result<Value> {
        v.get(key).cloned().with_context(|| {
            format!("{path}: no `{key}` field (not a `host bench --json` report?)")
        })
    };
    let sides: Vec<String> = field(&json, "sides")?
        .as_array()
        .context("`sides` is not an array")?
        .iter()
        .filter_map(|s| s.as_str().map(String::from))
        .filter(|s| s != "stock-native")
        .collect();
    let mut rows = Vec::new();
    for w in field(&json, "workloads")?
        .as_array()
        .context("`workloads` is not an array")?
    {
        let name = field(w, "name")?;
        let mut ratios = Vec::new();
        for side in &sides {
            let result = field(w, "results")?
                .as_array()
                .and_then(|r| {
                    r.iter()
                        .find(|r| r.get("side").and_then(Value::as_str) == Some(side))
                        .cloned()
                })
                .with_context(|| format!("{path}: no result for {side} in {name}"))?;
            // null: the side failed this workload (the report says why).
            ratios.push(field(&result, "ratio")?.as_f64().unwrap_or(f64::NAN));
        }
        rows.push(Row {
            label: name.as_str().unwrap_or("?").to_string(),
            ratios,
        });
    }
    if rows.is_empty() {
        bail!("{path}: no workloads");
    }
    Ok((sides, rows))
}

fn draw(sides: &[String], rows: &[Row], out: &str, runs: &str) -> Result<()> {
    let bar = 14u32;
    let height = 120 + rows.len() as u32 * (bar * sides.len() as u32 + 16);
    let root = BitMapBackend::new(out, (1000, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let lowest = rows
        .iter()
        .flat_map(|r| r.ratios.iter())
        .cloned()
        .fold(1.0, f64::min);
    let highest = rows
        .iter()
        .flat_map(|r| r.ratios.iter())
        .cloned()
        .fold(1.0, f64::max);
    let x = (lowest / 1.5)..(highest * 1.5);
    let n = rows.len() as f64;
    // Workload k (from the top) occupies y in [n - k - 1, n - k).
    let y = 0.0..n;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("host bench: time relative to stock Wasmtime (native), median of {runs}; lower is faster"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(130)
        .build_cartesian_2d(x.log_scale(), y)?;
    chart
        .configure_mesh()
        .x_desc("ratio to stock native (log scale)")
        .y_labels(0)
        .x_label_style(("sans-serif", 13))
        .disable_y_mesh()
        .draw()?;
    let gap = 0.1;
    let each = (1.0 - 2.0 * gap) / sides.len() as f64;
    for (s, side) in sides.iter().enumerate() {
        let color = COLORS[s % COLORS.len()];
        let base = chart.x_range().start;
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .filter(|(_, row)| row.ratios[s].is_finite())
                    .map(|(k, row)| {
                        // The first workload at the top.
                        let top = n - k as f64 - gap - s as f64 * each;
                        Rectangle::new([(base, top - each), (row.ratios[s], top)], color.filled())
                    }),
            )?
            .label(side.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    // The workloads' names, left of the plotting area.
    let left = chart.x_range().start;
    for (k, row) in rows.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(left, n - k as f64 - 0.5));
        let style = ("sans-serif", 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(row.label.clone(), (px - 8, py), style))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(1.0, 0.0), (1.0, n)],
        BLACK.stroke_width(2),
    )))?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    root.present()?;
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, output, font) = match &args[..] {
        [i, o] => (i, o, DEFAULT_FONT.to_string()),
        [i, o, flag, f] if flag == "--font" => (i, o, f.clone()),
        _ => bail!("usage: bench-plot BENCH.json OUT.png [--font FONT.ttf]"),
    };
    let bytes = std::fs::read(&font)
        .with_context(|| format!("cannot read the font {font} (give another with --font)"))?;
    plotters::style::register_font(
        "sans-serif",
        FontStyle::Normal,
        Box::leak(bytes.into_boxed_slice()),
    )
    .map_err(|_| anyhow::anyhow!("{font} is not a font ab_glyph can read"))?;
    let (sides, rows) = load(input)?;
    let text = std::fs::read_to_string(input)?;
    let json = serde_json::from_str::<Value>(&text)?;
    let field = |name| json.get(name).and_then(Value::as_u64);
    // `processes` is absent from reports older than `host bench --processes`.
    let runs = match (field("runs"), field("processes").unwrap_or(1)) {
        (Some(r), 1) => format!("{r} samples"),
        (Some(r), p) => format!("{} samples ({p} processes of {r})", r * p),
        (None, _) => "?".into(),
    };
    draw(&sides, &rows, output, &runs)?;
    println!("bench-plot: wrote {output}");
    Ok(())
}
