//! The report's plots, drawn as SVG by the plotters crate at build time: the page needs no
//! charting script, and the same data gives the same bytes.

use crate::candidates::lsh::LshParams;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Bars in the report's accent colour (the CSS's `--accent`).
const BAR: RGBColor = RGBColor(0x2b, 0x6c, 0xb0);
/// The threshold line (the CSS's `--mark`).
const THRESHOLD: RGBColor = RGBColor(0xc0, 0x39, 0x2b);
const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn svg(size: (u32, u32), draw: impl FnOnce(&Area) -> Result<(), String>) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Counts in named buckets (cluster sizes: 2, 3, ..., 11–20, ...).
pub fn bars(
    caption: &str,
    x_desc: &str,
    labels: &[String],
    counts: &[u64],
) -> Result<String, String> {
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    svg((520, 260), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(caption, (FONT, 16))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d((0..labels.len()).into_segmented(), 0..top + top / 10 + 1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
            .x_desc(x_desc)
            .y_desc("count")
            .x_labels(labels.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .label_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        // Rectangles drawn in order: plotters' Histogram sums its data in a hash map, whose
        // order (and so the SVG's bytes) changes from run to run.
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), c)],
                    BAR.filled(),
                );
                bar.set_margin(0, 0, 3, 3);
                bar
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// A histogram of values in [0, 1], counted in equal bins.
pub fn unit_histogram(caption: &str, counts: &[u64]) -> Result<String, String> {
    let bins = counts.len().max(1);
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    svg((360, 220), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(caption, (FONT, 15))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..1f64, 0..top + top / 10 + 1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
            .x_labels(6)
            .label_style((FONT, 11))
            .draw()
            .map_err(|e| e.to_string())?;
        let width = 1.0 / bins as f64;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x = i as f64 * width;
                Rectangle::new([(x + width * 0.05, 0), (x + width * 0.95, c)], BAR.filled())
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The LSH S-curve: the chance that a pair of each Jaccard similarity shares a band, with
/// the threshold marked.
pub fn s_curve(lsh: &LshParams, threshold: f64) -> Result<String, String> {
    svg((520, 280), |root| {
        let caption = format!(
            "LSH: {} bands × {} rows, threshold {threshold}",
            lsh.bands(),
            lsh.rows()
        );
        let mut chart = ChartBuilder::on(root)
            .caption(caption, (FONT, 16))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..1f64, 0f64..1.02f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .x_desc("Jaccard similarity of a pair")
            .y_desc("P(candidate)")
            .label_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                (0..=200).map(|i| {
                    let j = i as f64 / 200.0;
                    (j, lsh.candidate_probability(j))
                }),
                BAR.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                [(threshold, 0.0), (threshold, 1.0)],
                THRESHOLD.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        let at = lsh.candidate_probability(threshold);
        chart
            .draw_series([Circle::new((threshold, at), 4, THRESHOLD.filled())])
            .map_err(|e| e.to_string())?;
        chart
            .draw_series([Text::new(
                format!("P = {at:.3} at {threshold}"),
                ((threshold + 0.02).min(0.75), (at - 0.12).max(0.05)),
                (FONT, 12).into_font().color(&THRESHOLD),
            )])
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Cluster sizes in buckets: each size up to 10 alone, then 11–20, 21–50, 51–100, 101+.
pub fn cluster_size_buckets(sizes: impl Iterator<Item = usize>) -> (Vec<String>, Vec<u64>) {
    const WIDE: [(usize, usize); 4] = [(11, 20), (21, 50), (51, 100), (101, usize::MAX)];
    let mut labels: Vec<String> = (2..=10).map(|s| s.to_string()).collect();
    labels.extend(WIDE.iter().map(|&(lo, hi)| match hi {
        usize::MAX => format!("{lo}+"),
        _ => format!("{lo}–{hi}"),
    }));
    let mut counts = vec![0u64; labels.len()];
    let mut largest_used = 0;
    for size in sizes {
        let at = match size {
            0..=10 => size.saturating_sub(2),
            _ => {
                9 + WIDE
                    .iter()
                    .position(|&(_, hi)| size <= hi)
                    .unwrap_or(WIDE.len() - 1)
            }
        };
        counts[at] += 1;
        largest_used = largest_used.max(at);
    }
    // Buckets past the largest cluster say nothing.
    labels.truncate(largest_used.max(3) + 1);
    counts.truncate(labels.len());
    (labels, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_sizes_fall_in_their_buckets() {
        let (labels, counts) = cluster_size_buckets([2, 2, 3, 10, 11, 20, 21, 150].into_iter());
        assert_eq!(labels.len(), 13);
        assert_eq!(labels[9], "11–20");
        assert_eq!(labels[12], "101+");
        assert_eq!(counts[0], 2);
        assert_eq!(counts[1], 1);
        assert_eq!(counts[8], 1);
        assert_eq!(counts[9], 2);
        assert_eq!(counts[10], 1);
        assert_eq!(counts[12], 1);
        assert_eq!(counts.iter().sum::<u64>(), 8);
        // Buckets past the largest cluster are left out.
        let (labels, counts) = cluster_size_buckets([2, 3].into_iter());
        assert_eq!((labels.len(), counts.len()), (4, 4));
    }

    #[test]
    fn plots_are_svg_and_the_same_each_time() {
        let lsh = LshParams::new(20, 5, 128).unwrap();
        let curve = s_curve(&lsh, 0.5).unwrap();
        assert!(curve.starts_with("<svg") && curve.trim_end().ends_with("</svg>"));
        assert_eq!(curve, s_curve(&lsh, 0.5).unwrap());
        let counts = [1, 0, 2, 1];
        assert_eq!(
            unit_histogram("x", &counts).unwrap(),
            unit_histogram("x", &counts).unwrap()
        );
        let labels = vec!["2".to_string(), "3".to_string()];
        assert_eq!(
            bars("c", "size", &labels, &[5, 1]).unwrap(),
            bars("c", "size", &labels, &[5, 1]).unwrap()
        );
    }
}
